"""Rank fusion: reciprocal-rank fusion (default) and weighted normalised-score fusion."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]


def top_order(scores: F64, depth: int, valid: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.int64]:
    """Indices of the ``depth`` best positive scores, best first; ties by index (deterministic)."""
    cand = np.flatnonzero(scores > 0)
    if valid is not None:
        cand = cand[valid[cand]]
    s = np.round(scores[cand], 9)  # absorbs float noise between incremental and rebuilt indexes
    if len(cand) > depth:
        kth = np.partition(s, len(cand) - depth)[len(cand) - depth]
        keep = s >= kth
        cand, s = cand[keep], s[keep]
    order = np.lexsort((cand, -s))
    return cand[order][:depth]  # type: ignore[no-any-return,unused-ignore]


def rrf(
    signals: Mapping[str, F64],
    k: float = 60.0,
    depth: int = 200,
    weights: Mapping[str, float] | None = None,
    valid: npt.NDArray[np.bool_] | None = None,
) -> tuple[F64, dict[str, F64]]:
    """Reciprocal-rank fusion of full score arrays (same slot space).

    Returns the fused score per slot and each signal's contribution per slot.
    Only the top ``depth`` of each signal contribute.
    """
    n = len(next(iter(signals.values()))) if signals else 0
    fused = np.zeros(n, np.float64)
    parts: dict[str, F64] = {}
    for name in sorted(signals):
        w = 1.0 if weights is None else weights.get(name, 1.0)
        order = top_order(signals[name], depth, valid)
        part = np.zeros(n, np.float64)
        part[order] = w / (k + 1.0 + np.arange(len(order)))
        parts[name] = part
        fused += part
    return fused, parts


def weighted(
    signals: Mapping[str, F64],
    weights: Mapping[str, float],
    depth: int = 200,
    valid: npt.NDArray[np.bool_] | None = None,
) -> tuple[F64, dict[str, F64]]:
    """Weighted sum of max-normalised scores over the union of each signal's top ``depth``."""
    n = len(next(iter(signals.values()))) if signals else 0
    fused = np.zeros(n, np.float64)
    parts: dict[str, F64] = {}
    for name in sorted(signals):
        s = signals[name]
        order = top_order(s, depth, valid)
        part = np.zeros(n, np.float64)
        if len(order):
            top = s[order[0]]
            part[order] = weights.get(name, 1.0) * s[order] / (top if top > 0 else 1.0)
        parts[name] = part
        fused += part
    return fused, parts
