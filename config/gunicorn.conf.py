"""gunicorn for production: ``gunicorn -c config/gunicorn.conf.py config.wsgi:application``.

The application, and the matching index with it, is loaded once in the master before the workers are
forked (preload_app). The index's arrays are memory-mapped files and its Python objects were built
before the fork, so the workers share those pages instead of each loading the index on its first
matching request (seconds per worker, ~7 s when four do it at once) and holding a private copy. A
respawned worker starts warm. Memory per worker is best read as PSS (shared pages split among their
users): ``python scripts/pss.py <master pid>``.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
# Sync workers, two per core (the production machine has 2): a request spends part of its time waiting on
# PostgreSQL and Redis, which a second worker per core fills; more workers add memory and queue for the
# same CPU. At saturation requests wait in the listen backlog, not in a worker (bench/results/load.json).
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in {"0", "false", "no"}
accesslog = os.environ.get("GUNICORN_ACCESSLOG") or None
pidfile = os.environ.get("GUNICORN_PIDFILE") or None


def _warm(log) -> None:  # type: ignore[no-untyped-def]
    from techmarket.matching.warmup import warm_matching_index

    try:
        info = warm_matching_index()
        log.info("matching index loaded before serving: %s", info)
    except Exception:  # serving without a warm index beats not serving
        log.exception("matching index warm-up failed; workers will load it on first use")


def when_ready(server) -> None:  # type: ignore[no-untyped-def]
    """Master, after the preloaded application is imported and before any worker is forked."""
    if server.cfg.preload_app:
        _warm(server.log)
        from django.db import connections

        connections.close_all()  # never share a database connection across the fork


def post_fork(server, worker) -> None:  # type: ignore[no-untyped-def]
    """Each worker: catch up with changes since the fork (or load the index when not preloaded)."""
    _warm(server.log)
