"""Deterministic synthetic corpus for the speed benchmark (no data is stored).

Procedure (seed 20261125, Python's ``random.Random``): split every real achievement's
abstract into sentences (on 。；！？.); for synthetic document i pick a base achievement
uniformly, and two donors of the same discipline (any achievement when the base has
none); the abstract is 2 sentences from each of the three, shuffled (cut at 500
characters); the title is the base title (or its first sentence, cut at 40 characters),
prefixed with "基于<donor keyword>的" with probability 1/2; keywords are 3 sampled from
the three documents' keywords.  Structured attributes (industry division, discipline
code, region, TRL, owner) are drawn uniformly from small fixed lists.
Needs: the 291 real needs, then recombinations of 4 sentences from 3 real needs.
"""

from __future__ import annotations

import random
import re
from typing import Any

from techmatch.documents import Document
from techmatch.features import AFFINITY

SEED = 20261125
_SPLIT = re.compile(r"(?<=[。；！？.;])")
REGIONS = ["370100", "370200", "371300", "110000", "320100", "440300", "330100", "510100"]


def _sentences(text: str) -> list[str]:
    return [s for s in (x.strip() for x in _SPLIT.split(text or "")) if len(s) >= 4] or [text or "空"]


def synthetic_achievements(corpus: list[dict[str, Any]], n: int, seed: int = SEED) -> list[Document]:
    rng = random.Random(seed)
    sents = [_sentences(d.get("abstract") or "") for d in corpus]
    groups: dict[str, list[int]] = {}
    for i, d in enumerate(corpus):
        groups.setdefault(d.get("discipline") or "", []).append(i)
    divisions = sorted(AFFINITY)
    out: list[Document] = []
    for i in range(n):
        b = rng.randrange(len(corpus))
        disc = corpus[b].get("discipline") or ""
        pool = groups[disc] if disc else None
        donors = [b] + [
            pool[rng.randrange(len(pool))] if pool else rng.randrange(len(corpus)) for _ in range(2)
        ]
        parts = [s for j in donors for s in rng.sample(sents[j], min(2, len(sents[j])))]
        rng.shuffle(parts)
        base = corpus[b]
        kws = sorted({k for j in donors for k in (corpus[j].get("keywords") or [])})
        title = base.get("title") or sents[b][0][:40]
        if kws and rng.random() < 0.5:
            title = f"基于{rng.choice(kws)}的{title}"
        div = rng.choice(divisions)
        out.append(
            Document(
                id=f"s{i:06d}",
                kind="achievement",
                title=title,
                body="".join(parts)[:500],
                keywords=rng.sample(kws, min(3, len(kws))),
                industries=[div],
                disciplines=[AFFINITY[div][0]],
                region=rng.choice(REGIONS),
                trl=rng.randint(1, 9),
                owner=f"org{rng.randrange(8000):04d}",
            )
        )
    return out


def synthetic_needs(needs: list[dict[str, Any]], n: int, seed: int = SEED) -> list[Document]:
    rng = random.Random(seed + 1)
    out = [
        Document(
            id=x["id"], kind="need", title=x.get("title") or "", body=x.get("text") or "", trl=6, stage="中试"
        )
        for x in needs
    ][:n]
    sents = [_sentences(x.get("text") or x.get("title") or "") for x in needs]
    while len(out) < n:
        js = [rng.randrange(len(needs)) for _ in range(3)]
        body = "".join(rng.choice(sents[j]) for j in js for _ in range(1 + (j % 2)))
        out.append(
            Document(
                id=f"sn{len(out):05d}",
                kind="need",
                title=needs[js[0]].get("title") or "",
                body=body[:600],
                trl=rng.randint(3, 8),
            )
        )
    return out
