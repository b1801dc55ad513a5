"""How the full model's cosines are fused with the fast ranking: alternatives, each with 5-fold CV on dev.

    python -m bench.rerank_cv [--depths 20 30 40 50] [--out FILE]

For every dev need the product's fast ranking (rrf-fast: word + bigram + static, term-weighted) is computed
once, with its fused scores, and the full model's cosine of each of the top 50 candidates (passage store
in bench/cache, as bench.quality fills it).  Then each way of fusing is replayed offline, exactly as
techmatch.index.Engine.search orders (same ties, structured features, owner diversity):

  rrf        the product: fused + w / (k + 1 + rank by cosine), w in --weights (re-scoring depth d)
  zblend     (1 - a) * z(fused) + a * z(cosine) over the top d (z: standardised within the query's
             candidates), a in --alphas; computed as the product does (Engine._blend, in RRF units)
  cos        the top d ordered by cosine alone (dense-e5-rescore at depth d)

Each family's grid is cross-validated (bench/cv.py: the value best on 4 folds is scored on the 5th), and
so is the union of all grids.  ``check`` reproduces the product's configuration through Engine.search
itself: the replay must give the same per-need nDCG.  Results are written only for the shared dev set
(bench/results/rerank_cv.json), or to --out.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from bench.common import RESULTS, load_corpus, load_judged, log, shared_data
from bench.cv import cross_validate, ndcg_per_query, paired
from bench.systems import need_document, product_config, product_engine, rerank_cache
from techmatch import features as feat
from techmatch.documents import Document
from techmatch.fusion import rrf
from techmatch.index import RRF_UNIT, Engine

ROUND_TWO = "rrf:depth=30,value=3"


class FastRanking(NamedTuple):
    signals: dict[str, npt.NDArray[np.float64]]
    fused: npt.NDArray[np.float64]
    parts: dict[str, npt.NDArray[np.float64]]
    qvec: npt.NDArray[np.float32] | None
    top: list[int]  # slots, best first


def fast_top(
    eng: Engine, q: Document, depth: int, lex: str | None = None, sem: str | None = None
) -> FastRanking:
    """The fast ranking Engine.search computes before re-scoring (no filters; the query's own document
    excluded when indexed): its signals, fused scores and their parts, the static query vector and the top
    ``depth`` slots.  ``lex`` / ``sem`` replace the need's BM25 / semantic text (query-side variants)."""
    cfg = eng.config
    sig, _, qvec = eng.signals(
        eng.lexical_text(q) if lex is None else lex, eng.query_text(q) if sem is None else sem
    )
    valid = eng.backend.alive().copy()
    own = eng.backend.slot(q.id) if q.id else None
    if own is not None:
        valid[own] = False
    fused, parts = rrf(sig, cfg.rrf_k, cfg.depth, {n: cfg.weights.get(n, 1.0) for n in sig}, valid)
    ids = eng.backend.ids
    cand = [int(s) for s in np.flatnonzero(fused > 0)]
    cand.sort(key=lambda s: (-round(float(fused[s]), 12), ids[s]))
    return FastRanking(sig, fused, parts, qvec, cand[:depth])


def candidates(eng: Engine, q: Document, depth: int, chars: list[int]) -> dict[str, Any]:
    """The fast ranking's top ``depth`` (ids, fused scores, feature bonus) and their full-model cosines."""
    cfg = eng.config
    text = eng.query_text(q)
    fast = fast_top(eng, q, depth)
    fused, top = fast.fused, fast.top
    ids = eng.backend.ids
    docs = [eng.docs[ids[s]] for s in top]
    assert eng.reranker is not None
    cos = {}
    for c in chars:
        sc = eng.reranker.scores(text, docs, True, c)
        assert sc is not None
        cos[c] = [float(x) for x in sc]
    bonus = [feat.compute(q, d, cfg.features).total(cfg.features) * RRF_UNIT for d in docs]
    return {
        "ids": [ids[s] for s in top],
        "fused": [float(fused[s]) for s in top],
        "cos": cos,
        "bonus": bonus,
        "owners": [d.owner for d in docs],
    }


def _diversify(order: list[int], owners: list[str | None], max_per_owner: int) -> list[int]:
    seen: dict[str, int] = {}
    head: list[int] = []
    tail: list[int] = []
    for i in order:
        o = owners[i]
        if o is None:
            head.append(i)
            continue
        seen[o] = seen.get(o, 0) + 1
        (head if seen[o] <= max_per_owner else tail).append(i)
    return head + tail


