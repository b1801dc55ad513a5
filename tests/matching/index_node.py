"""One "web node" for the multi-node index test: a separate process that shares only the database.

    python tests/matching/index_node.py CACHE_DIR [--create-tables]   (otherwise: waits for them)

Environment: DATABASE_URL (the shared database), TECHMARKET_VAR_DIR (this node's own). Reads one JSON
command per line on stdin and answers one JSON line on stdout, through the Django adapter
(techmarket.matching.engine) with MATCHING_INDEX_STORE = "database":

    {"cmd": "add", "docs": [{"id", "title", "body"}]}    index or update (one write each)
    {"cmd": "delete", "ids": [...]}
    {"cmd": "compact"}                                   fold the log into a new segment now
    {"cmd": "search", "query": "..."}                    ids of the top 10
    {"cmd": "watch", "query": "...", "base": N}          search repeatedly until this node has loaded a
                                                         base segment > N (reads during a compaction)
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ["MATCHING_INDEX_STORE"] = "database"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from techmarket.matching import engine as handle  # noqa: E402
from techmatch import Document  # noqa: E402

settings.MATCHING_INDEX_DIR = Path(sys.argv[1])  # this node's cache, nobody else's
settings.MATCHING_INDEX_STORE = "database"
settings.MATCHING_DENSE = False
settings.MATCHING_INDEX_SEGMENT_GRACE_SECONDS = 0


def create_tables() -> None:
    from techmarket.matching.models import IndexHead, IndexLogEntry, IndexSegment, IndexSegmentChunk

    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in (IndexHead, IndexSegment, IndexSegmentChunk, IndexLogEntry):
            if model._meta.db_table not in existing:
                editor.create_model(model)


def search(query: str) -> list[str]:
    with handle.reading() as engine:
        return [r.id for r in engine.search(query, k=10, explain_results=False)]


def state() -> dict[str, Any]:
    snap = handle.get_snapshot()
    segments = sorted(p.name for p in (Path(settings.MATCHING_INDEX_DIR) / "segments").glob("base-*"))
    return {
        "generation": snap.head.generation,
        "base": snap.head.base,
        "size": len(snap.engine),
        "local_segments": segments,
    }


def run(cmd: dict[str, Any]) -> dict[str, Any]:
    name = cmd["cmd"]
    if name == "add":
        for d in cmd["docs"]:
            doc = Document(d["id"], "achievement", d["title"], d["body"])
            tag = d.get("tag", "v1")
            handle.write(lambda r, doc=doc, tag=tag: r.add(doc, tag=tag))
        return state()
    if name == "delete":
        for doc_id in cmd["ids"]:
            handle.write(lambda r, doc_id=doc_id: r.delete(doc_id))
        return state()
    if name == "compact":
        handle.compact()
        return state()
    if name == "search":
        return {"ids": search(cmd["query"]), **state()}
    if name == "watch":
        seen: list[list[str]] = []
        reads = 0
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            ids = search(cmd["query"])
            reads += 1
            if ids not in seen:
                seen.append(ids)
            if handle.get_snapshot().head.base > cmd["base"]:
                break
        return {"seen": seen, "reads": reads, **state()}
    raise ValueError(name)


def wait_for_tables(seconds: float = 60) -> None:
    """Another node creates them (started at the same time)."""
    from techmarket.matching.models import IndexLogEntry

    deadline = time.monotonic() + seconds
    while IndexLogEntry._meta.db_table not in connection.introspection.table_names():
        if time.monotonic() > deadline:
            raise TimeoutError("the index tables were not created")
        time.sleep(0.05)


def main() -> None:
    if "--create-tables" in sys.argv:
        create_tables()
    else:
        wait_for_tables()
    print(json.dumps({"ready": True, **state()}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            out = run(json.loads(line))
        except Exception as e:  # report to the test instead of dying silently
            out = {"error": f"{type(e).__name__}: {e}"}
        print(json.dumps(out, ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
    sys.stdout.flush()
    os._exit(0)  # nothing left to clean up: skip the interpreter's teardown
