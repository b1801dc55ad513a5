"""The index published through the database vs on a shared file system (issue 19, several web nodes).

    python -m bench.index_store [--docs 813 100000] [--changes 100] [--database-url URL]

For each size: builds a lexical engine over synthetic achievements (bench/synth.py, the speed benchmark's
corpus) with 384-dimensional vectors per document (the static encoder's width, so a segment has its real
size; the vectors are seeded random numbers, as only their bytes matter here), then for each store:

- publish: ``replace()`` under the writers' lock - files: Engine.save + rename; database: Engine.save
  into the writer's cache + upload in chunks, all in one transaction;
- cold load: a node with an empty cache opens a replica - files: memory-map the base; database: download
  the segment into its own cache, check it, memory-map it;
- re-index one changed document (lock, catch up, analyse, append one log line / row, publish HEAD),
  p50/p95 over ``--changes`` changes, and another node catching up one change.

Database: ``--database-url`` (PostgreSQL, the production store) and a scratch SQLite file (the embedded
default's database). Only the four index tables are created (and dropped afterwards) in that database.
Writes bench/results/index_store.json (one entry per database).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from bench.common import RESULTS, load_corpus, log
from bench.speed import pct
from bench.synth import synthetic_achievements

DIM = 384


class SeededVectors:
    """Encoder stand-in: a unit vector per text from a seeded generator (storage size, not quality)."""

    dim = DIM

    def _rows(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        out = np.empty((len(texts), DIM), np.float32)
        for i, t in enumerate(texts):
            rng = np.random.default_rng(zlib.crc32(t.encode("utf-8")))
            v = rng.standard_normal(DIM).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out

    def encode_queries(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        return self._rows(texts)

    def encode_passages(self, texts: Sequence[str]) -> np.ndarray:  # type: ignore[type-arg]
        return self._rows(texts)


def _django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()


def _tables(create: bool) -> None:
    from django.db import connection

    from techmarket.matching.models import IndexHead, IndexLogEntry, IndexSegment, IndexSegmentChunk

    models = (IndexHead, IndexSegment, IndexSegmentChunk, IndexLogEntry)
    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for m in models if create else reversed(models):
            if create and m._meta.db_table not in existing:
                editor.create_model(m)
            elif not create and m._meta.db_table in existing:
                editor.delete_model(m)


def _measure(kind: str, engine: Any, docs: list[Any], changes: int, work: Path) -> dict[str, Any]:
    from techmatch import IndexStore, open_replica, writing
    from techmatch.documents import Document

    if kind == "files":
        root = work / "shared"

        def node(_name: str) -> Any:
            return IndexStore(root)

        def seg_bytes(base: int) -> int:
            return sum(p.stat().st_size for p in IndexStore(root).base_dir(base).rglob("*") if p.is_file())
    else:
        from techmarket.matching.models import IndexSegment
        from techmarket.matching.publication import DatabaseStore

        def node(name: str) -> Any:
            return DatabaseStore(work / name, grace_seconds=0)

        def seg_bytes(base: int) -> int:
            return int(IndexSegment.objects.get(number=base).size)

    writer_store = node("writer")
    tags = {d.id: "v1" for d in docs}
    t = time.perf_counter()
    with writer_store.lock():
        head = writer_store.replace(engine, tags)
    publish_s = time.perf_counter() - t
    t = time.perf_counter()
    cold = open_replica(node("cold"), encoder=engine.encoder)
    cold_s = time.perf_counter() - t
    assert len(cold.engine) == len(docs)
    t = time.perf_counter()
    warm = open_replica(node("cold"), encoder=engine.encoder)  # same node, segment already in its cache
    warm_s = time.perf_counter() - t
    writer = open_replica(writer_store, encoder=engine.encoder)
    reader = warm
    rng = np.random.default_rng(7)
    ids = sorted(writer.engine.docs)
    write_s, write_cpu, refresh_s = [], [], []
    for i in rng.choice(len(ids), changes, replace=False):
        d = writer.engine.docs[ids[int(i)]]
        changed = Document.from_json({**d.to_json(), "body": d.body + "新增：该技术已完成中试验证。"})
        t, c = time.perf_counter(), time.process_time()
        with writing(writer) as w:
            w.add(changed, tag="v2")
        write_s.append(time.perf_counter() - t)
        write_cpu.append(time.process_time() - c)
        t = time.perf_counter()
        reader.refresh()
        refresh_s.append(time.perf_counter() - t)
    assert reader.head == writer.head and len(reader.engine) == len(docs)
    return {
        "segment_mb": round(seg_bytes(head.base) / 1e6, 1),
        "publish_segment_s": round(publish_s, 2),
        "cold_node_load_s": round(cold_s, 2),
        "node_load_cached_segment_s": round(warm_s, 2),
        "reindex_one_doc_persisted_ms": {
            "p50": pct(write_s, 50),
            "p95": pct(write_s, 95),
            "max": pct(write_s, 100),
        },
        # this process's CPU only (the database server's work is in the wall figures above)
        "reindex_one_doc_writer_cpu_ms": {"p50": pct(write_cpu, 50), "p95": pct(write_cpu, 95)},
        "other_node_catch_up_one_change_ms": {"p50": pct(refresh_s, 50), "p95": pct(refresh_s, 95)},
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, nargs="+", default=[813, 100_000])
    ap.add_argument("--changes", type=int, default=100)
    ap.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    ap.add_argument("--stores", nargs="+", default=["files", "database"])
    ap.add_argument("--out", default=str(RESULTS / "index_store.json"))
    args = ap.parse_args()
    work_root = Path(tempfile.mkdtemp(prefix="index-store-bench-"))
    url = args.database_url or f"sqlite:///{work_root / 'bench.sqlite3'}"
    _django(url)
    from django.db import connection

    from techmatch import Engine

    vendor = connection.vendor
    _tables(create=True)
    corpus = load_corpus()
    results: dict[str, Any] = {
        "database": vendor,
        "changes": args.changes,
        "vectors": f"{DIM}-dim float32 per document (seeded random: size only)",
        "sizes": {},
    }
    try:
        for n in args.docs:
            t = time.perf_counter()
            docs = synthetic_achievements(corpus, n)
            engine = Engine(encoder=SeededVectors())  # type: ignore[arg-type]
            engine.add_many(docs)
            log(f"{n} docs built in {time.perf_counter() - t:.0f}s")
            per: dict[str, Any] = {"build_s": round(time.perf_counter() - t, 1)}
            for kind in args.stores:
                work = work_root / f"{kind}-{n}"
                if kind == "database":
                    _tables(create=False)
                    _tables(create=True)
                per[kind] = _measure(kind, engine, docs, args.changes, work)
                log(f"{n} {kind}: {json.dumps(per[kind])}")
                shutil.rmtree(work, ignore_errors=True)
            results["sizes"][str(n)] = per
    finally:
        _tables(create=False)
        shutil.rmtree(work_root, ignore_errors=True)
    results["load_average_1m"] = round(os.getloadavg()[0], 2)
    out = Path(args.out)
    merged = json.loads(out.read_text(encoding="utf-8")) if out.exists() else {}
    # one entry per database the "database" store was measured on; sizes measured in separate runs add up
    sizes = {**merged.get(vendor, {}).get("sizes", {}), **results["sizes"]}
    merged[vendor] = {**results, "sizes": sizes}
    out.write_text(json.dumps(merged, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps(results, ensure_ascii=False), file=sys.stdout)


if __name__ == "__main__":
    main()
