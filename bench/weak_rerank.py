"""The full-model re-scoring's fusion learnt from corpus pseudo-queries only; the dev set only evaluates.

    python -m bench.weak_rerank [--hide-keywords] [--condensed] [--n 300] [--depths 20 30]

Pseudo-queries (no judged data): every k-th corpus document with a title, an abstract and >= 3 keywords
that shares >= 2 keywords with another document (the sample of bench/tune.py ``weak``, deterministic).
Two renderings of each, both searched as a need (``Document(kind="need")``, so the product's need path
applies: technical-text extraction, symmetric e5 prefix):

  title  title + first sentence of the abstract (round two's pseudo-query)
  need   title + an enterprise-need frame: "需求内容：" a request sentence, the first sentence, "预期目标："
         the second sentence (the keywords are never put in the query: they define the positives)

Positives: every other document sharing >= 2 of the source's keywords (grade 1; >= 3 shared: grade 2).
The source document itself is excluded from the ranking - exactly what Engine.search does for a query
whose id is indexed, and what the product meets (a need is never among the achievements it ranks);
keeping it would reward near-verbatim copying of the query text, which real needs never show.

Two biases of these labels, each removable by a flag (the three settings are three result files):

  --condensed      documents without keywords (58 % of the corpus) can never be positives, so a signal
                   that finds them (the full model) is punished for it: condensed lists drop them before
                   nDCG@10 and training (they are unjudged, not negatives)
  --hide-keywords  keywords are indexed text: BM25 sees the very strings that define the labels, the full
                   model's passage (title + body) does not; the pseudo-queries then run on an index of
                   the documents without keywords (same encoders, configuration and term weighting)

For each pseudo-query and each dev need: the product's fast ranking (rrf-fast, term-weighted) top
max(depths) with the fused score, each signal's raw score (word / bigram BM25, static cosine) and RRF
contribution, the full model's cosine (passages of passage_chars, query embedded as a passage, as
Engine.search) and the structured-feature bonus.  Then, fitted on pseudo-queries only:

  zblend    the product's family, (1 - a) z(fused) + a z(cosine) over the top d: a in 0..1 step 0.05,
            d in --depths, chosen by mean pseudo-query nDCG@10 (per rendering, both, and per fixed depth;
            the choice's stability over 200 bootstrap resamples of the pseudo-queries)
  ltr-2     linear ranker on [z(fused), z(cosine)] (a learnt alpha under a ranking loss)
  ltr-5     linear ranker on [z(fused), z(cosine), z(word), z(bigram), z(static)]
  ltr-9     ltr-5 + the signals' RRF contributions 1 / (k + 1 + rank), standardised

Ranker: LambdaRank-weighted pairwise logistic loss (|delta nDCG@10| of swapping the pair) with L2, full-batch
gradient descent in numpy (no new dependency), over the top d of each pseudo-query (both renderings).
Scores are applied as Engine._blend would: in RRF units, sd(fused) * score / w(z fused) + bonus, ties
and owner diversity as the product (bench.rerank_cv.replay for zblend).

Dev (40 needs, never used for any choice): nDCG@10 of every variant, its spread over the 5 folds
(bench.cv.fold_spread) and a need-by-need comparison with the product (bench.cv.paired); the dev alpha
curve is listed for reference only.  The replay of the product must equal Engine.search need by need
(``replay_equals_search``).  Results: bench/results/weak_rerank[-hidekw][-condensed].json (dev only).
Pseudo-query passages are embedded into <bench cache>/e5-passages-weak (~10 passages/s the first time,
~6,100 passages, ~11 min on the shared 2 cores), the candidates kept in <bench cache>/weak-rerank-*.json.

Findings (2026-12-01): with round two's labels as they are, the pseudo-queries rank rrf-fast above the
full model (0.248 vs 0.216), the reverse of dev, and choose alpha 0-0.05 (dev 0.594): the labels favour
lexical signals.  With both biases removed (--hide-keywords --condensed) the components order as on dev
(hybrid 0.298 >= full model 0.298 > rrf-fast 0.289) and the pseudo-queries choose alpha 0.65 (ltr-2:
0.60-0.66), independently of dev; the product's 0.6 stays best on dev, no learnt variant beats it, and
the richer rankers (ltr-5, ltr-9) lose on dev in every setting.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from bench.common import CACHE, RESULTS, load_corpus, load_judged, log, shared_data
from bench.cv import fold_spread, ndcg_per_query, paired
from bench.rerank_cv import _diversify, fast_top, replay
from bench.systems import e5, need_document, product_config, product_engine, rerank_cache
from techmatch import features as feat
from techmatch.dense import EmbeddingCache
from techmatch.documents import Document
from techmatch.index import RRF_UNIT, Engine

F64 = npt.NDArray[np.float64]
SIGNALS = ("word", "bigram", "dense")
_SENTENCE = re.compile(r".{6,160}?[。；;！？!?.]")
BOOTSTRAP = 200
ALPHAS = [round(0.05 * i, 2) for i in range(21)]
FEATURE_SETS = {
    "ltr-2": ["z_fused", "z_cos"],
    "ltr-5": ["z_fused", "z_cos", "z_word", "z_bigram", "z_dense"],
    "ltr-9": [
        "z_fused",
        "z_cos",
        "z_word",
        "z_bigram",
        "z_dense",
        "z_rrf_word",
        "z_rrf_bigram",
        "z_rrf_dense",
    ],
}


# --- pseudo-queries ---------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [m.group(0) for m in _SENTENCE.finditer(text)]


def pseudo_queries(
    corpus: list[dict[str, Any]], n: int, variant: str
) -> tuple[dict[str, Document], dict[str, dict[str, int]]]:
    """``n`` pseudo-needs (deterministic: every k-th eligible document) and their graded positives."""
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
        for k in set(kws):
            for o in by_kw.get(k, ()):
                if o != d["id"]:
                    counts[o] = counts.get(o, 0) + 1
        pos = {o: (2 if c >= 3 else 1) for o, c in counts.items() if c >= 2}
        if pos:
            eligible.append((d, pos))
    step = max(1, len(eligible) // n)
    queries: dict[str, Document] = {}
    qrels: dict[str, dict[str, int]] = {}
    for d, pos in eligible[::step][:n]:
        sents = sentences(d["abstract"]) or [d["abstract"][:80]]
        if variant == "title":
            body = sents[0]
        elif variant == "need":
            second = sents[1] if len(sents) > 1 else d["abstract"][len(sents[0]) : len(sents[0]) + 80]
            body = f"需求内容：\n本企业希望寻求以下技术的合作开发与应用：{sents[0]}\n预期目标：\n{second}"
        else:
            raise ValueError(variant)
        queries[d["id"]] = Document(id=d["id"], kind="need", title=d["title"], body=body)
        qrels[d["id"]] = pos
    return queries, qrels


# --- candidates -------------------------------------------------------------------------------------------


def candidates(eng: Engine, q: Document, depth: int) -> dict[str, Any]:
    """As Engine.search (the query's own document excluded when indexed): the fast top ``depth`` with
    every signal's raw score and RRF contribution, the full model's cosine and the feature bonus."""
    cfg = eng.config
    text = eng.query_text(q)
    sig, fused, parts, qvec, top = fast_top(eng, q, depth)
    ids = eng.backend.ids
    docs = [eng.docs[ids[s]] for s in top]
    assert eng.reranker is not None and qvec is not None
    cos = eng.reranker.scores(text, docs, True, cfg.passage_chars)
    assert cos is not None
    out: dict[str, Any] = {
        "ids": [ids[s] for s in top],
        "fused": [float(fused[s]) for s in top],
        "cos": {cfg.passage_chars: [float(x) for x in cos]},
        "bonus": [feat.compute(q, d, cfg.features).total(cfg.features) * RRF_UNIT for d in docs],
        "owners": [d.owner for d in docs],
    }
    for name in SIGNALS:
        if name == "dense":  # exact static cosine (the signal itself is HNSW-approximate)
            vecs = [eng.backend.vector(ids[s]) for s in top]
            out["dense"] = [float(v @ qvec) if v is not None else 0.0 for v in vecs]
        else:
            out[name] = [float(sig[name][s]) for s in top]
        out[f"rrf_{name}"] = [float(parts[name][s]) for s in top] if name in parts else [0.0] * len(top)
    return out


def _z(x: F64) -> F64:
    sd = float(x.std())
    return (x - x.mean()) / sd if sd > 1e-12 else np.zeros_like(x)


def features(c: dict[str, Any], depth: int, chars: int) -> tuple[dict[str, F64], float]:
    """Per-candidate features of the top ``depth`` (standardised within the query) and sd(fused)."""
    n = min(depth, len(c["ids"]))
    f = np.asarray(c["fused"][:n])
    cols = {"z_fused": _z(f), "z_cos": _z(np.asarray(c["cos"][chars][:n]))}
    for name in SIGNALS:
        cols[f"z_{name}"] = _z(np.asarray(c[name][:n]))
        cols[f"z_rrf_{name}"] = _z(np.asarray(c[f"rrf_{name}"][:n]))
    sd_f = float(f.std())
    return cols, sd_f if sd_f > 1e-12 else RRF_UNIT


def zorder(c: dict[str, Any], depth: int, a: float, chars: int) -> list[str]:
    """The whole top ``depth`` in the zscore blend's order (as replay, without the cut at 10)."""
    n = min(depth, len(c["ids"]))
    f, s = np.asarray(c["fused"][:n]), np.asarray(c["cos"][chars][:n])
    z = (1.0 - a) * _z(f) + a * _z(s)
    unit = (1.0 - a if a < 1.0 else 1.0) / max(float(f.std()), 1e-12)  # the bonus in the blend's units
    total = [float(z[i]) + c["bonus"][i] * unit for i in range(n)]
    return [c["ids"][i] for i in sorted(range(n), key=lambda i: (-round(total[i], 12), c["ids"][i]))]


def linear_run(
    c: dict[str, Any], depth: int, names: list[str], w: F64, chars: int, mpo: int, k: int = 10
) -> list[str]:
    """Top 10 under a linear model, applied as Engine._blend would (RRF units + the feature bonus)."""
    cols, sd_f = features(c, depth, chars)
    n = len(cols["z_fused"])
    x = np.stack([cols[k] for k in names], 1)
    scale = sd_f / w[0] if w[0] > 1e-9 else 1.0
    total = [float(scale * (x[i] @ w)) + c["bonus"][i] for i in range(n)]
    ids = c["ids"][:n]
    order = sorted(range(n), key=lambda i: (-round(total[i], 12), ids[i]))
    order = _diversify(order, c["owners"], mpo)
    return [ids[i] for i in order[:k]]


# --- learning to rank -------------------------------------------------------------------------------------


def _dcg_gain(g: F64) -> F64:
    return g.astype(np.float64)


def fit_lambdarank(groups: list[tuple[F64, F64]], l2: float = 1e-3, steps: int = 300, lr: float = 0.5) -> F64:
    """Linear scorer w (x @ w) minimising the LambdaRank-weighted pairwise logistic loss over ``groups``
    [(features n x f, grades n)], full-batch gradient descent; w normalised to sum |w| = 1 at the end."""
    dim = groups[0][0].shape[1]
    w = np.zeros(dim)
    w[0] = 1.0  # start from the fast ranking
    prepared = []
    for x, g in groups:
        if g.max() <= 0 or g.min() == g.max():
            continue
        ideal = np.sort(g)[::-1][:10]
        idcg = float((_dcg_gain(ideal) / np.log2(np.arange(len(ideal)) + 2)).sum())
        i, j = np.nonzero(g[:, None] > g[None, :])
        prepared.append((x, g, i, j, idcg))
    for _ in range(steps):
        grad = l2 * w
        loss = 0.0
        for x, g, i, j, idcg in prepared:
            s = x @ w
            rank = np.empty(len(s), int)
            rank[np.argsort(-s, kind="stable")] = np.arange(len(s))
            disc = np.where(rank < 10, 1.0 / np.log2(rank + 2.0), 0.0)
            delta = np.abs((g[i] - g[j]) * (disc[i] - disc[j])) / idcg
            diff = s[i] - s[j]
            sig = 1.0 / (1.0 + np.exp(np.clip(diff, -30, 30)))
            loss += float((delta * np.log1p(np.exp(-np.clip(diff, -30, 30)))).sum())
            grad -= ((delta * sig)[:, None] * (x[i] - x[j])).sum(0) / len(prepared)
        w -= lr * grad
    return w / max(float(np.abs(w).sum()), 1e-12)


def ndcg10(run: list[str], q: dict[str, int]) -> float:
    grades = sorted(q.values(), reverse=True)
    if not grades or grades[0] < 1:
        return 0.0
    dcg = sum(q.get(d, 0) / math.log2(i + 2) for i, d in enumerate(run[:10]))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(grades[:10]))
    return dcg / idcg


