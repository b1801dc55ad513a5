"""Shared helpers for the benchmarks: data location, loading, IR metrics."""

from __future__ import annotations

import json
import math
import os
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
CACHE = Path(os.environ.get("TECHMATCH_BENCH_CACHE", REPO / "bench" / "cache"))
RESULTS = REPO / "bench" / "results"


def shared_data() -> Path:
    """Shared data folder: $TECHMARKET_SHARED_DATA, or shared/data next to the repository or next to the
    folder holding it (a git worktree in <root>/wt/<name> finds <root>/shared/data)."""
    if os.environ.get("TECHMARKET_SHARED_DATA"):
        return Path(os.environ["TECHMARKET_SHARED_DATA"])
    candidates = [REPO.parent / "shared" / "data", REPO.parent.parent / "shared" / "data"]
    return next((c for c in candidates if c.is_dir()), candidates[0])


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def load_corpus() -> list[dict[str, Any]]:
    return list(read_jsonl(shared_data() / "corpus" / "achievements.jsonl"))


def load_judged(folder: Path) -> tuple[list[dict[str, Any]], dict[str, dict[str, int]]]:
    needs = list(read_jsonl(folder / "needs.jsonl"))
    qrels: dict[str, dict[str, int]] = {}
    for r in read_jsonl(folder / "qrels.jsonl"):
        qrels.setdefault(r["need_id"], {})[r["doc_id"]] = int(r["grade"])
    return needs, qrels


def session_priority() -> int | None:
    """Under ``nice -n -10`` give this process's session (autogroup) the same nice, as bench.load does: with
    sched_autogroup a process's nice only ranks it within its own session, not against other sessions' work.
    Run the benchmark in a session of its own (``setsid``) so that only it is affected."""
    path = "/proc/self/autogroup"
    try:
        if os.nice(0) < 0:
            with open(path, "w") as fh:
                fh.write(str(os.nice(0)))
        with open(path) as fh:
            return int(fh.read().split("nice")[-1])
    except (OSError, ValueError):
        return None


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def evaluate(runs: dict[str, Sequence[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Metrics as defined in the shared data README.

    nDCG@10: gain = grade, log2 discount, over needs with a grade >= 1 (ideal from all judged grades).
    Recall@20 and MRR: grade >= 2 is relevant, over needs with a grade >= 2.
    judged@10: share of the top 10 that has a grade, over all needs.
    """
    ndcg: list[float] = []
    rec: list[float] = []
    mrr: list[float] = []
    judged: list[float] = []
    for nid, ranked in runs.items():
        q = qrels.get(nid, {})
        top = list(ranked[:10])
        judged.append(sum(1 for d in top if d in q) / 10.0)
        grades = sorted(q.values(), reverse=True)
        if grades and grades[0] >= 1:
            dcg = sum(q.get(d, 0) / math.log2(i + 2) for i, d in enumerate(top))
            idcg = sum(g / math.log2(i + 2) for i, g in enumerate(grades[:10]))
            ndcg.append(dcg / idcg)
        rel = {d for d, g in q.items() if g >= 2}
        if rel:
            rec.append(len(rel & set(ranked[:20])) / len(rel))
            rr = 0.0
            for i, d in enumerate(ranked):
                if d in rel:
                    rr = 1.0 / (i + 1)
                    break
            mrr.append(rr)

    def avg(x: list[float]) -> float:
        return round(sum(x) / len(x), 4) if x else 0.0

    return {
        "ndcg@10": avg(ndcg),
        "recall@20": avg(rec),
        "mrr": avg(mrr),
        "judged@10": avg(judged),
        "queries": len(runs),
    }
