"""Choosing the engine's constants without fitting them to the judged dev set.

    python -m bench.tune warm [--depth 50] [--chars 256]   embed dev candidates' passages (full model, cached)
    python -m bench.tune weak                              fit query-term weighting and fusion weights on
                                                           pseudo-queries built from the corpus (no judged data)
    python -m bench.tune curve                             re-scoring depth / passage length on dev, 5-fold CV

Weak supervision (``weak``): pseudo-queries are corpus documents with a title and >= 3 keywords; the
query is the title and the first sentence of the abstract (what a need's title + problem look like),
the document itself is excluded from the ranking, and every other document sharing >= 2 of its
keywords is a positive.  Deterministic sample (every k-th eligible document).  The dev set is not read.

Dev curve (``curve``): constants that can only be chosen by looking at judged needs (the re-scoring
depth, the passage length) are chosen by 5-fold cross-validation over the 40 dev needs: for each fold,
the value best on the other four folds is evaluated on the held-out fold; the report gives every fold's
choice, the held-out nDCG@10 per fold, their mean and spread.  Results: bench/results/tune.json.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
from collections.abc import Callable
from typing import Any

from bench.common import RESULTS, evaluate, load_corpus, load_judged, log, shared_data
from bench.cv import cross_validate, ndcg_per_query
from bench.systems import need_document, product_config, to_document
from techmatch.analysis import Analyzer
from techmatch.fusion import top_order
from techmatch.index import Engine, EngineConfig

PSEUDO_QUERIES = 400
_FIRST_SENTENCE = re.compile(r"^(.{8,120}?[。；;！？!?])")


# --- pseudo-queries (weak supervision) ------------------------------------------------------------------


def pseudo_queries(
    corpus: list[dict[str, Any]], n: int = PSEUDO_QUERIES
) -> tuple[dict[str, str], dict[str, dict[str, int]]]:
    by_kw: dict[str, set[str]] = {}
    for d in corpus:
        for k in d.get("keywords") or []:
            by_kw.setdefault(k, set()).add(d["id"])
    eligible = []
    for d in corpus:
        kws = d.get("keywords") or []
        if not d.get("title") or len(kws) < 3 or not d.get("abstract"):
            continue
        counts: dict[str, int] = {}
        for k in kws:
            for o in by_kw.get(k, ()):
                if o != d["id"]:
                    counts[o] = counts.get(o, 0) + 1
        pos = {o for o, c in counts.items() if c >= 2}
        if pos:
            eligible.append((d, pos))
    step = max(1, len(eligible) // n)
    queries: dict[str, str] = {}
    qrels: dict[str, dict[str, int]] = {}
    for d, pos in eligible[::step][:n]:
        m = _FIRST_SENTENCE.match(d["abstract"])
        first = m.group(1) if m else d["abstract"][:80]
        queries[d["id"]] = f"{d['title']}\n{first}"
        qrels[d["id"]] = {o: 1 for o in pos}
    return queries, qrels


# --- engine and signal cache ---------------------------------------------------------------------------


def build_engine(corpus: list[dict[str, Any]], with_static: bool) -> Engine:
    from bench.systems import fit_term_weights, static_encoder

    analyzer = Analyzer()
    enc = static_encoder(corpus, analyzer) if with_static else None
    eng = Engine(analyzer, enc, None, product_config())
    eng.add_many(to_document(d) for d in corpus)
    fit_term_weights(eng, corpus)
    return eng


def signal_runs(
    eng: Engine,
    queries: dict[str, tuple[str, str]],
    floor: float | None,
    depth: int = 200,
    exclude_self: bool = False,
) -> dict[str, dict[str, list[int]]]:
    """Per signal, per query: the top ``depth`` slots.  ``queries``: id -> (lexical text, semantic text);
    ``floor`` None = no term weighting, else the term weights' floor."""
    saved = {n: (tw.floor, tw.power) for n, tw in eng.term_weights.items()}
    eng.config.term_weighting = floor is not None
    for tw in eng.term_weights.values():
        tw.floor = floor if floor is not None else tw.floor
    out: dict[str, dict[str, list[int]]] = {}
    for qid, (lex, sem) in queries.items():
        sig = eng.signals(lex, sem)[0]
        valid = eng.backend.alive().copy()
        if exclude_self and eng.backend.slot(qid) is not None:
            valid[eng.backend.slot(qid)] = False
        for name, s in sig.items():
            out.setdefault(name, {})[qid] = [int(x) for x in top_order(s, depth, valid)]
    for n, (f, p) in saved.items():
        eng.term_weights[n].floor, eng.term_weights[n].power = f, p
    eng.config.term_weighting = True
    return out


