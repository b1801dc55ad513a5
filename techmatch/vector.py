"""Vector search: exact numpy inner product, hnswlib HNSW (M=16, ef=200) above a size threshold.

Rows are addressed by *slot* (the lexical index's slot space).  HNSW items carry
stable *labels* (append order); ``take`` (after a lexical merge renumbers slots) only
remaps labels and marks the dropped ones deleted, so the graph is never rebuilt.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]
I64 = npt.NDArray[np.int64]
# Exact search reads the whole matrix per query (memory bound: ~150 MB at 100k x 384);
# above this many rows HNSW is used for top-k.
EXACT_LIMIT = 50_000


class VectorIndex:
    def __init__(self, dim: int, exact_limit: int = EXACT_LIMIT) -> None:
        self.dim = dim
        self.exact_limit = exact_limit
        self._main: F32 = np.zeros((0, dim), np.float32)  # read-only after load (memory-mapped)
        self._buf: F32 = np.zeros((0, dim), np.float32)  # appended rows (capacity buffer)
        self._nd = 0  # rows used in _buf
        self._label: I64 = np.zeros(0, np.int64)  # slot -> label (capacity buffer)
        self._next_label = 0
        self._hnsw: Any = None
        self._hnsw_n = 0  # labels < this are in the graph

    def __len__(self) -> int:
        return len(self._main) + self._nd

    @property
    def matrix(self) -> F32:
        """All rows (copies when appended rows exist; prefer :meth:`scores` / :meth:`rows`)."""
        if not self._nd:
            return self._main
        return np.vstack([self._main, self._buf[: self._nd]])

    def rows(self, slots: I64) -> F32:
        slots = np.asarray(slots, np.int64)
        nm = len(self._main)
        out = np.empty((len(slots), self.dim), np.float32)
        lo = slots < nm
        out[lo] = self._main[slots[lo]]
        out[~lo] = self._buf[slots[~lo] - nm]
        return out

    def append(self, vecs: F32) -> None:
        rows = np.asarray(vecs, np.float32).reshape(-1, self.dim)
        n0, need = len(self), len(self) + len(rows)
        if self._nd + len(rows) > len(self._buf):
            buf = np.zeros((max(self._nd + len(rows), 2 * len(self._buf), 64), self.dim), np.float32)
            buf[: self._nd] = self._buf[: self._nd]
            self._buf = buf
        if need > len(self._label):
            lab = np.zeros(max(need, 2 * len(self._label), 64), np.int64)
            lab[:n0] = self._label[:n0]
            self._label = lab
        self._buf[self._nd : self._nd + len(rows)] = rows
        self._label[n0:need] = np.arange(self._next_label, self._next_label + len(rows))
        self._next_label += len(rows)
        self._nd += len(rows)

    def take(self, slots: I64) -> None:
        """Keep only ``slots`` (in that order), e.g. after the lexical index merged."""
        labels = self._label[: len(self)]
        if self._hnsw is not None:
            gone = np.setdiff1d(labels[labels < self._hnsw_n], labels[slots])
            for lab in gone:
                self._hnsw.mark_deleted(int(lab))
        self._main = self.rows(np.asarray(slots, np.int64))
        self._label = labels[slots].copy()
        self._buf = np.zeros((0, self.dim), np.float32)
        self._nd = 0

    def scores(self, q: F32) -> npt.NDArray[np.float64]:
        """Exact cosine of every slot."""
        qq = np.asarray(q, np.float32)
        main = self._main @ qq
        if self._nd:
            main = np.concatenate([main, self._buf[: self._nd] @ qq])
        return main.astype(np.float64)

    def search(self, q: F32, k: int) -> tuple[I64, F32]:
        """Top-k slots and similarities (exact below ``exact_limit`` rows, else HNSW)."""
        n = len(self)
        if n <= self.exact_limit:
            s = self.scores(q)
            idx = np.lexsort((np.arange(n), -np.round(s, 9)))[:k]
            return idx.astype(np.int64), s[idx].astype(np.float32)
        self.ensure_hnsw()
        k = min(k, n)
        self._hnsw.set_ef(max(200, k))
        labels, dist = self._hnsw.knn_query(np.asarray(q, np.float32).reshape(1, -1), k=k)
        slot_of = np.full(self._next_label, -1, np.int64)
        slot_of[self._label[:n]] = np.arange(n)
        slots = slot_of[labels[0].astype(np.int64)]
        ok = slots >= 0
        return slots[ok], (1.0 - dist[0][ok]).astype(np.float32)

    def ensure_hnsw(self) -> None:
        import hnswlib  # type: ignore[import-untyped,unused-ignore]

        if self._hnsw is None:
            self._hnsw = hnswlib.Index(space="ip", dim=self.dim)
            self._hnsw.init_index(
                max_elements=max(self._next_label * 2, 1024), ef_construction=200, M=16, random_seed=100
            )
            self._hnsw.set_num_threads(1)
            self._hnsw_n = 0
        if self._hnsw_n < self._next_label:
            labels = self._label[: len(self)]
            new = np.flatnonzero(labels >= self._hnsw_n)
            new = new[np.argsort(labels[new])]
            if self._next_label > self._hnsw.get_max_elements():
                self._hnsw.resize_index(self._next_label * 2)
            if len(new):
                self._hnsw.add_items(self.rows(new), labels[new])
            self._hnsw_n = self._next_label

    def save(self, path: str | Path) -> None:
        p = Path(path)
        np.save(p, self.matrix)
        np.save(p.with_suffix(".labels.npy"), self._label[: len(self)])
        if self._hnsw is not None:
            self._hnsw.save_index(str(p.with_suffix(".hnsw")))
        p.with_suffix(".meta.json").write_text(
            json.dumps({"hnsw_n": self._hnsw_n, "next_label": self._next_label})
        )

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> VectorIndex:
        import hnswlib  # type: ignore[import-untyped,unused-ignore]

        p = Path(path)
        m = np.load(p, mmap_mode="r" if mmap else None)
        v = cls(int(m.shape[1]))
        v._main = m.view(np.ndarray)
        lp = p.with_suffix(".labels.npy")
        v._label = np.load(lp) if lp.exists() else np.arange(len(m), dtype=np.int64)
        meta = (
            json.loads(p.with_suffix(".meta.json").read_text())
            if p.with_suffix(".meta.json").exists()
            else {}
        )
        v._next_label = int(meta.get("next_label", int(v._label.max()) + 1 if len(v._label) else 0))
        if p.with_suffix(".hnsw").exists():
            v._hnsw = hnswlib.Index(space="ip", dim=v.dim)
            v._hnsw.load_index(str(p.with_suffix(".hnsw")), max_elements=max(v._next_label * 2, 1024))
            v._hnsw.set_num_threads(1)
            v._hnsw_n = int(meta["hnsw_n"])
        return v