def mean_ndcg(runs: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> float:
    return round(statistics.fmean(ndcg_per_query(runs, qrels).values()), 4)


def best_of(grid: dict[str, dict[str, float]], column: str) -> str:
    """The grid row best in ``column`` (ties: the first listed)."""
    keys = list(grid)
    return max(keys, key=lambda k: (grid[k][column], -keys.index(k)))


# --- main -------------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=300, help="pseudo-queries per rendering")
    ap.add_argument("--depths", type=int, nargs="*", default=[20, 30])
    ap.add_argument("--variants", nargs="*", default=["title", "need"])
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument(
        "--hide-keywords",
        action="store_true",
        help="pseudo-queries run on an index of the documents without their keywords (the labels)",
    )
    ap.add_argument(
        "--condensed",
        action="store_true",
        help="pseudo-query lists drop documents without keywords (never positives) before scoring/training",
    )
    args = ap.parse_args()
    suffix = ("-hidekw" if args.hide_keywords else "") + ("-condensed" if args.condensed else "")
    t_start = time.time()
    corpus = load_corpus()
    cfg = product_config()
    dev_cache = rerank_cache()
    weak_cache = EmbeddingCache(CACHE / "e5-passages-weak", e5())
    eng = product_engine(corpus, weak_cache)
    peng = eng
    if args.hide_keywords:  # same encoders and configuration; the keywords are not indexed
        peng = product_engine([{**d, "keywords": []} for d in corpus], weak_cache, static=eng.encoder)
    with_kw = {d["id"] for d in corpus if d.get("keywords")}
    dmax = max(args.depths)
    chars = cfg.passage_chars
    mpo = cfg.max_per_owner
    timings: dict[str, float] = {}

    # pseudo-queries: candidates (cached on disk: the embedding is the slow part)
    pseudo: dict[str, dict[str, Any]] = {}
    pqrels: dict[str, dict[str, int]] = {}
    for variant in args.variants:
        t0 = time.time()
        queries, qrels = pseudo_queries(corpus, args.n, variant)
        store = CACHE / f"weak-rerank-{variant}-{args.n}-{dmax}{'-hidekw' if args.hide_keywords else ''}.json"
        if store.exists():
            got = json.loads(store.read_text(encoding="utf-8"))
            for c in got.values():
                c["cos"] = {int(k): v for k, v in c["cos"].items()}
        else:
            got = {}
            for i, (qid, q) in enumerate(queries.items()):
                got[qid] = candidates(peng, q, dmax)
                if i % 20 == 19:
                    weak_cache.flush()
                    log(f"{variant}: {i + 1}/{len(queries)} pseudo-queries, {len(weak_cache.keys)} passages")
            weak_cache.flush()
            store.write_text(json.dumps(got), encoding="utf-8")
        for qid, c in got.items():
            pseudo[f"{variant}:{qid}"] = c
            pqrels[f"{variant}:{qid}"] = qrels[qid]
        timings[f"pseudo_{variant}_s"] = round(time.time() - t0, 1)
        log(f"{variant}: {len(got)} pseudo-queries, {sum(len(v) for v in qrels.values())} positives")

    # dev needs: candidates with the product's passage store
    t0 = time.time()
    assert eng.reranker is not None
    eng.reranker.cache = dev_cache
    needs, qrels = load_judged(shared_data() / "needs-bench")
    dev = {str(n["id"]): candidates(eng, need_document(n), dmax) for n in needs}
    dev_cache.flush()
    product_run = {str(n["id"]): [r.id for r in eng.search(need_document(n), k=10)] for n in needs}
    replayed = {
        q: replay(c, cfg.rerank_depth, "zblend", cfg.rerank_alpha, cfg.rrf_k, mpo, chars)
        for q, c in dev.items()
    }
    check = product_run == replayed
    log(f"replay of the product equals Engine.search: {check}")
    timings["dev_candidates_s"] = round(time.time() - t0, 1)
    product = ndcg_per_query(product_run, qrels)

    def zrun(cands: dict[str, dict[str, Any]], depth: int, a: float) -> dict[str, list[str]]:
        return {q: replay(c, depth, "zblend", a, cfg.rrf_k, mpo, chars) for q, c in cands.items()}

    def fast_run(cands: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
        return {q: c["ids"][:10] for q, c in cands.items()}

    def pz(d: int, a: float) -> dict[str, list[str]]:
        """Pseudo-query runs of the zscore blend (condensed when asked)."""
        return {
            q: [i for i in zorder(c, d, a, chars) if not args.condensed or i in with_kw]
            for q, c in pseudo.items()
        }

    # (a) the product's family fitted on pseudo-queries
    t0 = time.time()
    grid: dict[str, dict[str, float]] = {}
    per_query: dict[str, dict[str, float]] = {}
    dev_curve: dict[str, float] = {}
    for d in args.depths:
        for a in ALPHAS:
            key = f"depth={d},alpha={a:g}"
            per_query[key] = ndcg_per_query(pz(d, a), pqrels)
            grid[key] = {
                v: round(statistics.fmean(x for q, x in per_query[key].items() if q.startswith(v + ":")), 4)
                for v in args.variants
            }
            grid[key]["all"] = round(statistics.fmean(per_query[key].values()), 4)
            dev_curve[key] = mean_ndcg(zrun(dev, d, a), qrels)  # reported only, never used to choose
    choice = {key: best_of(grid, key) for key in [*args.variants, "all"]}
    for d in args.depths:  # the alpha chosen at each fixed depth (the depth itself: see the docstring)
        at_d = {k: v for k, v in grid.items() if k.startswith(f"depth={d},")}
        choice[f"all@depth={d}"] = best_of(at_d, "all")
    log(f"pseudo-query choice of (depth, alpha): {choice}")
    # how stable the choice is: the pseudo-queries resampled with replacement (fixed seed)
    rng = np.random.default_rng(19)
    pq_ids = sorted(pqrels)
    mat = np.asarray([[per_query[k][q] for q in pq_ids] for k in grid])
    boot: dict[str, int] = {}
    for _ in range(BOOTSTRAP):
        m = mat[:, rng.integers(0, len(pq_ids), len(pq_ids))].mean(1)
        k = list(grid)[int(np.argmax(m))]
        boot[k] = boot.get(k, 0) + 1
    boot = dict(sorted(boot.items(), key=lambda kv: -kv[1]))
    # label-bias check: documents without keywords can never be positives (and keywords are indexed text,
    # seen by BM25 but not by the full model's passage); condensed lists drop them before the top 10
    condensed: dict[str, float] = {}
    for d in args.depths:
        for a in ALPHAS:
            run = {q: [i for i in zorder(c, d, a, chars) if i in with_kw] for q, c in pseudo.items()}
            condensed[f"depth={d},alpha={a:g}"] = mean_ndcg(run, pqrels)
    condensed_choice = max(condensed, key=lambda k: (condensed[k], -list(condensed).index(k)))
    log(f"condensed (keyworded documents only) choice: {condensed_choice}")

    def parse(key: str) -> tuple[int, float]:
        d, a = key.split(",")
        return int(d.split("=")[1]), float(a.split("=")[1])

    dev_systems: dict[str, dict[str, float]] = {
        "rrf-fast": ndcg_per_query(fast_run(dev), qrels),
        "dense-e5-rescore": ndcg_per_query(zrun(dev, cfg.rerank_depth, 1.0), qrels),
        "product (zblend depth=20, alpha=0.6)": product,
    }
    pseudo_systems = {
        "rrf-fast": grid["depth=20,alpha=0"]["all"] if 20 in args.depths else None,
        "dense-e5-rescore (depth 20)": grid["depth=20,alpha=1"]["all"] if 20 in args.depths else None,
        "product (zblend depth=20, alpha=0.6)": grid["depth=20,alpha=0.6"]["all"]
        if 20 in args.depths
        else None,
    }
    for key, chosen in choice.items():
        d, a = parse(chosen)
        dev_systems[f"zblend fitted on pseudo[{key.split('@')[0]}]: {chosen}"] = ndcg_per_query(
            zrun(dev, d, a), qrels
        )
    timings["zblend_grid_s"] = round(time.time() - t0, 1)

    # (b) linear learning-to-rank, trained on pseudo-queries only
    t0 = time.time()
    models: dict[str, Any] = {}
    for name, cols in FEATURE_SETS.items():
        for d in args.depths:
            groups = []
            for pq, c in pseudo.items():
                fx, _ = features(c, d, chars)
                n = len(fx["z_fused"])
                g = np.asarray([pqrels[pq].get(i, 0) for i in c["ids"][:n]], np.float64)
                x = np.stack([fx[k] for k in cols], 1)
                if args.condensed:  # rows that can never be positive are unjudged, not negatives
                    keep = np.asarray([i in with_kw for i in c["ids"][:n]])
                    x, g = x[keep], g[keep]
                groups.append((x, g))
            w = fit_lambdarank(groups, args.l2)
            key = f"{name},depth={d}"
            prun = {
                q: [
                    i for i in linear_run(c, d, cols, w, chars, mpo, 30) if not args.condensed or i in with_kw
                ]
                for q, c in pseudo.items()
            }
            drun = {q: linear_run(c, d, cols, w, chars, mpo) for q, c in dev.items()}
            models[key] = {
                "features": cols,
                "weights": [round(float(x), 4) for x in w],
                # the zscore blend's alpha that the two blend features' weights amount to (both >= 0)
                "implied_alpha": round(float(w[1] / (w[0] + w[1])), 3) if min(w[0], w[1]) >= 0 else None,
                "pseudo_ndcg": mean_ndcg(prun, pqrels),
            }
            dev_systems[f"{key}"] = ndcg_per_query(drun, qrels)
            log(f"{key}: w={models[key]['weights']} pseudo {models[key]['pseudo_ndcg']}")
    # the learnt model chosen on pseudo-queries (not on dev)
    best_ltr = max(models, key=lambda k: (models[k]["pseudo_ndcg"], -list(models).index(k)))
    timings["ltr_s"] = round(time.time() - t0, 1)

    rows = []
    for name, per in dev_systems.items():
        row: dict[str, Any] = {
            "system": name,
            "dev_ndcg@10": round(statistics.fmean(per.values()), 4),
            **fold_spread(per),
            "vs_product": paired(per, product),
        }
        rows.append(row)
        print(json.dumps(row, ensure_ascii=False), flush=True)
    timings["total_s"] = round(time.time() - t_start, 1)
    result = {
        "setting": {"hide_keywords": args.hide_keywords, "condensed": args.condensed},
        "pseudo_queries": {v: args.n for v in args.variants},
        "pseudo_positives_per_query": round(statistics.fmean(len(v) for v in pqrels.values()), 1),
        "replay_equals_search": check,
        "pseudo_ndcg": {
            **pseudo_systems,
            "zblend_grid": grid,
            "zblend_choice": choice,
            "zblend_choice_bootstrap": boot,
            "zblend_grid_condensed": condensed,
            "zblend_choice_condensed": condensed_choice,
            "ltr": models,
            "ltr_choice": best_ltr,
        },
        "dev": rows,
        "dev_zblend_curve (reported, not used)": dev_curve,
        "timings": timings,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"weak_rerank{suffix}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
