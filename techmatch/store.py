"""Incremental persistence shared by processes: an immutable base segment + an append-only change log.

Layout of a store directory::

    HEAD                  {"generation", "base", "log_bytes", "log_ops", "written_at"}, replaced atomically
    base-000003/          Engine.save() output + tags.json; never modified once HEAD names it
    log-000003.jsonl      changes since base 3, one JSON line each: an added/updated document *as analysed*
                          (word tokens, bigram tokens, vector) or a deletion
    .lock                 fcntl lock serialising writers

A write appends its lines to the log and then publishes a new HEAD (generation + 1) naming the new valid
log length; readers never read past ``log_bytes``, so a half-appended line is invisible, and a writer
truncates the log to ``log_bytes`` before appending (a crashed writer's tail is dropped).  Re-indexing one
document therefore costs the analysis plus one appended line, whatever the size of the index.

A :class:`Replica` is one process's engine for a store: the base loaded memory-mapped, then the log
replayed.  ``refresh()`` reads HEAD (one small file); when only the log grew it replays the new lines into
the same engine (no model, no analysis), when the base changed it reloads.  Replaying reproduces exactly
the writer's sequence of add/delete, and the engine keeps global statistics, so a replica equals a
rebuild over the same live documents.

Compaction: when the log holds ``compact_ops(n)`` changes the writer saves a new base (an O(n) merge)
and starts an empty log.  The threshold is 2 % of the documents (amortised merge cost per change stays
constant as the catalogue grows) within [500, 4000]: replay at load stays well under a second, and it
stays below FileBackend.merge_every (5000), so readers never merge in memory by themselves.
"""

from __future__ import annotations

import base64
import datetime as dt
import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from .dense import Encoder
from .documents import Document
from .index import Analysed, Engine, Reranker

KEEP_BASES = 2  # older bases are removed (a reader still mapping one keeps working)


def compact_ops(n_docs: int) -> int:
    """Log length (changes) at which the writer folds the log into a new base."""
    return int(min(4000, max(500, 0.02 * n_docs)))


@dataclass(frozen=True)
class Head:
    generation: int = 0  # +1 on every published change
    base: int = 0  # 0: nothing written yet
    log_bytes: int = 0
    log_ops: int = 0
    written_at: str | None = None


class SegmentGone(FileNotFoundError):
    """A base segment or its log was removed (compacted twice meanwhile): read HEAD again and reload."""


class Publication(Protocol):
    """Where a store's base segments, change log and HEAD are published.

    :class:`IndexStore` keeps all three on one file system; another implementation (e.g. the Django
    app's database store, techmarket/matching/publication.py) publishes them elsewhere and keeps a
    local copy of each segment to memory-map.  A log *position* is opaque to the replica: it only
    grows while the base stays the same (files: bytes of the log; a database: the last row's sequence).
    """

    def head(self) -> Head: ...

    def lock(self) -> AbstractContextManager[None]:
        """The writers' lock (exclusive across processes and, for a shared store, across machines)."""
        ...

    def base_dir(self, base: int) -> Path:
        """A local directory holding segment ``base`` (Engine.save output + tags.json), fetched if needed.
        Raises SegmentGone when it no longer exists."""
        ...

    def read_log(self, base: int, start: int, end: int) -> Sequence[bytes | str]:
        """The log lines of ``base`` between positions ``start`` (exclusive) and ``end``."""
        ...

    def append_log(self, base: int, start: int, lines: Sequence[bytes]) -> int:
        """Write ``lines`` after position ``start`` (dropping anything a crashed writer left there); returns
        the new position. Call under :meth:`lock`; readers see nothing before :meth:`publish`."""
        ...

    def publish(self, head: Head) -> Head: ...

    def replace(self, engine: Engine, tags: dict[str, str]) -> Head:
        """Publish ``engine`` as a new base with an empty log. Call under :meth:`lock`."""
        ...


