"""Load the matching index before serving (gunicorn's master with preload_app, or each worker)."""

from __future__ import annotations

import logging
import time
from typing import Any

from . import engine as handle

logger = logging.getLogger(__name__)


def warm_matching_index() -> dict[str, Any]:
    """Open the index (memory-mapped) and run one search so lazily built structures exist before the
    first user asks. Cheap when already loaded: it only catches up with the change log."""
    started = time.perf_counter()
    snap = handle.get_snapshot()
    with handle.reading() as engine:
        if engine.docs:
            try:
                engine.search("技术", k=1)
            except Exception:  # loading is what matters; a failing probe search must not stop serving
                logger.warning("matching: warm-up search failed", exc_info=True)
    return {
        "documents": len(snap.engine.docs),
        "generation": snap.head.generation,
        "seconds": round(time.perf_counter() - started, 3),
    }
