"""Auxiliary tasks from the shared data README (labels come with the corpus).

Deterministic samples (every k-th eligible item) keep the run short; the fast
signals only (BM25 bigram, and RRF of words + bigrams + static dense) are compared,
since full-model re-scoring per query is too slow for thousands of queries.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from bench.common import log
from bench.systems import doc_text
from techmatch.fusion import rrf, top_order
from techmatch.index import Engine

SAMPLE = 600


def _every(items: list[dict[str, Any]], n: int) -> list[dict[str, Any]]:
    step = max(1, len(items) // n)
    return items[::step][:n]


def _rankers(eng: Engine) -> dict[str, Callable[[str, str, int], list[str]]]:
    ids = eng.backend.ids

    def bigram(text: str, self_id: str, depth: int) -> list[str]:
        s = eng.backend.bigram_scores(eng.analyzer.bigrams(text))
        return [ids[i] for i in top_order(s, depth + 1) if ids[i] != self_id][:depth]

    def fast(text: str, self_id: str, depth: int) -> list[str]:
        sig = eng.signals(text)[0]
        fused, _ = rrf(sig, 60.0, max(200, depth))
        return [ids[i] for i in top_order(fused, depth + 1) if ids[i] != self_id][:depth]

    return {"bm25-bigram": bigram, "hybrid-no-model": fast}


def run_aux(eng: Engine, corpus: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    rankers = _rankers(eng)
    # keyword-group retrieval
    kw = [d for d in corpus if len(d.get("keywords") or []) >= 3]
    by_kw: dict[str, set[str]] = {}
    for d in corpus:
        for k in d.get("keywords") or []:
            by_kw.setdefault(k, set()).add(d["id"])
    sample = _every(kw, SAMPLE)
    for name, rank in rankers.items():
        rec, mrr = [], []
        for d in sample:
            cnt: dict[str, int] = {}
            for k in d["keywords"]:
                for o in by_kw[k]:
                    cnt[o] = cnt.get(o, 0) + 1
            rel = {o for o, c in cnt.items() if c >= 2} | {d["id"]}
            ranked = rank(" ".join(d["keywords"]), "", 20)
            rec.append(len(rel & set(ranked[:20])) / len(rel))
            mrr.append(next((1.0 / (i + 1) for i, x in enumerate(ranked) if x in rel), 0.0))
        out[f"keyword-group/{name}"] = {
            "recall@20": round(float(np.mean(rec)), 4),
            "mrr": round(float(np.mean(mrr)), 4),
            "queries": len(sample),
        }
        log(f"aux keyword-group {name} done")
    # same-discipline and same-patent-class precision
    for task, key, pool in (
        ("same-discipline", "discipline", [d for d in corpus if d.get("discipline")]),
        ("patent-class", "category", [d for d in corpus if d["kind"] == "patent" and d.get("category")]),
    ):
        label = {d["id"]: d[key] for d in pool}
        sample = _every(pool, SAMPLE)
        for name, rank in rankers.items():
            p10 = []
            for d in sample:
                # neighbours among the labelled items (patents for the class task)
                top = [x for x in rank(doc_text(d), d["id"], 200) if x in label][:10]
                p10.append(sum(1 for x in top if label[x] == d[key]) / 10.0)
            out[f"{task}/{name}"] = {"p@10": round(float(np.mean(p10)), 4), "queries": len(sample)}
            log(f"aux {task} {name} done")
    return out
