"""The index published through the database (MATCHING_INDEX_STORE = "database"): nodes share only the
database, each keeps its own cache directory of downloaded segments."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import numpy as np
import pytest
from django.db import connection

from techmarket.matching import embedding, services
from techmarket.matching import engine as handle
from techmarket.matching.documents import to_document
from techmarket.matching.models import IndexHead, IndexLogEntry, IndexPassage, IndexSegment, IndexSegmentChunk
from techmarket.matching.publication import DatabaseStore, pull_passages, push_passages
from techmatch import Document, SegmentGone, open_replica
from techmatch.passages import PassageStore

DOCS = [
    (
        "a1",
        "低温型磷酸铁锂正极材料碳包覆改性技术",
        "碳包覆与离子掺杂改性磷酸铁锂正极材料，低温放电容量保持率85%。",
    ),
    ("a2", "市政污泥低温干化成套装备", "热泵除湿干化市政污泥，含水率降至30%以下，能耗低。"),
    ("a3", "木材阻燃改性处理工艺", "浸渍阻燃剂提高木材阻燃等级，适用于家具与装饰板材。"),
    ("a4", "石墨烯导电浆料制备", "石墨烯分散制备导电浆料，用于锂电池正负极导电剂。"),
    ("a5", "生活垃圾智能分选设备", "机器视觉识别生活垃圾，分选可回收物与厨余垃圾。"),
]


def _doc(i: str, title: str, body: str) -> Document:
    return Document(i, "achievement", title, body)


def _ids(replica, query: str) -> list[str]:
    return [r.id for r in replica.engine.search(query, k=10, explain_results=False)]


@pytest.fixture
def database_store(settings, db):
    settings.MATCHING_INDEX_STORE = "database"
    settings.MATCHING_INDEX_SEGMENT_GRACE_SECONDS = 3600
    handle.forget()
    yield
    handle.forget()


def _seed() -> None:
    for i, title, body in DOCS:
        doc = _doc(i, title, body)
        handle.write(lambda r, doc=doc: r.add(doc, tag="v1"))


def test_changes_reach_another_node_through_rows_and_segments(database_store, tmp_path):
    _seed()
    head = IndexHead.objects.get(pk=1)
    # the first write publishes a segment; every later change is one row after it
    assert head.base == 1 and head.ops == len(DOCS) - 1
    assert IndexLogEntry.objects.filter(base=1).count() == len(DOCS) - 1
    assert list(IndexLogEntry.objects.values_list("seq", flat=True)) == list(range(1, len(DOCS)))

    other = open_replica(DatabaseStore(tmp_path / "node-b"))  # cold: downloads segment 1, replays the rows
    assert (tmp_path / "node-b" / "segments" / "base-000001" / "engine.json").exists()
    assert sorted(other.engine.docs) == ["a1", "a2", "a3", "a4", "a5"]
    assert _ids(other, "磷酸铁锂正极材料")[0] == "a1"
    assert other.tags["a3"] == "v1"

    handle.write(lambda r: r.add(_doc("a2", "污泥焚烧发电", "市政污泥干化后焚烧发电，余热回收。"), tag="v2"))
    handle.write(lambda r: r.delete("a1"))
    assert other.refresh()
    assert other.head.base == 1 and "a1" not in other.engine.docs
    assert other.engine.docs["a2"].title == "污泥焚烧发电" and other.tags["a2"] == "v2"
    assert "a1" not in _ids(other, "磷酸铁锂正极材料")
    assert _ids(other, "污泥焚烧发电")[0] == "a2"

    # a compaction publishes segment 2 starting after the last row; the other node downloads it
    before = IndexHead.objects.get(pk=1).position
    handle.compact()
    seg = IndexSegment.objects.get(number=2)
    assert seg.complete and seg.seq == before and seg.size == sum(seg.files.values()) > 0
    assert IndexSegmentChunk.objects.filter(segment=seg).exists()
    assert other.refresh() and other.head.base == 2
    assert (tmp_path / "node-b" / "segments" / "base-000002").is_dir()
    assert sorted(other.engine.docs) == ["a2", "a3", "a4", "a5"]
    mine = handle.get_snapshot()
    for q in ("磷酸铁锂正极材料", "污泥焚烧发电", "木材阻燃", "石墨烯导电剂"):
        assert [(r.id, r.score) for r in mine.engine.search(q, k=5, explain_results=False)] == [
            (r.id, r.score) for r in other.engine.search(q, k=5, explain_results=False)
        ]

    # rows after segment 2 are replayed on top of the downloaded segment
    handle.write(
        lambda r: r.add(_doc("a6", "锂电池回收技术", "湿法冶金回收废旧锂电池中的钴镍锂。"), tag="v1")
    )
    assert IndexHead.objects.get(pk=1).position == before + 1
    cold = open_replica(DatabaseStore(tmp_path / "node-c"))
    assert cold.head.generation == IndexHead.objects.get(pk=1).generation
    assert sorted(cold.engine.docs) == ["a2", "a3", "a4", "a5", "a6"]
    assert _ids(cold, "废旧锂电池回收")[0] == "a6"


def test_a_failed_change_publishes_nothing(database_store):
    _seed()
    head = IndexHead.objects.get(pk=1)

    def broken(replica):
        replica.add(_doc("a9", "半途失败", "这条不应发布。"))
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        handle.write(broken)
    assert IndexHead.objects.get(pk=1).generation == head.generation
    assert not IndexLogEntry.objects.filter(line__contains="a9").exists()
    assert "a9" not in handle.get_engine().docs  # this process reloaded what is published


def test_old_segments_are_collected_after_the_grace_period(database_store, settings, tmp_path):
    _seed()
    reader = open_replica(DatabaseStore(tmp_path / "reader"))
    handle.compact()  # segment 2
    handle.compact()  # segment 3: segment 1 is superseded but within its grace period
    assert sorted(IndexSegment.objects.values_list("number", flat=True)) == [1, 2, 3]

    settings.MATCHING_INDEX_SEGMENT_GRACE_SECONDS = 0
    handle.forget()
    handle.compact()  # segment 4: 1 and 2 are past their (zero) grace period; 3 and 4 are kept
    assert sorted(IndexSegment.objects.values_list("number", flat=True)) == [3, 4]
    assert not IndexLogEntry.objects.filter(base__in=[1, 2]).exists()
    assert not IndexSegmentChunk.objects.filter(segment_id__in=[1, 2]).exists()

    # the reader was still on segment 1 (gone now): it reads HEAD again and loads the newest
    with pytest.raises(SegmentGone):
        DatabaseStore(tmp_path / "late").base_dir(1)
    assert reader.refresh() and reader.head.base == 4
    assert sorted(reader.engine.docs) == ["a1", "a2", "a3", "a4", "a5"]
    # its cache keeps only the newest two segments it fetched
    assert sorted(p.name for p in (tmp_path / "reader" / "segments").iterdir()) == ["base-000004"]


def test_a_corrupted_download_is_refused(database_store, tmp_path):
    _seed()
    chunk = IndexSegmentChunk.objects.filter(segment_id=1).order_by("pk").first()
    data = bytes(chunk.data)
    chunk.data = data[:-1] + bytes([data[-1] ^ 1])
    chunk.save()
    with pytest.raises(SegmentGone, match="checksum"):
        DatabaseStore(tmp_path / "node").base_dir(1)
    assert not (tmp_path / "node" / "segments" / "base-000001").exists()


def test_items_are_indexed_through_the_database_store(
    database_store, enterprise, university, index_dir, operator_user, client
):
    from matching_items import make_achievement, make_filler, make_need

    make_filler(university)
    ach = make_achievement(university)
    need = make_need(enterprise)
    result = services.rebuild_index()
    assert result["documents"] >= 5 and IndexHead.objects.get(pk=1).base == 1
    assert handle.status()["store"] == "database"
    ach.title = "低温型磷酸铁锂正极材料碳包覆改性技术（第二版）"
    ach.save()
    assert services.index_item(label="achievements.Achievement", pk=ach.pk) == "indexed"
    assert IndexLogEntry.objects.filter(base=1, line__contains="第二版").count() == 1
    # a node with an empty cache of its own sees the same results for the need
    other = open_replica(DatabaseStore(index_dir.parent / "elsewhere"))
    mine = handle.get_engine()
    other.engine.config = mine.config  # the adapter's per-process cutoffs
    query = to_document(need)
    ours = [r.id for r in mine.search(query, k=5, explain_results=False)]
    theirs = [r.id for r in other.engine.search(query, k=5, explain_results=False)]
    assert ours == theirs and f"achievement:{ach.pk}" in ours
    assert other.engine.docs[f"achievement:{ach.pk}"].title.endswith("（第二版）")
    client.force_login(operator_user)
    html = client.get("/matching/health/").content.decode()
    assert "经数据库发布" in html and "基础段 1，其后 1 项变更" in html


def test_passages_embedded_on_one_machine_reach_the_others(database_store, tmp_path):
    items = [("a1", "磷酸铁锂正极材料"), ("a2", "市政污泥干化")]
    vecs = np.arange(8, dtype=np.float32).reshape(2, 4)
    worker = PassageStore(tmp_path / "worker" / "passages", 4)
    worker.add(items, vecs)
    assert push_passages(tmp_path / "worker", worker, items) == 2
    assert push_passages(tmp_path / "worker", worker, items) == 0  # published once
    web = PassageStore(tmp_path / "web" / "passages", 4)
    assert pull_passages(web) == 2
    got, have = web.lookup(items)
    assert have == [True, True] and np.array_equal(got, vecs)

    worker.add([("a3", "石墨烯导电浆料")], np.full((1, 4), 0.5, np.float32))
    push_passages(tmp_path / "worker", worker, [("a3", "石墨烯导电浆料")])
    assert pull_passages(web, every=3600) == 0  # looked a moment ago
    assert pull_passages(web) == 1 and pull_passages(web) == 0
    assert web.lookup([("a3", "石墨烯导电浆料")])[1] == [True]
    last = IndexPassage.objects.order_by("-id").values_list("id", flat=True).first()
    assert (web.path / "database-position").read_text() == str(last)


def test_the_background_pass_publishes_passages_for_every_node(
    database_store, settings, university, rebuild, tmp_path
):
    from matching_items import make_achievement, make_filler
    from test_matching_dense import SmallEncoder

    make_filler(university, n=3)
    make_achievement(university)
    rebuild()
    enc = SmallEncoder()
    embedded = embedding.embed_missing(encoder=enc)
    assert embedded == len(handle.get_engine().docs) == IndexPassage.objects.count() > 0
    # a worker on another machine (its own cache) finds them published and embeds nothing again
    settings.MATCHING_INDEX_DIR = tmp_path / "other-machine"
    handle.forget()
    other = SmallEncoder()
    assert embedding.embed_missing(encoder=other) == 0 and other.calls == 0
    assert len(PassageStore(handle.passages_dir(), other.dim)) == embedded


# --- two processes that share nothing but the database ---------------------------------------------


class Node:
    def __init__(self, name: str, tmp: Path, database_url: str, create_tables: bool = False) -> None:
        self.cache = tmp / name / "cache"
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "TECHMARKET_VAR_DIR": str(tmp / name / "var"),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        }
        args = [sys.executable, str(Path(__file__).with_name("index_node.py")), str(self.cache)]
        self.proc = subprocess.Popen(  # noqa: S603 - our own script
            [*args, *(["--create-tables"] if create_tables else [])],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
        )
        self.ready: dict = {}

    def wait(self) -> None:
        self.ready = self.read()

    def send(self, **cmd):
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(cmd, ensure_ascii=False) + "\n")
        self.proc.stdin.flush()

    def read(self):
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        assert line, f"node exited with {self.proc.poll()}"
        out = json.loads(line)
        assert "error" not in out, out["error"]
        return out

    def ask(self, **cmd):
        self.send(**cmd)
        return self.read()

    def close(self) -> None:
        if self.proc.stdin:
            self.proc.stdin.close()


@pytest.fixture
def shared_database(tmp_path):
    """The one thing the nodes share: a scratch PostgreSQL database beside the test database (on a
    PostgreSQL run), or one SQLite file. The nodes create the index tables themselves."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'shared.sqlite3'}"
        return
    import psycopg

    s = connection.settings_dict
    name = ("test_" + s["NAME"].removeprefix("test_") + "_nodes")[:63]
    server = {
        "host": s["HOST"] or "127.0.0.1",
        "port": s["PORT"] or 5432,
        "user": s["USER"],
        "password": s["PASSWORD"] or None,
    }
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
    auth = quote(s["USER"] or "") + (":" + quote(s["PASSWORD"]) if s["PASSWORD"] else "")
    yield f"postgres://{auth}@{server['host']}:{server['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_two_processes_sharing_only_the_database(shared_database, tmp_path):
    url = shared_database
    started = time.monotonic()
    a = Node("a", tmp_path, url, create_tables=True)
    b = Node("b", tmp_path, url)  # both start at once; B waits for A's tables before its first query
    nodes = [a, b]
    try:
        a.wait()
        b.wait()
        assert b.ready["size"] == 0
        a.ask(cmd="add", docs=[{"id": i, "title": t, "body": body} for i, t, body in DOCS])
        got = b.ask(cmd="search", query="磷酸铁锂正极材料")
        assert got["ids"][0] == "a1" and got["size"] == 5 and got["base"] == 1
        assert got["local_segments"] == ["base-000001"]  # downloaded into B's own cache

        # update and delete in A, seen by B through the log rows (no new segment)
        a.ask(cmd="add", docs=[{"id": "a2", "title": "污泥焚烧发电", "body": "市政污泥干化后焚烧发电。"}])
        a.ask(cmd="delete", ids=["a1"])
        got = b.ask(cmd="search", query="磷酸铁锂正极材料")
        assert "a1" not in got["ids"] and got["size"] == 4 and got["base"] == 1
        assert b.ask(cmd="search", query="污泥焚烧发电")["ids"][0] == "a2"

        # compaction in A while B keeps reading: every read answers the same, then B moves to segment 2
        expected = b.ask(cmd="search", query="石墨烯导电浆料")["ids"]
        b.send(cmd="watch", query="石墨烯导电浆料", base=1)
        compacted = a.ask(cmd="compact")
        watched = b.read()
        assert compacted["base"] == 2 and watched["base"] == 2 and watched["reads"] >= 1
        assert watched["seen"] == [expected]
        assert watched["local_segments"] == ["base-000001", "base-000002"]

        # a node started cold downloads the newest segment and replays the rows after it
        a.ask(
            cmd="add",
            docs=[{"id": "a6", "title": "锂电池回收技术", "body": "湿法冶金回收废旧锂电池中的钴镍锂。"}],
        )
        c = Node("c", tmp_path, url)
        nodes.append(c)
        c.wait()
        assert c.ready["base"] == 2 and c.ready["size"] == 5 and c.ready["local_segments"] == ["base-000002"]
        assert c.ask(cmd="search", query="废旧锂电池回收")["ids"][0] == "a6"
        assert b.ask(cmd="search", query="废旧锂电池回收")["ids"][0] == "a6"
        # nothing but the database is shared: each node's cache holds only what it downloaded or wrote
        assert not (tmp_path / "c" / "cache" / "segments" / "base-000001").exists()
        print(f"two-process test: {time.monotonic() - started:.1f}s")  # noqa: T201
    finally:
        for n in nodes:
            n.close()
        for n in nodes:
            n.proc.wait(timeout=30)
