"""Okapi BM25 (Lucene variant, as in bm25s) over a segmented inverted index.

Layout: one immutable *main* segment (term-major CSR postings, memory-mappable ``.npy``
files) plus a small in-memory *delta* segment and a tombstone mask.  Document
frequencies, the live document count and the average length are maintained
globally, so a score after any sequence of add/update/delete equals the score of
a full rebuild over the live documents (up to float rounding).  ``merge()`` folds
the delta into a new main segment.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
LONG_QUERY = 40
I32 = npt.NDArray[np.int32]
TF = npt.NDArray[np.uint16]  # term frequencies (capped at 65535)


def _csr_from_fwd(fwd: tuple[npt.NDArray[np.int64], I32, TF], n_terms: int) -> tuple[I32, I32, TF]:
    """Term-major postings from a forward CSR (doc-major) index."""
    ptr, terms, tfs = fwd
    docs = np.repeat(np.arange(len(ptr) - 1, dtype=np.int32), np.diff(ptr))
    order = np.argsort(terms, kind="stable")
    counts = np.bincount(terms, minlength=n_terms)
    pptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=pptr[1:])
    return pptr, docs[order], np.asarray(tfs)[order]  # type: ignore[return-value,unused-ignore]


def _csr(rows: Sequence[tuple[I32, TF]], n_terms: int) -> tuple[I32, I32, TF]:
    """Term-major postings (ptr, docs, tfs) from per-document (term ids, tfs)."""
    if rows:
        terms = np.concatenate([r[0] for r in rows]).astype(np.int32)
        tfs = np.concatenate([r[1] for r in rows]).astype(np.uint16)
        docs = np.repeat(np.arange(len(rows), dtype=np.int32), [len(r[0]) for r in rows])
    else:
        terms, tfs, docs = np.zeros(0, np.int32), np.zeros(0, np.uint16), np.zeros(0, np.int32)
    order = np.argsort(terms, kind="stable")
    counts = np.bincount(terms, minlength=n_terms)
    ptr = np.zeros(n_terms + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return ptr.astype(np.int64), docs[order], tfs[order]  # type: ignore[return-value,unused-ignore]


def _grow(arr: npt.NDArray[Any], n: int) -> npt.NDArray[Any]:
    """Return ``arr`` with room for at least ``n`` entries (capacity doubling, zero-filled)."""
    if len(arr) >= n:
        return arr
    out = np.zeros(max(n, 2 * len(arr), 16), arr.dtype)
    out[: len(arr)] = arr
    return out


class BM25Index:
    """Incremental BM25 index keyed by external string ids."""

    def __init__(self, k1: float = 1.5, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}
        self.ids: list[str] = []  # slot -> external id
        self.slot_of: dict[str, int] = {}
        # forward index: main slots in CSR arrays (memory-mappable), delta slots in a list
        self.fwd: tuple[npt.NDArray[np.int64], I32, TF] = (
            np.zeros(1, np.int64),
            np.zeros(0, np.int32),
            np.zeros(0, np.uint16),
        )
        self.delta_terms: list[tuple[I32, TF]] = []
        self._len = np.zeros(0, np.float64)  # capacity buffers; views below
        self._alive = np.zeros(0, bool)
        self._df = np.zeros(0, np.float64)
        self.total_len = 0.0
        self.n_main = 0
        self.generation = 0  # incremented by merge(): slot numbers change
        self.main: tuple[I32, I32, TF] | None = None
        self._delta: tuple[I32, I32, TF] | None = None

    @property
    def doc_len(self) -> F64:
        return self._len[: len(self.ids)]

    @doc_len.setter
    def doc_len(self, v: F64) -> None:
        self._len = np.asarray(v, np.float64).copy()

    @property
    def alive(self) -> npt.NDArray[np.bool_]:
        return self._alive[: len(self.ids)]

    @alive.setter
    def alive(self, v: npt.NDArray[np.bool_]) -> None:
        self._alive = np.asarray(v, bool).copy()

    @property
    def df(self) -> F64:
        return self._df[: len(self.vocab)]

    @df.setter
    def df(self, v: F64) -> None:
        self._df = np.asarray(v, np.float64).copy()

    def doc_terms(self, slot: int) -> tuple[I32, TF]:
        """(term ids, tfs) of a slot."""
        if slot >= self.n_main:
            return self.delta_terms[slot - self.n_main]
        ptr, terms, tfs = self.fwd
        a, b = int(ptr[slot]), int(ptr[slot + 1])
        return terms[a:b], tfs[a:b]

    # ---- bookkeeping -----------------------------------------------------------
    def __len__(self) -> int:
        return int(self.alive.sum())

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self.slot_of

    def _term_ids(self, tokens: Iterable[str], grow: bool) -> tuple[I32, TF]:
        cnt = Counter(tokens)
        ids: list[int] = []
        tfs: list[int] = []
        for tok in sorted(cnt):
            tid = self.vocab.get(tok)
            if tid is None:
                if not grow:
                    continue
                tid = self.vocab[tok] = len(self.vocab)
            ids.append(tid)
            tfs.append(min(cnt[tok], 65535))
        return np.asarray(ids, np.int32), np.asarray(tfs, np.uint16)

    def _ensure_df(self) -> None:
        self._df = _grow(self._df, len(self.vocab))

    def add(self, doc_id: str, tokens: Sequence[str]) -> None:
        """Add or replace one document (goes to the delta segment)."""
        if doc_id in self.slot_of:
            self.delete(doc_id)
        terms, tfs = self._term_ids(tokens, grow=True)
        self._ensure_df()
        slot = len(self.ids)
        self.ids.append(doc_id)
        self.slot_of[doc_id] = slot
        self.delta_terms.append((terms, tfs))
        self._len = _grow(self._len, slot + 1)
        self._alive = _grow(self._alive, slot + 1)
        self._len[slot] = float(tfs.sum())
        self._alive[slot] = True
        self.df[terms] += 1
        self.total_len += float(tfs.sum())
        self._delta = None

    def delete(self, doc_id: str) -> bool:
        slot = self.slot_of.pop(doc_id, None)
        if slot is None:
            return False
        terms, tfs = self.doc_terms(slot)
        self.df[terms] -= 1
        self.total_len -= float(tfs.sum())
        self.alive[slot] = False
        self._delta = None
        return True

    def build(self, docs: Iterable[tuple[str, Sequence[str]]]) -> None:
        """Bulk-add documents and merge them into the main segment."""
        for doc_id, toks in docs:
            self.add(doc_id, toks)
        self.merge()

    def merge(self) -> None:
        """Compact: live documents (main + delta) become the new main segment."""
        live = [s for s in range(len(self.ids)) if self.alive[s]]
        self.ids = [self.ids[s] for s in live]
        self.slot_of = {d: i for i, d in enumerate(self.ids)}
        rows = [self.doc_terms(s) for s in live]
        ptr = np.zeros(len(rows) + 1, np.int64)
        np.cumsum([len(t) for t, _ in rows], out=ptr[1:])
        self.fwd = (
            ptr,
            np.concatenate([t for t, _ in rows]).astype(np.int32) if rows else np.zeros(0, np.int32),
            np.concatenate([f for _, f in rows]).astype(np.uint16) if rows else np.zeros(0, np.uint16),
        )
        self.delta_terms = []
        self._len = self._len[live] if live else np.zeros(0)
        self._alive = np.ones(len(live), bool)
        self.main = _csr_from_fwd(self.fwd, len(self.vocab))
        self.n_main = len(live)
        self.generation += 1
        self._delta = None

    @property
    def delta_size(self) -> int:
        return len(self.ids) - self.n_main

    # ---- scoring -------------------------------------------------------------------
    def idf(self, term_ids: I32) -> F64:
        n = float(self.alive.sum())
        df = self.df[term_ids]
        return np.log(1.0 + (n - df + 0.5) / (df + 0.5))  # type: ignore[no-any-return,unused-ignore]

    def query_terms(self, tokens: Sequence[str], weights: Sequence[float] | None = None) -> tuple[I32, F64]:
        """Unique known term ids and their summed query weights."""
        acc: dict[int, float] = {}
        for i, tok in enumerate(tokens):
            tid = self.vocab.get(tok)
            if tid is not None and self.df[tid] > 0:
                acc[tid] = acc.get(tid, 0.0) + (1.0 if weights is None else weights[i])
        keys = sorted(acc)
        return np.asarray(keys, np.int32), np.asarray([acc[k] for k in keys], np.float64)

    def _segment_scores(
        self, seg: tuple[I32, I32, TF], offset: int, tids: I32, w: F64, norm: F64, out: F64
    ) -> None:
        ptr, pdocs, ptfs = seg
        n_terms = len(ptr) - 1
        sel = tids < n_terms
        tids, w = tids[sel], w[sel]
        if not len(tids):
            return
        starts = np.asarray(ptr[tids], np.int64)
        lens = np.asarray(ptr[tids + 1], np.int64) - starts
        total = int(lens.sum())
        if not total:
            return
        # positions of all postings of the query terms, without a Python loop
        idx = np.repeat(starts - np.cumsum(lens) + lens, lens) + np.arange(total, dtype=np.int64)
        docs = pdocs[idx]
        if offset:
            docs = docs + offset
        tf = ptfs[idx].astype(np.float64)
        contrib = np.repeat(w, lens) * tf / (tf + norm[docs])
        out += np.bincount(docs, weights=contrib, minlength=len(out))

    def scores(
        self,
        tokens: Sequence[str],
        weights: Sequence[float] | None = None,
        max_df: float | None = None,
        max_terms: int | None = None,
    ) -> F64:
        """BM25 score of every slot (dead slots are 0); index with :attr:`ids`.

        ``max_df`` (a share of the live documents) skips, in long queries (more than
        ``LONG_QUERY`` distinct terms), the terms found in more documents than that: the
        result is exact BM25 over the remaining terms and, like everything here, depends only
        on global statistics (so incremental == rebuild still holds).  The skip exists for
        speed only (a term costs one pass over its postings, i.e. its df): the engine applies
        it from EngineConfig.lexical_max_df_min_docs documents on.
        ``max_terms`` keeps only that many query terms with the highest qtf x IDF.
        """
        tids, qw = self.query_terms(tokens, weights)
        if max_df is not None and len(tids) > LONG_QUERY:
            keep = self.df[tids] <= max_df * float(self.alive.sum())
            tids, qw = tids[keep], qw[keep]
        if max_terms is not None and len(tids) > max_terms:
            pick = np.sort(np.lexsort((tids, -(qw * self.idf(tids))))[:max_terms])
            tids, qw = tids[pick], qw[pick]
        out = np.zeros(len(self.ids), np.float64)
        if not len(tids):
            return out
        w = qw * self.idf(tids)
        avgdl = self.total_len / max(float(self.alive.sum()), 1.0)
        norm = self.k1 * (1.0 - self.b + self.b * self.doc_len / max(avgdl, 1e-9))  # per slot
        if self.main is not None and self.n_main:
            self._segment_scores(self.main, 0, tids, w, norm, out)
        if self.delta_size:
            if self._delta is None:
                self._delta = _csr(self.delta_terms, len(self.vocab))
            self._segment_scores(self._delta, self.n_main, tids, w, norm, out)
        out[~self.alive] = 0.0
        return out

    def informative_terms(self, tokens: Sequence[str], max_terms: int) -> tuple[I32, F64]:
        """The query's ``max_terms`` most informative known terms (by qtf x IDF) and their IDF."""
        tids, qw = self.query_terms(tokens)
        if not len(tids):
            return tids, qw
        idf = self.idf(tids)
        pick = np.sort(np.lexsort((tids, -(qw * idf)))[:max_terms])
        return tids[pick], idf[pick]

    def coverage(self, tokens: Sequence[str], slots: Sequence[int], max_terms: int = 20) -> tuple[F64, int]:
        """Per slot: the IDF-weighted share of the query's informative terms the document contains.

        1.0 = the document has every one of the query's ``max_terms`` most informative terms;
        0.0 = none.  Independent of document length and of the other documents' scores, so it can
        be compared with an absolute threshold (unlike BM25 or rank fusion scores).  Also returns
        how many informative terms the query has (at most ``max_terms``).
        """
        tids, idf = self.informative_terms(tokens, max_terms)
        out = np.zeros(len(slots), np.float64)
        total = float(idf.sum())
        if total <= 0.0:
            return out, len(tids)
        for i, s in enumerate(slots):
            terms, _ = self.doc_terms(int(s))
            out[i] = float(idf[np.isin(tids, terms, assume_unique=True)].sum()) / total
        return out, len(tids)

    # ---- persistence ----------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write the index (delta merged first) as .npy files + JSON metadata."""
        self.merge()
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        assert self.main is not None
        ptr, pdocs, ptfs = self.main
        np.save(p / "post_ptr.npy", ptr)
        np.save(p / "post_docs.npy", pdocs)
        np.save(p / "post_tfs.npy", ptfs)
        np.save(p / "fwd_ptr.npy", self.fwd[0])
        np.save(p / "fwd_terms.npy", self.fwd[1])
        np.save(p / "fwd_tfs.npy", self.fwd[2])
        meta = {
            "k1": self.k1,
            "b": self.b,
            "ids": self.ids,
            "vocab": sorted(self.vocab, key=self.vocab.__getitem__),
        }
        (p / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, mmap: bool = True) -> BM25Index:
        p = Path(path)
        meta = json.loads((p / "meta.json").read_text(encoding="utf-8"))
        mode: Literal["r"] | None = "r" if mmap else None
        idx = cls(float(meta["k1"]), float(meta["b"]))
        idx.vocab = {t: i for i, t in enumerate(meta["vocab"])}
        idx.ids = list(meta["ids"])
        idx.slot_of = {d: i for i, d in enumerate(idx.ids)}

        def arr(name: str) -> npt.NDArray[Any]:
            out: npt.NDArray[Any] = np.load(p / name, mmap_mode=mode).view(np.ndarray)  # no memmap overhead
            return out

        idx.main = (arr("post_ptr.npy"), arr("post_docs.npy"), arr("post_tfs.npy"))
        fptr = np.load(p / "fwd_ptr.npy")
        fterms, ftfs = arr("fwd_terms.npy"), arr("fwd_tfs.npy")
        idx.fwd = (fptr, fterms, ftfs)
        idx.n_main = len(idx.ids)
        idx.alive = np.ones(idx.n_main, bool)
        cs = np.concatenate([[0.0], np.cumsum(np.asarray(ftfs, np.float64))])
        idx.doc_len = cs[fptr[1:]] - cs[fptr[:-1]]
        idx.df = np.bincount(np.asarray(fterms), minlength=len(idx.vocab)).astype(np.float64)
        idx.total_len = float(idx.doc_len.sum())
        return idx
