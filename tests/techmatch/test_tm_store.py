"""Incremental persistence: base segment + append-only change log, followed by other replicas."""

from pathlib import Path

import pytest

from techmatch import Document, Engine, IndexStore, writing
from techmatch import store as store_mod

QUERIES = ["锂电池正极材料", "污泥干化", "石墨烯电极", "垃圾分选资源化"]


def ranking(eng: Engine) -> list[list[tuple[str, float]]]:
    return [[(r.id, r.score) for r in eng.search(q, k=6, explain_results=False)] for q in QUERIES]


def changes() -> list[tuple[str, Document | str]]:
    return [
        ("add", Document("a7", "achievement", "锂电池回收技术", "废旧锂电池正极材料回收与再生。")),
        (
            "add",
            Document("a2", "achievement", "锂离子电池硅碳负极材料", "硅碳负极的预锂化工艺。", owner="lab1"),
        ),
        ("delete", "a5"),
        ("add", Document("a8", "achievement", "污泥焚烧发电", "市政污泥干化后焚烧发电。")),
        ("add", Document("a7", "achievement", "锂电池回收技术", "湿法冶金回收锂电池中的钴镍锂。")),
    ]


def apply_changes(root: Path, fake_encoder: object) -> None:
    writer = IndexStore(root).open(encoder=fake_encoder)  # type: ignore[arg-type]
    for _op, x in changes():
        with writing(writer) as w:
            if isinstance(x, Document):
                w.add(x, tag=f"v-{x.id}-{len(x.body)}")
            else:
                w.delete(x)


def rebuilt(achievements: list[Document], fake_encoder: object) -> Engine:
    docs = {d.id: d for d in achievements}
    for _op, x in changes():
        if isinstance(x, Document):
            docs[x.id] = x
        else:
            docs.pop(x)
    eng = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    eng.add_many(sorted(docs.values(), key=lambda d: d.id, reverse=True))
    return eng


def seed(root: Path, achievements: list[Document], fake_encoder: object) -> None:
    eng = Engine(encoder=fake_encoder)  # type: ignore[arg-type]
    eng.add_many(achievements)
    store = IndexStore(root)
    with store.lock():
        store.replace(eng, {d.id: "v0" for d in achievements})


def test_tm_store_fresh_load_after_deltas_equals_rebuild(
    tmp_path: Path, achievements: list[Document], fake_encoder: object
) -> None:
    seed(tmp_path, achievements, fake_encoder)
    apply_changes(tmp_path, fake_encoder)
    head = IndexStore(tmp_path).head()
    assert (head.base, head.log_ops, head.generation) == (1, 5, 6)  # no full save per change
    fresh = IndexStore(tmp_path).open(encoder=fake_encoder)  # type: ignore[arg-type]
    assert ranking(fresh.engine) == ranking(rebuilt(achievements, fake_encoder))
    assert "a5" not in fresh.engine.docs and fresh.tags["a7"].startswith("v-a7") and "a5" not in fresh.tags


def test_tm_store_reader_replays_only_the_new_changes(
    tmp_path: Path, achievements: list[Document], fake_encoder: object
) -> None:
    seed(tmp_path, achievements, fake_encoder)
    reader = IndexStore(tmp_path).open(encoder=fake_encoder)  # type: ignore[arg-type]
    engine = reader.engine
    assert not reader.refresh()  # nothing written
    apply_changes(tmp_path, fake_encoder)
    assert reader.refresh() and reader.engine is engine  # replayed into the same engine, no reload
    assert ranking(reader.engine) == ranking(rebuilt(achievements, fake_encoder))


def test_tm_store_compacts_past_the_threshold(
    tmp_path: Path, achievements: list[Document], fake_encoder: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed(tmp_path, achievements, fake_encoder)
    monkeypatch.setattr(store_mod, "compact_ops", lambda n: 3)
    reader = IndexStore(tmp_path).open(encoder=fake_encoder)  # type: ignore[arg-type]
    apply_changes(tmp_path, fake_encoder)
    head = IndexStore(tmp_path).head()
    assert head.base == 2 and head.log_ops == 2  # 3 changes folded into base 2, then 2 logged
    assert reader.refresh()
    assert ranking(reader.engine) == ranking(rebuilt(achievements, fake_encoder))


def test_tm_store_ignores_and_then_drops_a_crashed_writers_tail(
    tmp_path: Path, achievements: list[Document], fake_encoder: object
) -> None:
    seed(tmp_path, achievements, fake_encoder)
    store = IndexStore(tmp_path)
    with store.log_path(1).open("ab") as fh:
        fh.write(b'{"op":"delete","id":"a1"')  # appended, never published
    reader = store.open(encoder=fake_encoder)  # type: ignore[arg-type]
    assert "a1" in reader.engine.docs
    apply_changes(tmp_path, fake_encoder)
    assert (
        store.open(encoder=fake_encoder).engine.docs.keys()
        == rebuilt(  # type: ignore[arg-type]
            achievements, fake_encoder
        ).docs.keys()
    )


def test_tm_store_failed_write_is_not_published(
    tmp_path: Path, achievements: list[Document], fake_encoder: object
) -> None:
    seed(tmp_path, achievements, fake_encoder)
    writer = IndexStore(tmp_path).open(encoder=fake_encoder)  # type: ignore[arg-type]
    with pytest.raises(RuntimeError), writing(writer) as w:
        w.delete("a1")
        raise RuntimeError("boom")
    assert IndexStore(tmp_path).head().generation == 1
    writer.refresh()
    assert "a1" in writer.engine.docs
