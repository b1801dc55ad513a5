"""Query-side and passage-side variants of the hybrid, each replayed against the product on dev.

    python -m bench.query_side [--out FILE]

Issue 19 asks to weight a need's technical problem and to downweight the words that needs and policy
texts share with every industry.  The product already does both in one way (techmatch.extract drops
company-background sections and business sentences; techmatch.termweights weights each query term by
how concentrated its documents are in a few disciplines).  This benchmark measures further ways, all
learnt from corpus statistics or fixed by a rule (none fitted to judged needs), with the product's
re-scoring (zscore fusion, alpha 0.6, depth 20; bench/rerank_cv.py replay, checked there to equal
Engine.search) applied to each variant's own candidates:

  view-*       the full model's cosine of a second embedding of the need added to the product's cosine
               (cos + b * cos_view): the title alone, the technical text without the title, the best
               and the mean of its ~120-character chunks;
  spec-*       only the sentences whose IDF-weighted term specificity (techmatch.termweights, fitted on
               the corpus' disciplines) is at least a bar (an absolute value, or the need's own quantile)
               are kept, for the full model only ("sem") or for BM25 too ("both");
  title-*      the title repeated (x2, x3) so that its terms weigh more, for BM25 or for both;
  needratio-*  query terms that are more frequent in the 284 corpus needs than in the 12,908 achievements
               (policy and background vocabulary) downweighted by min(1, rate_achievements /
               rate_needs) ** gamma, words or words and bigrams;
  passage-*    the candidates' passages with their keywords (title, keywords, body) instead of title and
               body, added to the product's cosine; the best of the first two 256-character windows;
  prf-*        each candidate's mean cosine to the product's top K (K 3, 5) added to its own (the cluster
               hypothesis: relevant documents resemble each other).

Every variant and the product are cross-validated together (bench/cv.py: the variant best on four folds
is scored on the fifth), so a variant only "wins" if it wins on needs it was not picked on.  Results go to
bench/results/query_side.json for the shared dev set only (or to --out).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import RESULTS, load_corpus, load_judged, log, read_jsonl, shared_data
from bench.cv import cross_validate, fold_spread, ndcg_per_query, paired
from bench.rerank_cv import fast_top, replay
from bench.systems import need_document, product_config, product_engine, rerank_cache, to_document
from techmatch import features as feat
from techmatch.dense import EmbeddingCache
from techmatch.documents import Document
from techmatch.extract import technical_text
from techmatch.index import RRF_UNIT

DEPTH = 30  # candidates kept per variant (the product re-scores 20)
CHARS = 256
SENTENCE = re.compile(r"(?<=[。；;！!？?])|\n")
Cand = dict[str, Any]


def chunks(text: str, size: int = 120) -> list[str]:
    """Consecutive sentences grouped into pieces of about ``size`` characters."""
    out: list[str] = []
    cur = ""
    for s in (s.strip() for s in SENTENCE.split(text) if s and s.strip()):
        if cur and len(cur) + len(s) > size:
            out.append(cur)
            cur = ""
        cur += s
    return out + [cur] if cur else out or [text[:size]]


class Bench:
    def __init__(self) -> None:
        self.corpus = load_corpus()
        self.needs, self.qrels = load_judged(shared_data() / "needs-bench")
        self.cache: EmbeddingCache = rerank_cache()
        self.eng = product_engine(self.corpus, self.cache)
        self.an = self.eng.analyzer
        assert self.eng.reranker is not None
        self.rr = self.eng.reranker
        self.product_weights = self.eng._query_weights

    def candidates(self, q: Document, lex: str, sem: str) -> Cand:
        """The fast ranking of ``lex`` (BM25) / ``sem`` (static encoder) and the full model's cosines of
        its top DEPTH with ``sem`` embedded as a passage - what Engine.search re-scores."""
        eng, cfg = self.eng, self.eng.config
        fast = fast_top(eng, q, DEPTH, lex, sem)
        docs = [eng.docs[eng.backend.ids[s]] for s in fast.top]
        cos = self.rr.scores(sem, docs, True, CHARS)
        assert cos is not None
        return {
            "ids": [d.id for d in docs],
            "fused": [float(fast.fused[s]) for s in fast.top],
            "cos": {CHARS: [float(x) for x in cos]},
            "bonus": [feat.compute(q, d, cfg.features).total(cfg.features) * RRF_UNIT for d in docs],
            "owners": [d.owner for d in docs],
            "docs": docs,
            "sem": sem,
        }

    def passages(self, c: Cand, text: Callable[[Document], str], tag: str) -> np.ndarray:
        return self.cache.get([(f"{tag}:{d.id}", text(d)) for d in c["docs"]])

    def cos_of(self, c: Cand, texts: Sequence[str]) -> np.ndarray:
        """Cosines of the candidates' product passages with each of ``texts`` (rows: texts)."""
        mat = self.cache.get([(d.id, d.short_text(CHARS)) for d in c["docs"]])
        return self.cache.encoder.encode_passages(list(texts)) @ mat.T

    def sentence_specificity(self, text: str) -> list[tuple[str, float]]:
        spec = self.eng.term_weights["word"].specificity
        out = []
        for s in (s.strip() for s in SENTENCE.split(text) if s and s.strip()):
            ws = self.an.words(s)
            idf = self.eng.backend.word_idf(ws)
            den = sum(idf.get(w, 0.0) for w in ws)
            out.append((s, sum(idf.get(w, 0.0) * spec.get(w, 1.0) for w in ws) / den if den else 0.0))
        return out


