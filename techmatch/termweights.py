"""Query-term specificity learnt from corpus statistics (no judged data).

Enterprise needs mix their technical problem with words that every industry and every policy text
uses (产业化, 技术, 筛选, 提高, 研发 ...).  BM25's IDF discounts words that are frequent, but many
generic words are only moderately frequent and still outrank the technology of a need: "black-tea
processing" meets tea-culture clustering on 产业化.  A word that is *specific* to a technical field
is concentrated in a few fields of the corpus; a generic word is spread evenly over all of them.

``TermWeights.fit`` measures that spread from documents labelled with a field (an achievement's
discipline, a need's industry): for each term, the entropy of its document distribution over the
fields, compared with the entropy expected of as many documents drawn at random (a term in 5
documents cannot spread over 60 fields, so it is compared with 5 random documents, not with the
corpus).  Specificity s(t) in [0, 1] is 1 - H(field | t) / E[H(field | df random documents)].  The query weight of a term is
``floor + (1 - floor) * s(t) ** power``; unknown terms weigh 1 (nothing known against them).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .documents import Document

MIN_LABELLED = 300  # fewer labelled documents than this: no statistics, every weight is 1


def field_of(doc: Document) -> str | None:
    """A document's field for the statistics: its first discipline (GB/T 13745 first level), else its
    first industry (GB/T 4754 division)."""
    if doc.disciplines:
        return "D" + doc.disciplines[0][:3]
    if doc.industries:
        return "I" + doc.industries[0][:3].upper()
    return None


@dataclass
class TermWeights:
    specificity: dict[str, float] = field(default_factory=dict)
    floor: float = 0.2
    power: float = 1.0

    @classmethod
    def fit(
        cls,
        docs: Iterable[tuple[Sequence[str], str | None]],
        min_df: int = 3,
        shrink: float = 10.0,
        floor: float = 0.2,
        power: float = 1.0,
    ) -> TermWeights:
        """``docs``: (tokens, field label or None).  Terms in fewer than ``min_df`` labelled documents
        keep weight 1; for the others the measured specificity is shrunk towards 1 (no penalty) by
        ``shrink`` pseudo-documents: a few documents say little about how generic a word is, and IDF
        already favours rare words."""
        per_term: dict[str, Counter[str]] = defaultdict(Counter)
        fields: Counter[str] = Counter()
        for tokens, label in docs:
            if not label:
                continue
            fields[label] += 1
            for t in set(tokens):
                per_term[t][label] += 1
        n = sum(fields.values())
        if n < MIN_LABELLED or len(fields) < 2 or not per_term:
            return cls({}, floor, power)
        prior = np.asarray([c / n for c in fields.values()], np.float64)
        expected = _expected_entropy(prior, max(sum(c.values()) for c in per_term.values()))
        spec: dict[str, float] = {}
        for t, counts in per_term.items():
            df = sum(counts.values())
            if df < min_df:
                continue
            p = np.asarray(list(counts.values()), np.float64) / df
            h = float(-(p * np.log(p)).sum())
            raw = min(1.0, max(0.0, 1.0 - h / max(expected(df), 1e-9)))
            spec[t] = round((df * raw + shrink) / (df + shrink), 5)
        return cls(spec, floor, power)

    def weight(self, term: str) -> float:
        s = self.specificity.get(term)
        if s is None:
            return 1.0
        return float(self.floor + (1.0 - self.floor) * s**self.power)

    def weights(self, tokens: Sequence[str]) -> list[float]:
        return [self.weight(t) for t in tokens]

    def __bool__(self) -> bool:
        return bool(self.specificity)

    def save(self, path: str | Path) -> None:
        Path(path).write_text(
            json.dumps(
                {"floor": self.floor, "power": self.power, "specificity": self.specificity},
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )

    @classmethod
    def load(cls, path: str | Path) -> TermWeights:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        return cls(dict(d["specificity"]), float(d["floor"]), float(d["power"]))


def _expected_entropy(
    prior: npt.NDArray[np.float64], max_df: int, trials: int = 64, seed: int = 0
) -> Callable[[int], float]:
    """E[entropy of the field distribution of df documents drawn at random from the corpus], as a
    function of df (Monte Carlo on a log-spaced grid of df, interpolated; deterministic)."""
    rng = np.random.default_rng(seed)
    grid = np.unique(np.round(np.geomspace(1, max(max_df, 2), 40)).astype(int))
    vals = []
    for d in grid:
        counts = rng.multinomial(int(d), prior, size=trials).astype(np.float64) / d
        with np.errstate(divide="ignore", invalid="ignore"):
            h = -np.where(counts > 0, counts * np.log(counts), 0.0).sum(axis=1)
        vals.append(float(h.mean()))
    lg = np.log(grid.astype(np.float64))
    v = np.asarray(vals)
    return lambda df: float(np.interp(np.log(max(df, 1)), lg, v))
