"""Background work that turns the lexical index into the measured hybrid, without blocking anything.

Two things need the full model, and both run outside requests:

1. the static token table (the distilled encoder; minutes on one core, once per vocabulary): built from
   the indexed documents' texts, then the index is rebuilt with it (a new base: readers reload);
2. a passage embedding for every indexed item (``EngineConfig.passage_chars`` characters, the re-scorer's
   input), appended to the shared passage store (techmatch/passages.py). Any item can enter a query's
   top candidates, so every item needs one; new and changed items are picked up by the next pass.

``run_pending()`` does whatever is missing and returns; it is called by the ``matching_dense_worker``
command in a loop (the embedded default: ``make run`` starts it beside the web server) and by the Celery
task ``embed_pending`` (production: on the "matching" queue after every re-index and periodically, in
time slices of MATCHING_EMBED_SLICE_SECONDS that owe their continuation through the outbox). Until a step is done the site
serves what it has: lexical + structured, then with static vectors, then queries whose candidates all
have passages get the full-model re-scoring. Progress is written to ``dense-status.json`` in the index
directory and to the shared cache (a worker on another machine), and shown on the health page, which
says so when a pass under way has stopped making progress (STALL_MINUTES).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from django.core.cache import cache
from django.utils import timezone

from techmatch import Analyzer, build_static_encoder
from techmatch.dense import Encoder
from techmatch.passages import PassageStore

from . import engine as handle

logger = logging.getLogger(__name__)

MIN_STATIC_DOCS = 300  # fewer documents: the static encoder's IDF and whitening cannot be fitted
STATIC_VOCAB = 40000  # the benchmark's (bench.systems.STATIC_VOCAB)
BATCH = 16

_model: Encoder | None = None


def status_path() -> Path:
    return handle.index_dir() / "dense-status.json"


# The status also goes to the shared cache: with several machines the worker that embeds (a `-Q matching`
# Celery worker) does not share MATCHING_INDEX_DIR with the web nodes whose health page shows it.
STATUS_CACHE_KEY = "matching:dense-status"
# A pass under way (phase passages / token_table / reindex) writes its status at least every batch; one
# that has not written for this long has stopped - no process serves the "matching" queue, or it died.
STALL_MINUTES = 15
_WORKING = ("passages", "token_table", "reindex")


def _read_file() -> dict[str, Any]:
    try:
        return dict(json.loads(status_path().read_text(encoding="utf-8")))
    except (FileNotFoundError, ValueError):
        return {}


def _read_cache() -> dict[str, Any]:
    try:
        return dict(cache.get(STATUS_CACHE_KEY) or {})
    except Exception:  # noqa: BLE001 - any cache failure (core.cache.CacheUnavailable, redis-py's): the file is the fallback
        return {}


def read_status() -> dict[str, Any]:
    """The newest status written: this node's file (the embedded default's worker process) or the shared
    cache (a worker on another machine; a per-process memory cache holds only this process's writes)."""
    found: list[dict[str, Any]] = [st for st in (_read_file(), _read_cache()) if st]
    found.sort(key=lambda st: str(st.get("updated_at") or ""))
    return found[-1] if found else {}


def _write_status(**values: Any) -> None:
    path = status_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {**_read_file(), **values, "updated_at": timezone.now().isoformat()}
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)
    try:
        cache.set(STATUS_CACHE_KEY, data, None)
    except Exception:  # noqa: BLE001 - sharing the status is best effort; the pass must go on
        logger.warning("matching: embedding status not shared (cache unavailable)", exc_info=True)


def model() -> Encoder:
    """The full model of this process (loaded once)."""
    global _model
    if _model is None:
        _model = handle.full_model_encoder()
    return _model


def ensure_static(encoder: Encoder | None = None, force: bool = False) -> bool:
    """Build the static encoder from the indexed texts and rebuild the index with it, unless the index
    already has one. Returns True when it (re)built."""
    from . import services

    eng = handle.get_engine()
    if eng.encoder is not None and not force:
        return False
    texts = [d.text() for d in eng.docs.values()]
    if len(texts) < MIN_STATIC_DOCS:
        _write_status(static="too_few", static_documents=len(texts))
        return False
    analyzer = Analyzer(services.domain_terms())

    def progress(done: int, total: int) -> None:
        _write_status(phase="token_table", done=done, total=total)

    _write_status(phase="token_table", done=0, total=0)
    static = build_static_encoder(
        texts,
        analyzer.words,
        encoder or model(),
        handle.index_dir() / "cache",
        vocab_size=STATIC_VOCAB,
        progress=progress,
    )
    # The rebuild fills a new index with the new encoder while the current one keeps serving: every item
    # stays findable during the minutes it takes, and a worker that dies meanwhile loses nothing.
    _write_status(phase="reindex")
    result = services.rebuild_index(encoder=static)
    _write_status(phase="passages", static="ready", static_documents=result["documents"])
    return True


