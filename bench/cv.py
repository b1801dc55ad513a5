"""Cross-validation on the judged dev set for every constant chosen by looking at it.

The dev set has 40 needs; a constant picked because it scored best on them is optimistic on those same
needs.  ``cross_validate`` reports what picking would give on needs it did not see: for each of 5
folds, the value best on the other 4 folds is scored on the held-out fold.  ``fold_spread`` gives the
spread of any system's nDCG@10 over the same folds.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import Any

FOLDS = 5


def folds(ids: Sequence[str], k: int = FOLDS) -> list[list[str]]:
    """Deterministic folds: sorted ids dealt round-robin."""
    s = sorted(ids)
    return [s[i::k] for i in range(k)]


def cross_validate(per_value: dict[Any, dict[str, float]], k: int = FOLDS) -> dict[str, Any]:
    """``per_value``: candidate value -> per-query nDCG@10.  For each fold choose the value with the best
    mean on the other folds (ties: the first value listed), score it on the fold."""
    values = list(per_value)
    qids = sorted(next(iter(per_value.values())))
    rows = []
    held: list[float] = []
    held_out: dict[str, float] = {}
    for i, test in enumerate(folds(qids, k)):
        train = [q for q in qids if q not in set(test)]
        best = max(values, key=lambda v: (statistics.fmean(per_value[v][q] for q in train), -values.index(v)))
        scores = [per_value[best][q] for q in test]
        held.extend(scores)
        held_out.update(zip(test, scores, strict=True))
        rows.append(
            {
                "fold": i,
                "chosen": best,
                "train_ndcg": round(statistics.fmean(per_value[best][q] for q in train), 4),
                "test_ndcg": round(statistics.fmean(scores), 4),
                "queries": len(test),
            }
        )
    tests = [r["test_ndcg"] for r in rows]
    return {
        "folds": rows,
        "cv_ndcg": round(statistics.fmean(held), 4),
        "fold_mean": round(statistics.fmean(tests), 4),
        "fold_std": round(statistics.pstdev(tests), 4),
        "fold_min": min(tests),
        "fold_max": max(tests),
        "all_dev": {str(v): round(statistics.fmean(per_value[v].values()), 4) for v in values},
        "held_out": {q: round(v, 4) for q, v in sorted(held_out.items())},
    }


def paired(a: dict[str, float], b: dict[str, float]) -> dict[str, float]:
    """Need-by-need comparison of two per-query nDCG maps (a - b): mean difference, its standard error,
    and how many needs a wins / loses / ties."""
    qs = sorted(set(a) & set(b))
    diff = [a[q] - b[q] for q in qs]
    se = statistics.stdev(diff) / math.sqrt(len(diff)) if len(diff) > 1 else 0.0
    return {
        "mean_diff": round(statistics.fmean(diff), 4),
        "se": round(se, 4),
        "wins": sum(d > 1e-9 for d in diff),
        "losses": sum(d < -1e-9 for d in diff),
        "ties": sum(abs(d) <= 1e-9 for d in diff),
    }


def ndcg_per_query(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    out = {}
    for nid, ranked in run.items():
        q = qrels.get(nid, {})
        grades = sorted(q.values(), reverse=True)
        if not grades or grades[0] < 1:
            continue
        dcg = sum(q.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
        idcg = sum(g / math.log2(i + 2) for i, g in enumerate(grades[:10]))
        out[nid] = dcg / idcg
    return out


def fold_spread(per_query: dict[str, float], k: int = FOLDS) -> dict[str, float]:
    """nDCG@10 of one system on each fold: mean, population std, min, max over the folds."""
    vals = [statistics.fmean(per_query[q] for q in f if q in per_query) for f in folds(sorted(per_query), k)]
    return {
        "fold_mean": round(statistics.fmean(vals), 4),
        "fold_std": round(statistics.pstdev(vals), 4),
        "fold_min": round(min(vals), 4),
        "fold_max": round(max(vals), 4),
    }
