"""Storage/retrieval backends.

The engine talks to a :class:`Backend`: it stores analysed documents (word tokens,
bigram tokens, dense vector) under a dense *slot* space and returns full score arrays
over slots.  :class:`FileBackend` keeps everything in-process and persists to a
directory (memory-mapped on load).  A PostgreSQL backend (e.g. postings tables or
tsvector + pgvector) can implement the same protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from .lexical import BM25Index
from .vector import VectorIndex

F64 = npt.NDArray[np.float64]
F32 = npt.NDArray[np.float32]


class Backend(Protocol):
    @property
    def ids(self) -> list[str]: ...
    @property
    def generation(self) -> int: ...

    def alive(self) -> npt.NDArray[np.bool_]: ...
    def slot(self, doc_id: str) -> int | None: ...
    def add(self, doc_id: str, words: Sequence[str], bigrams: Sequence[str], vec: F32 | None) -> None: ...
    def delete(self, doc_id: str) -> bool: ...
    def merge(self) -> None: ...
    def optimize(self) -> None: ...
    def word_scores(
        self,
        tokens: Sequence[str],
        max_df: float | None = None,
        max_terms: int | None = None,
        weights: Sequence[float] | None = None,
    ) -> F64: ...
    def bigram_scores(
        self,
        tokens: Sequence[str],
        max_df: float | None = None,
        max_terms: int | None = None,
        weights: Sequence[float] | None = None,
    ) -> F64: ...
    def dense_scores(self, vec: F32, depth: int) -> F64 | None: ...
    def vector(self, doc_id: str) -> F32 | None: ...
    def word_idf(self, tokens: Sequence[str]) -> dict[str, float]: ...
    def coverage(
        self, field: str, tokens: Sequence[str], slots: Sequence[int], max_terms: int
    ) -> tuple[F64, int]: ...
    def save(self, path: Path) -> None: ...


class FileBackend:
    """Word BM25 + bigram BM25 + dense vectors sharing one slot space."""

    def __init__(self, dim: int | None, k1: float = 1.5, b: float = 0.75, merge_every: int = 5000) -> None:
        self.words = BM25Index(k1, b)
        self.bigrams = BM25Index(k1, b)
        self.vectors = VectorIndex(dim) if dim else None
        self.merge_every = merge_every

    @property
    def ids(self) -> list[str]:
        return self.words.ids

    @property
    def generation(self) -> int:
        """Changes whenever slots are renumbered (merge)."""
        return self.words.generation

    def alive(self) -> npt.NDArray[np.bool_]:
        return self.words.alive

    def slot(self, doc_id: str) -> int | None:
        return self.words.slot_of.get(doc_id)

    def add(self, doc_id: str, words: Sequence[str], bigrams: Sequence[str], vec: F32 | None) -> None:
        self.words.add(doc_id, words)
        self.bigrams.add(doc_id, bigrams)
        if self.vectors is not None:
            self.vectors.append(vec if vec is not None else np.zeros(self.vectors.dim, np.float32))
        if self.words.delta_size >= self.merge_every:
            self.merge()

    def delete(self, doc_id: str) -> bool:
        self.bigrams.delete(doc_id)
        return self.words.delete(doc_id)

    def merge(self) -> None:
        live = np.flatnonzero(self.words.alive)
        self.words.merge()
        self.bigrams.merge()
        if self.vectors is not None:
            self.vectors.take(live)

    def optimize(self) -> None:
        """Build search structures ahead of queries (the HNSW graph for large indexes)."""
        if self.vectors is not None and len(self.vectors) > self.vectors.exact_limit:
            self.vectors.ensure_hnsw()

    def word_scores(
        self,
        tokens: Sequence[str],
        max_df: float | None = None,
        max_terms: int | None = None,
        weights: Sequence[float] | None = None,
    ) -> F64:
        return self.words.scores(tokens, weights, max_df=max_df, max_terms=max_terms)

    def bigram_scores(
        self,
        tokens: Sequence[str],
        max_df: float | None = None,
        max_terms: int | None = None,
        weights: Sequence[float] | None = None,
    ) -> F64:
        return self.bigrams.scores(tokens, weights, max_df=max_df, max_terms=max_terms)

    def dense_scores(self, vec: F32, depth: int) -> F64 | None:
        """Cosine per slot: exact for small indexes; else HNSW top ``depth`` (others 0)."""
        if self.vectors is None:
            return None
        if len(self.vectors) <= self.vectors.exact_limit:
            return self.vectors.scores(vec)
        slots, sims = self.vectors.search(vec, depth)
        out = np.zeros(len(self.vectors), np.float64)
        out[slots] = sims
        return out

    def vector(self, doc_id: str) -> F32 | None:
        s = self.slot(doc_id)
        if s is None or self.vectors is None:
            return None
        row: F32 = self.vectors.rows(np.asarray([s], np.int64))[0]
        return row

    def word_idf(self, tokens: Sequence[str]) -> dict[str, float]:
        tids, _ = self.words.query_terms(tokens)
        inv = {self.words.vocab[t]: t for t in set(tokens) if t in self.words.vocab}
        return {inv[int(t)]: float(v) for t, v in zip(tids, self.words.idf(tids), strict=True)}

    def coverage(
        self, field: str, tokens: Sequence[str], slots: Sequence[int], max_terms: int
    ) -> tuple[F64, int]:
        """Share of the query's informative ``field`` ("word" | "bigram") terms each slot contains,
        and the number of those terms."""
        idx = self.words if field == "word" else self.bigrams
        return idx.coverage(tokens, slots, max_terms)

    def save(self, path: Path) -> None:
        self.merge()
        self.words.save(path / "words")
        self.bigrams.save(path / "bigrams")
        if self.vectors is not None:
            self.vectors.save(path / "vectors.npy")

    @classmethod
    def load(cls, path: Path, mmap: bool = True) -> FileBackend:
        be = cls(None)
        be.words = BM25Index.load(path / "words", mmap)
        be.bigrams = BM25Index.load(path / "bigrams", mmap)
        if (path / "vectors.npy").exists():
            be.vectors = VectorIndex.load(path / "vectors.npy", mmap)
        return be
