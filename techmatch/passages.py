"""Full-model passage embeddings shared by processes: an append-only store on disk.

Layout of the directory::

    vecs.f32    float32 rows, appended
    keys.log    one key per line ("<doc id>:<text hash>", see EmbeddingCache.key), appended after its row

A writer (the background embedder) appends rows, then their keys, under an fcntl lock; a key line is
written only after its row, so a reader that sees a complete key line can read its row.  Readers
``refresh()`` by reading only the new key lines and re-mapping the rows file (memory-mapped, nothing is
copied).  A changed document gets a new key (its text hash changes).

Unlike :class:`techmatch.dense.EmbeddingCache` (one process, rewritten on flush) this never rewrites what
is there, so a web process can look embeddings up while a worker fills them in.  A changed document
leaves its old row behind (a few hundred bytes per edit); a full rebuild of the store (delete the
directory, the background worker refills it) reclaims the space.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import numpy.typing as npt

from .dense import EmbeddingCache, Encoder

F32 = npt.NDArray[np.float32]


class PassageStore:
    key = staticmethod(EmbeddingCache.key)

    def __init__(self, path: str | Path, dim: int, encoder: Encoder | None = None) -> None:
        self.path = Path(path)
        self.dim = dim
        self.encoder = encoder
        self.keys: dict[str, int] = {}
        self._key_bytes = 0  # how much of keys.log has been read
        self._rows: npt.NDArray[np.float32] = np.zeros((0, dim), np.float32)
        self.refresh()

    # ---- reading ---------------------------------------------------------------------
    def refresh(self) -> int:
        """Read the keys appended since the last call; returns how many are new."""
        kp = self.path / "keys.log"
        try:
            size = kp.stat().st_size
        except FileNotFoundError:
            return 0
        if size < self._key_bytes:  # the store was deleted and refilled: start over
            self.keys, self._key_bytes = {}, 0
        if size <= self._key_bytes:
            return 0
        with kp.open("rb") as fh:
            fh.seek(self._key_bytes)
            chunk = fh.read(size - self._key_bytes)
        end = chunk.rfind(b"\n") + 1  # only complete lines
        new = 0
        for line in chunk[:end].decode("utf-8").splitlines():
            if line:
                self.keys[line] = len(self.keys)
                new += 1
        self._key_bytes += end
        if new:
            self._rows = np.memmap(self.path / "vecs.f32", np.float32, "r", shape=(len(self.keys), self.dim))
        return new

    def __len__(self) -> int:
        return len(self.keys)

    def __contains__(self, key: object) -> bool:
        return key in self.keys

    def lookup(self, items: Sequence[tuple[str, str]]) -> tuple[F32, list[bool]]:
        """Rows for (doc id, passage) pairs (zeros where missing) and which are present."""
        keys = [self.key(i, t) for i, t in items]
        have = [k in self.keys for k in keys]
        out = np.zeros((len(items), self.dim), np.float32)
        idx = [j for j, h in enumerate(have) if h]
        if idx:
            out[idx] = self._rows[[self.keys[keys[j]] for j in idx]]
        return out, have

    def missing(self, items: Sequence[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(i, t) for i, t in items if self.key(i, t) not in self.keys]

    # ---- writing ---------------------------------------------------------------------
    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.mkdir(parents=True, exist_ok=True)
        with (self.path / ".lock").open("a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)

    def add(self, items: Sequence[tuple[str, str]], vecs: F32) -> int:
        """Append embeddings of (doc id, passage) pairs that are not stored yet; returns how many."""
        return self.add_keyed([self.key(i, t) for i, t in items], vecs)

    def add_keyed(self, item_keys: Sequence[str], vecs: F32) -> int:
        """Append embeddings under their keys (e.g. copied from another node), skipping known keys."""
        with self._locked():
            self.refresh()
            rows: list[int] = []
            keys: list[str] = []
            for j, k in enumerate(item_keys):
                if k not in self.keys and k not in keys:
                    rows.append(j)
                    keys.append(k)
            if not keys:
                return 0
            # A crashed writer may have left rows without keys: cut the rows file to the keys we know.
            vp = self.path / "vecs.f32"
            with vp.open("a+b") as fh:
                fh.truncate(len(self.keys) * self.dim * 4)
                fh.write(np.ascontiguousarray(vecs[rows], np.float32).tobytes())
                fh.flush()
                os.fsync(fh.fileno())
            with (self.path / "keys.log").open("ab") as fh:
                fh.write("".join(k + "\n" for k in keys).encode("utf-8"))
                fh.flush()
                os.fsync(fh.fileno())
            self.refresh()
            return len(keys)

    def embed(self, items: Sequence[tuple[str, str]]) -> int:
        """Compute and store the missing embeddings of ``items`` (needs the encoder)."""
        todo = self.missing(items)
        if not todo or self.encoder is None:
            return 0
        return self.add(todo, self.encoder.encode_passages([t for _, t in todo]))

    def get(self, items: Sequence[tuple[str, str]]) -> F32:
        """EmbeddingCache-compatible: rows for the items, computing the missing ones."""
        self.embed(items)
        return self.lookup(items)[0]

    def flush(self) -> None:
        """Nothing to do: every add is already on disk."""