def with_cos(c: Cand, cos: Sequence[float]) -> Cand:
    return {**c, "cos": {CHARS: [float(x) for x in cos]}}


def top10(c: Cand) -> list[str]:
    cfg = product_config()
    return replay(c, cfg.rerank_depth, "zblend", cfg.rerank_alpha, cfg.rrf_k, cfg.max_per_owner, CHARS)


def run_variants(b: Bench) -> dict[str, dict[str, list[str]]]:
    """Every variant's top 10 per dev need (the product is "product")."""
    runs: dict[str, dict[str, list[str]]] = {}

    def put(name: str, nid: str, c: Cand) -> None:
        runs.setdefault(name, {})[nid] = top10(c)

    # corpus statistics for needratio: document frequency in achievements and in the corpus' needs
    all_needs = list(read_jsonl(shared_data() / "corpus" / "needs.jsonl"))
    rates: dict[str, tuple[Counter[str], Counter[str]]] = {}
    for name, fn in (("word", b.an.words), ("bigram", b.an.bigrams)):
        da: Counter[str] = Counter()
        dn: Counter[str] = Counter()
        for d in b.corpus:
            da.update(set(fn(to_document(d).text())))
        for n in all_needs:
            dn.update(set(fn(need_document(n).text())))
        rates[name] = (da, dn)
    na, nn = len(b.corpus) + 1, len(all_needs) + 1

    def ratio_weights(gamma: float, names: set[str]) -> Callable[[str, Sequence[str]], list[float] | None]:
        def qw(name: str, tokens: Sequence[str]) -> list[float] | None:
            w = b.product_weights(name, tokens) or [1.0] * len(tokens)
            if name not in names:
                return w
            da, dn = rates[name]
            return [
                x * min(1.0, ((da.get(t, 0) + 1) / na) / ((dn.get(t, 0) + 1) / nn)) ** gamma
                for t, x in zip(tokens, w, strict=True)
            ]

        return qw

    for i, n in enumerate(b.needs):
        nid, q = n["id"], need_document(n)
        lex, sem = b.eng.lexical_text(q), b.eng.query_text(q)
        c = b.candidates(q, lex, sem)
        put("product", nid, c)
        title = n.get("title") or ""
        tech = technical_text(n.get("text") or "")
        pieces = chunks(tech)
        views = b.cos_of(c, [title, tech, *pieces])
        base = np.asarray(c["cos"][CHARS])
        for w in (0.25, 0.5, 1.0):
            put(f"view-title:{w}", nid, with_cos(c, base + w * views[0]))
            put(f"view-tech:{w}", nid, with_cos(c, base + w * views[1]))
            put(f"view-chunkmax:{w}", nid, with_cos(c, base + w * views[2:].max(axis=0)))
            put(f"view-chunkmean:{w}", nid, with_cos(c, base + w * views[2:].mean(axis=0)))
        # passages: with keywords; the second window
        kw = b.passages(
            c, lambda d: "\n".join(p for p in (d.title, "；".join(d.keywords), d.body) if p)[:CHARS], "kw"
        )
        qv = b.cache.encoder.encode_passages([sem])[0]
        kwcos = kw @ qv
        second = b.passages(
            c, lambda d: d.short_text(2 * CHARS)[CHARS - 32 : 2 * CHARS - 32] or d.short_text(CHARS), "w2"
        )
        for w in (0.5, 1.0):
            put(f"passage-keywords:{w}", nid, with_cos(c, base + w * kwcos))
        put("passage-keywords-only", nid, with_cos(c, kwcos))
        put("passage-max2windows", nid, with_cos(c, np.maximum(base, second @ qv)))
        # prf: mean cosine to the product's top K (passage to passage)
        mat = b.cache.get([(d.id, d.short_text(CHARS)) for d in c["docs"]])
        order = [c["ids"].index(x) for x in runs["product"][nid]]
        for k in (3, 5):
            sim = mat @ mat[order[:k]].T
            for j, t in enumerate(order[:k]):
                sim[t, j] = np.nan
            prf = np.nanmean(sim, axis=1)
            for w in (0.25, 0.5):
                put(f"prf-k{k}:{w}", nid, with_cos(c, base + w * (prf - float(np.nanmean(prf)))))
        # sentence selection by specificity
        scored = b.sentence_specificity(tech)
        values = [s for _, s in scored]
        for label, bar in (("abs0.3", 0.3), ("abs0.4", 0.4), ("q0.25", None), ("q0.5", None)):
            cut = bar if bar is not None else float(np.quantile(values, float(label[1:]))) if values else 0.0
            kept = title + "\n" + "\n".join(s for s, v in scored if v >= cut)
            put(f"spec-{label}-sem", nid, b.candidates(q, lex, kept))
            put(f"spec-{label}-both", nid, b.candidates(q, kept, kept))
        # title repeated
        for times in (2, 3):
            boosted = (title + "\n") * (times - 1)
            put(f"title-x{times}-lex", nid, b.candidates(q, boosted + lex, sem))
            put(f"title-x{times}-both", nid, b.candidates(q, boosted + lex, boosted + sem))
        # need/achievement rate ratio
        for gamma in (0.5, 1.0):
            for names in ({"word"}, {"word", "bigram"}):
                b.eng._query_weights = ratio_weights(gamma, names)  # type: ignore[method-assign,assignment]
                try:
                    put(f"needratio-{'+'.join(sorted(names))}:{gamma}", nid, b.candidates(q, lex, sem))
                finally:
                    b.eng._query_weights = b.product_weights  # type: ignore[method-assign]
        if i % 5 == 4:
            b.cache.flush()
            log(f"needs {i + 1}/{len(b.needs)}")
    b.cache.flush()
    return runs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    b = Bench()
    runs = run_variants(b)
    per = {name: ndcg_per_query(run, b.qrels) for name, run in runs.items()}
    product = per["product"]
    rows = []
    for name, scores in per.items():
        row = {
            "variant": name,
            "ndcg@10": round(statistics.fmean(scores.values()), 4),
            **fold_spread(scores),
            "vs_product": paired(scores, product),
        }
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    cv = cross_validate(per)
    summary = {
        "cv_ndcg": cv["cv_ndcg"],
        "fold_std": cv["fold_std"],
        "chosen_per_fold": [r["chosen"] for r in cv["folds"]],
        "held_out_vs_product": paired(cv["held_out"], product),
    }
    print(json.dumps({"cv": summary}, ensure_ascii=False), flush=True)
    out = args.out or RESULTS / "query_side.json"
    out.write_text(
        json.dumps(
            {"product": "zscore, alpha 0.6, depth 20", "variants": rows, "cv": summary},
            ensure_ascii=False,
            indent=1,
        )
        + "\n",
        encoding="utf-8",
    )
    log(f"written {out}")


if __name__ == "__main__":
    main()