class IndexStore:
    """The file-system publication: one directory shared by every process of one machine."""

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root)

    def head(self) -> Head:
        """The published state (cheap: one small file)."""
        try:
            d = json.loads((self.root / "HEAD").read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return Head()
        return Head(
            int(d["generation"]), int(d["base"]), int(d["log_bytes"]), int(d["log_ops"]), d.get("written_at")
        )

    def base_dir(self, base: int) -> Path:
        return self.root / f"base-{base:06d}"

    def log_path(self, base: int) -> Path:
        return self.root / f"log-{base:06d}.jsonl"

    def read_log(self, base: int, start: int, end: int) -> list[bytes]:
        try:
            with self.log_path(base).open("rb") as fh:
                fh.seek(start)
                data = fh.read(end - start)
        except FileNotFoundError as e:
            raise SegmentGone(str(e)) from e
        return data.splitlines()

    def append_log(self, base: int, start: int, lines: Sequence[bytes]) -> int:
        payload = b"".join(line + b"\n" for line in lines)
        path = self.log_path(base)
        with path.open("r+b" if path.exists() else "w+b") as fh:
            fh.truncate(start)  # drop what a crashed writer may have left
            fh.seek(start)
            fh.write(payload)
            fh.flush()
            os.fsync(fh.fileno())
        return start + len(payload)

    def publish(self, head: Head) -> Head:
        return self._publish(head)

    def _publish(self, head: Head) -> Head:
        tmp = self.root / f".HEAD-{os.getpid()}"
        tmp.write_text(json.dumps(head.__dict__), encoding="utf-8")
        tmp.replace(self.root / "HEAD")
        return head

    @contextmanager
    def lock(self) -> Iterator[None]:
        """The writers' lock (exclusive across processes)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("a+") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def open(
        self, encoder: Encoder | None = None, reranker: Reranker | None = None, default: Engine | None = None
    ) -> Replica:
        """A replica at the current HEAD (``default`` is used while nothing was written)."""
        return open_replica(self, encoder, reranker, default)

    def replace(self, engine: Engine, tags: dict[str, str]) -> Head:
        """Publish ``engine`` as a new base with an empty log (rebuild). Call under :meth:`lock`."""
        old = self.head()
        new = old.base + 1
        tmp = self.root / f".tmp-base-{new:06d}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        engine.save(tmp)
        (tmp / "tags.json").write_text(json.dumps(tags, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(self.base_dir(new), ignore_errors=True)
        tmp.rename(self.base_dir(new))
        self.log_path(new).write_bytes(b"")
        head = self._publish(Head(old.generation + 1, new, 0, 0, _now()))
        for p in [*self.root.glob("base-*"), *self.root.glob("log-*.jsonl")]:
            try:
                number = int(p.name.split("-")[1].split(".")[0])
            except ValueError:
                continue
            if number > new - KEEP_BASES:
                continue
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        return head


def open_replica(
    store: Publication,
    encoder: Encoder | None = None,
    reranker: Reranker | None = None,
    default: Engine | None = None,
) -> Replica:
    """A replica of ``store`` at its current HEAD (``default`` is used while nothing was written)."""
    r = Replica(store, default or Engine(encoder=encoder, reranker=reranker), encoder, reranker)
    r.refresh()
    return r


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def _vec_out(v: Any) -> str | None:
    return None if v is None else base64.b64encode(np.asarray(v, "<f4").tobytes()).decode("ascii")


def _vec_in(s: str | None) -> Any:
    return None if s is None else np.frombuffer(base64.b64decode(s), "<f4").astype(np.float32)


@dataclass
class Replica:
    """One process's engine for a store, plus a tag per document (e.g. the source row's version)."""

    store: Publication
    engine: Engine
    encoder: Encoder | None = None
    reranker: Reranker | None = None
    head: Head = field(default_factory=Head)
    tags: dict[str, str] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    stale: bool = False  # a failed write left the engine ahead of the log: reload on refresh

    @property
    def generation(self) -> int:
        return self.head.generation

    # ---- reading -----------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Follow HEAD: replay new log lines, or reload when the base changed. True if anything changed."""
        head = self.store.head()
        if head == self.head and not self.stale:
            return False
        if head.base == 0:
            self.head, self.stale = head, False
            return True
        if head.base != self.head.base or head.log_bytes < self.head.log_bytes or self.stale:
            self._reload(head)
            return True
        try:
            self._replay(head, self.head.log_bytes)
        except SegmentGone:  # compacted twice meanwhile: the old log is gone
            self._reload(self.store.head())
        return True

    def _reload(self, head: Head, attempts: int = 3) -> None:
        try:
            path = self.store.base_dir(head.base)
        except SegmentGone:  # garbage-collected while this replica was away: HEAD has moved on
            if attempts <= 1:
                raise
            self._reload(self.store.head(), attempts - 1)
            return
        self.engine = Engine.load(path, encoder=self.encoder, reranker=self.reranker, mmap=True)
        tags = path / "tags.json"
        self.tags = json.loads(tags.read_text(encoding="utf-8")) if tags.exists() else {}
        self.head = Head(head.generation, head.base, 0, 0, head.written_at)
        self.stale = False
        self._replay(head, 0)

    def _replay(self, head: Head, start: int) -> None:
        for line in self.store.read_log(head.base, start, head.log_bytes):
            if line.strip():
                self._apply(json.loads(line))
        self.head = head

    def _apply(self, op: dict[str, Any]) -> None:
        if op["op"] == "add":
            doc = Document.from_json(op["doc"])
            self.engine.put(Analysed(doc, op["words"], op["bigrams"], _vec_in(op.get("vec"))))
            if op.get("tag") is not None:
                self.tags[doc.id] = op["tag"]
            else:
                self.tags.pop(doc.id, None)
        else:
            self.engine.delete(op["id"])
            self.tags.pop(op["id"], None)

    # ---- writing (between IndexStore.lock() + refresh() and commit()) -----------------------
    def add(self, doc: Document, tag: str | None = None) -> None:
        """Add or update a document now (in this replica) and log it for the others at commit()."""
        [a] = self.engine.analyse([doc])
        op = {
            "op": "add",
            "doc": doc.to_json(),
            "words": a.words,
            "bigrams": a.bigrams,
            "vec": _vec_out(a.vector),
            "tag": tag,
        }
        self.engine.put(a)
        if tag is not None:
            self.tags[doc.id] = tag
        else:
            self.tags.pop(doc.id, None)
        self.pending.append(op)

    def delete(self, doc_id: str) -> bool:
        found = self.engine.delete(doc_id)
        self.tags.pop(doc_id, None)
        if found:
            self.pending.append({"op": "delete", "id": doc_id})
        return found

    def commit(self) -> Head:
        """Append the pending changes and publish them; compacts when the log is long enough."""
        if not self.pending:
            return self.head
        if not self.head.base or self.head.log_ops + len(self.pending) >= compact_ops(len(self.engine)):
            return self.compact()
        lines = [
            json.dumps(op, ensure_ascii=False, separators=(",", ":")).encode("utf-8") for op in self.pending
        ]
        h = self.head
        end = self.store.append_log(h.base, h.log_bytes, lines)
        self.head = self.store.publish(
            Head(h.generation + 1, h.base, end, h.log_ops + len(self.pending), _now())
        )
        self.pending = []
        return self.head

    def compact(self) -> Head:
        """Publish this replica's engine (pending changes included) as a new base. Call under the lock."""
        self.pending = []
        self.store.replace(self.engine, self.tags)
        self._reload(self.store.head())
        return self.head

    def discard(self) -> None:
        """After a failed write: forget the uncommitted changes (the next refresh reloads)."""
        self.pending = []
        self.stale = True


@contextmanager
def writing(replica: Replica) -> Iterator[Replica]:
    """``with writing(r): r.add(doc, tag); r.delete(id)`` - locked, up to date, committed (or discarded)."""
    with replica.store.lock():
        replica.refresh()
        try:
            yield replica
        except BaseException:
            replica.discard()
            raise
        replica.commit()