def fuse(
    runs: dict[str, dict[str, list[int]]], weights: dict[str, float], k: float = 60.0, depth: int = 100
) -> dict[str, list[int]]:
    out = {}
    for qid in next(iter(runs.values())):
        acc: dict[int, float] = {}
        for name, per_q in runs.items():
            w = weights.get(name, 1.0)
            if not w:
                continue
            for r, s in enumerate(per_q[qid]):
                acc[s] = acc.get(s, 0.0) + w / (k + 1.0 + r)
        out[qid] = [s for s, _ in sorted(acc.items(), key=lambda x: (-round(x[1], 12), x[0]))[:depth]]
    return out


def as_ids(eng: Engine, run: dict[str, list[int]]) -> dict[str, list[str]]:
    ids = eng.backend.ids
    return {q: [ids[s] for s in r] for q, r in run.items()}


FLOORS: list[float | None] = [None, 0.1, 0.2, 0.4]
WEIGHT_GRID = [0.5, 1.0, 1.5]


def weak(args: argparse.Namespace) -> dict[str, Any]:
    corpus = load_corpus()
    eng = build_engine(corpus, with_static=not args.no_static)
    queries, qrels = pseudo_queries(corpus)
    log(f"{len(queries)} pseudo-queries, {sum(len(v) for v in qrels.values())} positives")
    qs = {q: (t, t) for q, t in queries.items()}
    table = []
    best: tuple[float, Any, dict[str, float]] = (-1.0, None, {})
    for floor in FLOORS:
        runs = signal_runs(eng, qs, floor, exclude_self=True)
        names = sorted(runs)
        grid = [dict(zip(names, ws, strict=True)) for ws in _product(WEIGHT_GRID, len(names))]
        for w in grid:
            m = evaluate(as_ids(eng, fuse(runs, w)), qrels)["ndcg@10"]
            table.append({"floor": floor, "weights": w, "ndcg@10": m})
            if m > best[0] + 1e-9:
                best = (m, floor, w)
        log(f"floor {floor}: best so far {best}")
    res = {
        "pseudo_queries": len(queries),
        "best": {"ndcg@10": best[0], "floor": best[1], "weights": best[2]},
        "table": table,
    }
    return res


def _product(values: list[float], n: int) -> list[tuple[float, ...]]:
    out: list[tuple[float, ...]] = [()]
    for _ in range(n):
        out = [o + (v,) for o in out for v in values]
    return out


# --- dev: full-model re-scoring curve ------------------------------------------------------------------


def dev_queries() -> tuple[dict[str, Any], dict[str, dict[str, int]]]:
    needs, qrels = load_judged(shared_data() / "needs-bench")
    return {n["id"]: need_document(n) for n in needs}, qrels


def warm(args: argparse.Namespace) -> dict[str, Any]:
    """Embed (cached) the passages of every dev need's top ``depth`` candidates under the fusion variants
    the curve compares, best ranks first (a partial run is usable)."""
    from bench.systems import rerank_cache

    corpus = load_corpus()
    eng = build_engine(corpus, with_static=not args.no_static)
    docs, _qrels = dev_queries()
    qs = {q: (eng.lexical_text(d), eng.query_text(d)) for q, d in docs.items()}
    lists = []
    for floor in (None, eng.term_weights["word"].floor if eng.term_weights else None):
        runs = signal_runs(eng, qs, floor)
        lists.append(fuse(runs, {}, depth=args.depth))
        lists.append(fuse(runs, eng.config.weights, depth=args.depth))
    cache = rerank_cache()
    ids = eng.backend.ids
    todo: list[tuple[str, str]] = []
    seen = set()
    for r in range(args.depth):
        for lst in lists:
            for q in sorted(lst):
                if r < len(lst[q]):
                    d = eng.docs[ids[lst[q][r]]]
                    key = cache.key(d.id, d.short_text(args.chars))
                    if key not in cache.keys and key not in seen:
                        seen.add(key)
                        todo.append((d.id, d.short_text(args.chars)))
    log(f"{len(todo)} passages to embed ({args.chars} chars)")
    for i in range(0, len(todo), 16):
        cache.get(todo[i : i + 16])
        cache.flush()
        log(f"embedded {min(i + 16, len(todo))}/{len(todo)}")
    return {"embedded": len(todo)}


