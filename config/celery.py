"""Celery application. Without CELERY_BROKER_URL tasks run inline (CELERY_TASK_ALWAYS_EAGER)."""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_init, worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

app = Celery("techmarket")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger("techmarket.celery")


def _warm(where: str) -> None:
    try:
        from techmarket.matching.warmup import warm_matching_index

        logger.info("matching index loaded in the %s: %s", where, warm_matching_index())
    except Exception:  # a worker without a warm index still works: it loads it on first use
        logger.exception("matching index warm-up failed in the %s", where)


@worker_init.connect
def warm_before_forking(**kwargs: Any) -> None:
    """A worker's main process loads the matching index before forking its pool (memory-mapped and
    shared, as gunicorn's master does), so the first re-index or re-match after a start or a restart does
    not wait for it (measured: 171 s for the first re-match of a cold worker at 100k items under load)."""
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
    _warm("worker")
    from django.db import connections

    connections.close_all()  # never share a database connection across the fork


@worker_process_init.connect
def catch_up_after_fork(**kwargs: Any) -> None:
    """Each pool process: catch up with the changes published since the fork."""
    _warm("pool process")
