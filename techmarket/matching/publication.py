"""The matching index published through the database, for web nodes that share nothing else.

settings.MATCHING_INDEX_STORE = "database" (production's default; the embedded default stays on "files",
see techmatch/store.py). The same techmatch.Replica runs on every node; only where it reads and writes
changes (techmatch.store.Publication):

    IndexHead           one row (pk=1): generation, base segment, log position (the last row's sequence)
    IndexSegment        one row per compacted base segment: its files, size, sha256, the log sequence it
                        starts after; IndexSegmentChunk holds the bytes in CHUNK_BYTES pieces
    IndexLogEntry       one row per change (an analysed document or a deletion), seq increasing by one

Writers take the writers' lock as a transaction that updates the head row (PostgreSQL: a row lock;
SQLite: the database's write lock, taken up front by the IMMEDIATE transaction mode), append their rows
and publish the head in that same transaction: readers see a change whole or not at all. A compaction
uploads the new segment in the same way.

Each node keeps its own cache directory (settings.MATCHING_INDEX_DIR, never shared): ``segments/base-N``
is a downloaded copy of segment N, memory-mapped like the file store's; it is fetched file by file,
chunk by chunk (bounded memory), checked against the size and sha256 and renamed into place whole.
A node started cold downloads the newest segment and replays the rows after it; a running node replays
the new rows (one indexed query) and downloads a segment only when a compaction published a new one.

Old segments (and their log rows) are deleted by the writer at a later compaction once they have been
superseded for settings.MATCHING_INDEX_SEGMENT_GRACE_SECONDS (a node still catching up within the old
segment during that time can finish); the two newest are always kept. A node that finds its segment
gone reads the head again and loads the newest one (techmatch.SegmentGone).

The full-model passage embeddings that the background worker computes travel the same way (IndexPassage
rows, copied into each node's own passage store: push_passages / pull_passages below).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import shutil
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from techmatch import Engine, Head, SegmentGone
from techmatch.passages import PassageStore
from techmatch.store import KEEP_BASES

from .models import IndexHead, IndexLogEntry, IndexPassage, IndexSegment, IndexSegmentChunk

CHUNK_BYTES = 4 * 1024 * 1024


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


class DatabaseStore:
    """techmatch.store.Publication on the Django database, with ``cache`` as this node's local copy."""

    def __init__(self, cache: str | Path, grace_seconds: int | None = None) -> None:
        self.root = Path(cache)
        self.grace_seconds = (
            int(getattr(settings, "MATCHING_INDEX_SEGMENT_GRACE_SECONDS", 3600))
            if grace_seconds is None
            else grace_seconds
        )
        self._origin: dict[int, int] = {}  # segment -> log sequence it starts after
        self._held: Head | None = None  # the head row read under lock()

    # ---- reading ---------------------------------------------------------------------------------
    FIELDS = ("generation", "base", "position", "ops", "written_at")

    def head(self) -> Head:
        if self._held is not None:  # inside lock(): the row this writer holds (and publishes) is current
            return self._held
        return self._row(IndexHead.objects.filter(pk=1).values_list(*self.FIELDS).first())

    @staticmethod
    def _row(row: tuple[int, int, int, int, str] | None) -> Head:
        if row is None:
            return Head()
        generation, base, position, ops, written_at = row
        return Head(generation, base, position, ops, written_at or None)

    def segments_dir(self) -> Path:
        return self.root / "segments"

    def local_dir(self, base: int) -> Path:
        return self.segments_dir() / f"base-{base:06d}"

    def base_dir(self, base: int) -> Path:
        local = self.local_dir(base)
        if not local.is_dir():
            self._download(base, local)
        return local

    def origin(self, base: int) -> int:
        if base not in self._origin:
            seq = (
                IndexSegment.objects.filter(number=base, complete=True).values_list("seq", flat=True).first()
            )
            if seq is None:
                raise SegmentGone(f"segment {base} is no longer published")
            self._origin[base] = int(seq)
        return self._origin[base]

    def read_log(self, base: int, start: int, end: int) -> list[str]:
        lines = list(
            IndexLogEntry.objects.filter(base=base, seq__gt=start, seq__lte=end)
            .order_by("seq")
            .values_list("line", flat=True)
        )
        if len(lines) != end - max(start, self.origin(base)):  # garbage-collected meanwhile
            raise SegmentGone(f"the log of segment {base} is no longer complete")
        return lines

    def _download(self, base: int, local: Path) -> None:
        seg = IndexSegment.objects.filter(number=base, complete=True).first()
        if seg is None:
            raise SegmentGone(f"segment {base} is no longer published")
        self._origin[base] = seg.seq
        local.parent.mkdir(parents=True, exist_ok=True)
        tmp = local.parent / f".tmp-{local.name}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        digest = hashlib.sha256()
        try:
            for rel, size in sorted(seg.files.items()):
                target = tmp / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                parts = (
                    IndexSegmentChunk.objects.filter(segment_id=base, path=rel)
                    .order_by("part")
                    .values_list("pk", flat=True)
                )
                written = 0
                with target.open("wb") as fh:
                    for pk in list(parts):  # one chunk in memory at a time
                        data = IndexSegmentChunk.objects.filter(pk=pk).values_list("data", flat=True).first()
                        if data is None:
                            raise SegmentGone(f"segment {base} was deleted while it was downloaded")
                        chunk = bytes(data)
                        digest.update(chunk)
                        fh.write(chunk)
                        written += len(chunk)
                if written != size:
                    raise SegmentGone(f"segment {base}: {rel} has {written} of {size} bytes")
            if digest.hexdigest() != seg.sha256:
                raise SegmentGone(f"segment {base}: checksum mismatch")
            try:
                tmp.rename(local)
            except OSError:  # another process of this node fetched it meanwhile
                if not local.is_dir():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._forget_local(keep_from=base - KEEP_BASES + 1)

    def _forget_local(self, keep_from: int) -> None:
        """Remove local copies of segments older than ``keep_from`` (a process still mapping one keeps it)."""
        for p in self.segments_dir().glob("base-*"):
            try:
                number = int(p.name.split("-")[1])
            except ValueError:
                continue
            if number < keep_from:
                shutil.rmtree(p, ignore_errors=True)

    # ---- writing ---------------------------------------------------------------------------------
    @contextmanager
    def lock(self) -> Iterator[None]:
        """A transaction holding the head row: writers of every node queue here; commits on exit."""
        with transaction.atomic():
            locked = IndexHead.objects.select_for_update().filter(pk=1).values_list(*self.FIELDS)
            row = locked.first()
            if row is None:
                try:
                    with transaction.atomic():
                        IndexHead.objects.create(pk=1)
                except IntegrityError:  # another writer created it first
                    pass
                row = locked.first()
            self._held = self._row(row)
            try:
                yield
            finally:
                self._held = None

    def append_log(self, base: int, start: int, lines: Sequence[bytes]) -> int:
        IndexLogEntry.objects.bulk_create(
            [
                IndexLogEntry(seq=start + i, base=base, line=line.decode("utf-8"))
                for i, line in enumerate(lines, 1)
            ]
        )
        return start + len(lines)

    def publish(self, head: Head) -> Head:
        """Under lock(): the head row exists and is held; readers see it when the transaction commits."""
        IndexHead.objects.filter(pk=1).update(
            generation=head.generation,
            base=head.base,
            position=head.log_bytes,
            ops=head.log_ops,
            written_at=head.written_at or "",
        )
        if self._held is not None:
            self._held = head
        return head

    def replace(self, engine: Engine, tags: dict[str, str]) -> Head:
        old = self.head()
        new = max(
            old.base, IndexSegment.objects.order_by("-number").values_list("number", flat=True).first() or 0
        )
        new += 1
        tmp = self.segments_dir() / f".tmp-new-{new:06d}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        try:
            engine.save(tmp)
            (tmp / "tags.json").write_text(json.dumps(tags, ensure_ascii=False), encoding="utf-8")
            seg = IndexSegment.objects.create(number=new, seq=old.log_bytes)
            files: dict[str, int] = {}
            digest = hashlib.sha256()
            # hashed in the order the download reads them: sorted relative paths
            for rel in sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file()):
                path = tmp / rel
                files[rel] = path.stat().st_size
                with path.open("rb") as fh:
                    part = 0
                    while chunk := fh.read(CHUNK_BYTES):
                        digest.update(chunk)
                        IndexSegmentChunk.objects.create(segment=seg, path=rel, part=part, data=chunk)
                        part += 1
            seg.files, seg.size, seg.sha256, seg.complete = (
                files,
                sum(files.values()),
                digest.hexdigest(),
                True,
            )
            seg.save(update_fields=["files", "size", "sha256", "complete"])
            local = self.local_dir(new)
            shutil.rmtree(local, ignore_errors=True)
            tmp.rename(local)  # the writer keeps its own upload: nothing to download
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
        self._origin[new] = old.log_bytes
        IndexSegment.objects.filter(number__lt=new, superseded_at=None).update(superseded_at=timezone.now())
        head = self.publish(Head(old.generation + 1, new, old.log_bytes, 0, _now()))
        self.collect_garbage(new)
        self._forget_local(keep_from=new - KEEP_BASES + 1)
        return head

    def collect_garbage(self, current: int) -> list[int]:
        """Delete segments (and their log rows) superseded for longer than the grace period, keeping the
        KEEP_BASES newest. Returns the numbers deleted."""
        cutoff = timezone.now() - dt.timedelta(seconds=self.grace_seconds)
        old = list(
            IndexSegment.objects.filter(
                number__lte=current - KEEP_BASES, superseded_at__lte=cutoff
            ).values_list("number", flat=True)
        )
        if old:
            IndexLogEntry.objects.filter(base__in=old).delete()
            IndexSegmentChunk.objects.filter(segment_id__in=old).delete()
            IndexSegment.objects.filter(number__in=old).delete()
        return old