def curve(args: argparse.Namespace) -> dict[str, Any]:
    from bench.systems import rerank_cache

    corpus = load_corpus()
    eng = build_engine(corpus, with_static=not args.no_static)
    docs, qrels = dev_queries()
    cache = rerank_cache()
    ids = eng.backend.ids
    qs = {q: (eng.lexical_text(d), eng.query_text(d)) for q, d in docs.items()}
    runs = signal_runs(eng, qs, eng.term_weights["word"].floor if eng.term_weights else None)
    fused = fuse(runs, eng.config.weights, k=eng.config.rrf_k, depth=100)
    qvec = {q: cache.encoder.encode_passages([qs[q][1]])[0] for q in docs}
    out: dict[str, Any] = {
        "rrf-fast": round(statistics.fmean(ndcg_per_query(as_ids(eng, fused), qrels).values()), 4)
    }
    per_depth: dict[int, dict[str, float]] = {}
    for depth in args.depths:
        run: dict[str, list[str]] = {}
        complete = True
        for q, cand in fused.items():
            top = cand[:depth]
            items = [(ids[s], eng.docs[ids[s]].short_text(args.chars)) for s in top]
            if any(cache.key(i, t) not in cache.keys for i, t in items):
                complete = False
                break
            sims = cache.get(items) @ qvec[q]
            order = sorted(range(len(top)), key=lambda i: (-round(float(sims[i]), 9), ids[top[i]]))
            score: dict[int, float] = {}
            base = {s: 0.0 for s in top}
            for name, per_q in runs.items():
                w = eng.config.weights.get(name, 1.0)
                for r, s in enumerate(per_q[q]):
                    if s in base:
                        base[s] += w / (eng.config.rrf_k + 1.0 + r)
            for rank, i in enumerate(order):
                score[top[i]] = base[top[i]] + eng.config.weights.get("rerank", 1.0) / (
                    eng.config.rrf_k + 1.0 + rank
                )
            run[q] = [ids[s] for s in sorted(top, key=lambda s: (-round(score[s], 12), ids[s]))]
        if not complete:
            log(f"depth {depth}: passages not all embedded (run warm first); skipped")
            continue
        per_depth[depth] = ndcg_per_query(run, qrels)
        log(f"depth {depth}: dev nDCG@10 {statistics.fmean(per_depth[depth].values()):.4f}")
    if per_depth:
        out["depth_cv"] = cross_validate(per_depth)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("step", choices=["warm", "weak", "curve"])
    ap.add_argument("--depth", type=int, default=50)
    ap.add_argument("--chars", type=int, default=EngineConfig().passage_chars)
    ap.add_argument("--depths", type=int, nargs="*", default=[10, 20, 30, 40, 50])
    ap.add_argument("--no-static", action="store_true", help="without the static encoder (no token table)")
    args = ap.parse_args()
    steps: dict[str, Callable[[argparse.Namespace], dict[str, Any]]] = {
        "warm": warm,
        "weak": weak,
        "curve": curve,
    }
    res = steps[args.step](args)
    print(json.dumps({k: v for k, v in res.items() if k != "table"}, ensure_ascii=False), flush=True)
    path = RESULTS / "tune.json"
    allres = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    allres[
        args.step
        + ("-nostatic" if args.no_static else "")
        + (f"-{args.chars}" if args.step == "curve" else "")
    ] = res
    RESULTS.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(allres, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