def replay(
    c: dict[str, Any], depth: int, family: str, value: float, rrf_k: float, mpo: int, chars: int
) -> list[str]:
    """The top 10 ids of one need under one way of fusing (passages of ``chars`` characters)."""
    n = min(depth, len(c["ids"]))
    ids, fused, cos, bonus = c["ids"][:n], c["fused"][:n], c["cos"][chars][:n], c["bonus"][:n]
    if family == "rrf":
        by_cos = sorted(range(n), key=lambda i: (-round(cos[i], 9), ids[i]))
        score = list(fused)
        for rank, i in enumerate(by_cos):
            score[i] += value / (rrf_k + 1.0 + rank)
    elif family == "zblend":  # as techmatch.index.Engine._blend: fast score + a/(1-a) sd(fast) z(cosine)
        f, s = np.asarray(fused), np.asarray(cos)
        sd_f, sd_s = float(f.std()), float(s.std())
        sd_f = sd_f if sd_f > 1e-12 else RRF_UNIT
        sd_s = sd_s if sd_s > 1e-12 else 1.0
        keep, gain = (1.0, value / (1.0 - value)) if value < 1.0 else (0.0, 1.0)
        score = list(keep * f + gain * sd_f * (s - s.min()) / sd_s)
    elif family == "cos":
        score = list(cos)
        bonus = [0.0] * n
    else:
        raise ValueError(family)
    total = [score[i] + bonus[i] for i in range(n)]
    order = sorted(range(n), key=lambda i: (-round(total[i], 12), ids[i]))
    order = _diversify(order, c["owners"], mpo)
    return [ids[i] for i in order[:10]]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--judged", type=Path, default=shared_data() / "needs-bench")
    ap.add_argument("--depths", type=int, nargs="*", default=[20, 30, 40, 50])
    ap.add_argument("--weights", type=float, nargs="*", default=[2.0, 3.0, 4.0, 5.0, 6.0])
    ap.add_argument("--alphas", type=float, nargs="*", default=[0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
    ap.add_argument(
        "--chars", type=int, nargs="*", default=[256], help="passage lengths (each new one embeds passages)"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument(
        "--save-runs", type=Path, default=None, help="write the product's ranked ids per need here"
    )
    args = ap.parse_args()

    corpus = load_corpus()
    needs, qrels = load_judged(args.judged)
    dev = args.judged.resolve() == (shared_data() / "needs-bench").resolve()
    cache = rerank_cache()
    cfg = product_config()
    eng = product_engine(corpus, cache)
    log(f"indexed {len(eng)} documents")
    dmax = max(args.depths)
    cands = {}
    for i, n in enumerate(needs):
        cands[str(n["id"])] = candidates(eng, need_document(n), dmax, args.chars)
        if i % 10 == 9:
            cache.flush()
            log(f"needs {i + 1}/{len(needs)}")
    cache.flush()

    # the replay must equal the product's own search
    product_run = {str(n["id"]): [r.id for r in eng.search(need_document(n), k=10)] for n in needs}
    pfamily = "zblend" if cfg.rerank_fusion == "zscore" else "rrf"
    strength = cfg.rerank_alpha if pfamily == "zblend" else cfg.weights["rerank"]
    replayed = {
        nid: replay(c, cfg.rerank_depth, pfamily, strength, cfg.rrf_k, cfg.max_per_owner, cfg.passage_chars)
        for nid, c in cands.items()
    }
    check = product_run == replayed
    if args.save_runs is not None:
        args.save_runs.write_text(json.dumps({"hybrid": product_run}), encoding="utf-8")
    log(f"replay of the product equals Engine.search: {check}")

    per_value: dict[str, dict[str, dict[str, float]]] = {"rrf": {}, "zblend": {}, "cos": {}}
    for ch in args.chars:
        for d in args.depths:
            for family, values in (("rrf", args.weights), ("zblend", args.alphas), ("cos", [1.0])):
                for v in values:
                    run = {
                        nid: replay(c, d, family, v, cfg.rrf_k, cfg.max_per_owner, ch)
                        for nid, c in cands.items()
                    }
                    key = f"{family}:depth={d},value={v:g}" + (
                        "" if ch == cfg.passage_chars else f",chars={ch}"
                    )
                    per_value[family][key] = ndcg_per_query(run, qrels)
                    log(f"{key}: {statistics.fmean(per_value[family][key].values()):.4f}")
    product_key = f"{pfamily}:depth={cfg.rerank_depth},value={strength:g}"
    result: dict[str, Any] = {
        "judged": str(args.judged),
        "replay_equals_search": check,
        "product": product_key,
        "product_dev": round(statistics.fmean(per_value[pfamily][product_key].values()), 4),
        "cv": {},
    }
    union: dict[str, dict[str, float]] = {}
    for family, grid in per_value.items():
        union.update(grid)
        result["cv"][family] = cross_validate(grid)
    result["cv"]["all"] = cross_validate(union)
    product = per_value[pfamily][product_key]
    result["paired_vs_product"] = {name: paired(cv["held_out"], product) for name, cv in result["cv"].items()}
    if ROUND_TWO in per_value["rrf"]:  # the product before this comparison: rrf, weight 3, depth 30
        before = per_value["rrf"][ROUND_TWO]
        result["round_two_product"] = ROUND_TWO
        result["round_two_product_dev"] = round(statistics.fmean(before.values()), 4)
        result["paired_vs_round_two_product"] = {
            name: paired(cv["held_out"], before) for name, cv in result["cv"].items()
        }
        result["paired_vs_round_two_product"]["product"] = paired(product, before)
    for name, cv in result["cv"].items():
        line = {
            "grid": name,
            "cv_ndcg": cv["cv_ndcg"],
            "fold_mean": cv["fold_mean"],
            "fold_std": cv["fold_std"],
            "chosen": [r["chosen"] for r in cv["folds"]],
            "best_on_dev": max(cv["all_dev"].items(), key=lambda kv: kv[1]),
            "held_out_vs_product": result["paired_vs_product"][name],
            "held_out_vs_round_two": result.get("paired_vs_round_two_product", {}).get(name),
        }
        print(json.dumps(line, ensure_ascii=False), flush=True)
    target = args.out or (RESULTS / "rerank_cv.json" if dev else None)
    if target is None:
        log("results not written: only the shared dev set's results go into bench/results (use --out FILE)")
        return
    target.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