# ---- full-model passage embeddings (the re-scorer's input) --------------------------------------------
# The background worker embeds passages on whichever machine it runs on; with the database store it also
# inserts them as IndexPassage rows, and every node copies the rows it lacks into its own passage store
# (techmatch.passages.PassageStore in MATCHING_INDEX_DIR/passages), remembering the last row it copied.
# Inserts are serialised by the index's head-row lock, so row ids become visible in increasing order and
# "everything after the last id copied" misses nothing.

PULL_EVERY_SECONDS = 2.0  # a web process looks for new rows at most this often
PULL_BATCH = 2000
_pulled_at: dict[str, float] = {}


def push_passages(cache: Path, passages: PassageStore, items: Sequence[tuple[str, str]]) -> int:
    """Publish the stored embeddings of ``items`` ((doc id, passage) pairs); returns rows inserted."""
    vecs, have = passages.lookup(items)
    rows = [
        IndexPassage(key=passages.key(i, t), vector=np.ascontiguousarray(v, "<f4").tobytes())
        for (i, t), v, h in zip(items, vecs, have, strict=True)
        if h
    ]
    if not rows:
        return 0
    with DatabaseStore(cache).lock():
        keys = [r.key for r in rows]
        known = set(IndexPassage.objects.filter(key__in=keys).values_list("key", flat=True))
        fresh = [r for r in rows if r.key not in known]
        IndexPassage.objects.bulk_create(fresh)
    return len(fresh)


