"""Re-indexing one changed document INCLUDING persistence, at the speed benchmark's scale.

    python -m bench.reindex [--changes 100]

Uses the 100k index that ``python -m bench.speed`` saved in bench/cache/speed-index as the base of a
techmatch.IndexStore (hard links, no copy), then re-indexes changed documents the way the Django app
does: writers' lock, catch up with HEAD, analyse + encode (static encoder), append one log line
(fsync), publish HEAD.  Also times another process's replica catching up with one change
(refresh: read HEAD, replay the line) and a compaction.  Merges the figures into bench/results/speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time

import numpy as np

from bench.common import CACHE, RESULTS, log
from bench.speed import pct
from techmatch.documents import Document
from techmatch.store import IndexStore, compact_ops, writing


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--changes", type=int, default=100)
    args = ap.parse_args()
    src = CACHE / "speed-index"
    root = CACHE / "reindex-store"
    shutil.rmtree(root, ignore_errors=True)
    base = root / "base-000001"
    shutil.copytree(src, base, copy_function=os.link)
    (base / "tags.json").write_text("{}", encoding="utf-8")
    (root / "log-000001.jsonl").write_bytes(b"")
    (root / "HEAD").write_text(json.dumps({"generation": 1, "base": 1, "log_bytes": 0, "log_ops": 0}))
    store = IndexStore(root)
    t = time.perf_counter()
    writer = store.open()
    load_s = time.perf_counter() - t
    reader = store.open()
    n = len(writer.engine)
    log(f"loaded {n} docs twice ({load_s:.1f}s each); compaction every {compact_ops(n)} changes")
    rng = np.random.default_rng(7)
    ids = sorted(writer.engine.docs)
    write_s, refresh_s = [], []
    for i in rng.choice(len(ids), args.changes, replace=False):
        d = writer.engine.docs[ids[int(i)]]
        changed = Document.from_json({**d.to_json(), "body": d.body + "新增：该技术已完成中试验证。"})
        t = time.perf_counter()
        with writing(writer) as w:
            w.add(changed, tag="v2")
        write_s.append(time.perf_counter() - t)
        t = time.perf_counter()
        reader.refresh()
        refresh_s.append(time.perf_counter() - t)
    assert reader.head == writer.head and len(reader.engine) == n
    t = time.perf_counter()
    fresh = store.open()
    replay_load_s = time.perf_counter() - t
    assert len(fresh.engine) == n
    t = time.perf_counter()
    with store.lock():
        store.replace(writer.engine, writer.tags)
    compact_s = time.perf_counter() - t
    res = {
        "docs": n,
        "changes": args.changes,
        "compact_every_changes": compact_ops(n),
        "reindex_one_doc_persisted_ms": {
            "p50": pct(write_s, 50),
            "p95": pct(write_s, 95),
            "max": pct(write_s, 100),
        },
        "reader_catch_up_one_change_ms": {"p50": pct(refresh_s, 50), "p95": pct(refresh_s, 95)},
        "log_bytes_per_change": round(writer.head.log_bytes / args.changes),
        "load_s": round(load_s, 2),
        f"load_with_{args.changes}_logged_changes_s": round(replay_load_s, 2),
        "compaction_s": round(compact_s, 1),
        "load_average_1m": round(os.getloadavg()[0], 2),
    }
    log(json.dumps(res))
    path = RESULTS / "speed.json"
    speed = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    speed["incremental_persistence"] = res
    path.write_text(json.dumps(speed, ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps(res, ensure_ascii=False))


if __name__ == "__main__":
    main()