def embed_missing(
    encoder: Encoder | None = None, limit: int | None = None, should_stop: Callable[[], bool] | None = None
) -> int:
    """Embed the passages of indexed items that have none (new or changed text), best-effort in batches;
    returns how many were embedded."""
    return _embed(encoder, limit, should_stop)[0]


def _embed(
    encoder: Encoder | None, limit: int | None, should_stop: Callable[[], bool] | None
) -> tuple[int, int]:
    """embed_missing's work: (embedded, left), left being the items still without a passage."""
    eng = handle.get_engine()
    chars = handle.product_config().passage_chars
    items = [(d.id, d.short_text(chars)) for d in eng.docs.values()]
    enc = encoder or model()
    store = PassageStore(handle.passages_dir(), enc.dim, enc)
    shared = handle.store_kind() == "database"  # passages travel through the database to every node
    if shared:
        from .publication import pull_passages, push_passages

        pull_passages(store)  # what workers on other machines embedded already
    todo = store.missing(items)
    total = len(items)
    if limit is not None:
        todo = todo[:limit]
    done = total - len(store.missing(items))
    _write_status(passages_done=done, passages_total=total, phase="passages" if todo else "idle")
    n = 0
    started = time.monotonic()
    for i in range(0, len(todo), BATCH):
        if should_stop is not None and should_stop():
            break
        batch = todo[i : i + BATCH]
        n += store.embed(batch)
        if shared:
            push_passages(handle.index_dir(), store, batch)
        rate = n / max(time.monotonic() - started, 1e-9)
        _write_status(passages_done=done + n, passages_total=total, passages_per_second=round(rate, 2))
    if n:
        logger.info("matching: embedded %s passages", n)
    if done + n >= total:
        _write_status(phase="idle", passages_done=done + n, passages_total=total)
    return n, total - done - n


def run_pending(
    encoder: Encoder | None = None,
    should_stop: Callable[[], bool] | None = None,
    budget_seconds: float | None = None,
) -> dict[str, Any]:
    """One pass of everything missing (static encoder, then passages). Does nothing when MATCHING_DENSE is
    off; any error is recorded on the health page and logged, never raised to the caller's loop.

    With ``budget_seconds`` the pass stops embedding once that much time has gone (after the batch under
    way; building the static table is not split) and reports ``left``: the items still without a passage
    (the Celery task then owes its continuation). The next pass starts where this one stopped."""
    if not handle.dense_enabled():
        return {"dense": False}
    lock_path = handle.index_dir() / ".embedding.lock"
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("a+b") as lock:
        try:  # one pass at a time per index (several Celery workers, or a worker beside `make run`'s)
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return {"dense": True, "busy": True}
        deadline = None if budget_seconds is None else time.monotonic() + budget_seconds
        asked = 0

        def stop() -> bool:  # asked before each batch; the budget lets at least one batch through
            nonlocal asked
            asked += 1
            if should_stop is not None and should_stop():
                return True
            return deadline is not None and asked > 1 and time.monotonic() >= deadline

        try:
            built = ensure_static(encoder)
            embedded, left = _embed(encoder, None, stop)
        except Exception as exc:  # a broken model must not take the worker (or a Celery queue) down
            logger.exception("matching: background embedding failed")
            _write_status(phase="error", error=str(exc)[:300])
            return {"dense": True, "error": str(exc)}
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return {"dense": True, "static_built": built, "embedded": embedded, "left": left}


def progress() -> dict[str, Any]:
    """What the health page shows: the worker's phase and how many items have their passage embedded."""
    st = read_status()
    total = int(st.get("passages_total") or 0)
    done = int(st.get("passages_done") or 0)
    st["passages_share"] = round(100.0 * done / total, 1) if total else None
    st["stalled_minutes"] = None
    if st.get("phase") in _WORKING and st.get("updated_at"):
        try:
            quiet = timezone.now() - datetime.fromisoformat(str(st["updated_at"]))
        except ValueError:
            quiet = None
        if quiet is not None and quiet.total_seconds() >= STALL_MINUTES * 60:
            st["stalled_minutes"] = int(quiet.total_seconds() // 60)
    return st