def pull_passages(passages: PassageStore, every: float | None = None) -> int:
    """Copy the published embeddings this node lacks into its passage store; returns how many.
    With ``every``, does nothing if this process looked less than that many seconds ago."""
    key = str(passages.path)
    if every is not None and time.monotonic() - _pulled_at.get(key, -1e9) < every:
        return 0
    _pulled_at[key] = time.monotonic()
    passages.path.mkdir(parents=True, exist_ok=True)
    marker = passages.path / "database-position"
    added = 0
    with (passages.path / ".database-pull.lock").open("a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            try:
                last = int(marker.read_text(encoding="utf-8").strip() or 0)
            except (FileNotFoundError, ValueError):
                last = 0
            while True:
                rows = list(
                    IndexPassage.objects.filter(id__gt=last)
                    .order_by("id")
                    .values_list("id", "key", "vector")[:PULL_BATCH]
                )
                if not rows:
                    break
                width = passages.dim * 4
                usable = [(k, bytes(v)) for _i, k, v in rows if len(v) == width]  # another model's rows: skip
                if usable:
                    vecs = np.frombuffer(b"".join(v for _k, v in usable), "<f4").reshape(
                        len(usable), passages.dim
                    )
                    added += passages.add_keyed([k for k, _v in usable], vecs.astype(np.float32))
                last = int(rows[-1][0])
                tmp = marker.with_suffix(".tmp")
                tmp.write_text(str(last), encoding="utf-8")
                os.replace(tmp, marker)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return added
