"""Run an import job's long step off the request.

With a broker, a Celery task owed through the outbox (sent after commit, retried while the broker is down). On the embedded default (no broker, tasks eager) a daemon
thread in the web process: the request returns at once to the progress page, the thread works in its own
database connection (SQLite in WAL mode lets the page read while the import writes, see settings) and
reports progress through the process cache. IMPORT_BACKGROUND_THREADS = False runs the step inline
(tests that need it synchronous).
"""

import logging
import threading

from django.conf import settings
from django.db import close_old_connections, connections, transaction

logger = logging.getLogger(__name__)

STEPS = ("import_job_check", "import_job_run")


def _run_step(step: str, job_pk: int) -> None:
    from . import services

    getattr(services, step)(job_pk=job_pk)


def _thread_main(step: str, job_pk: int) -> None:
    close_old_connections()
    try:
        _run_step(step, job_pk)
    except Exception:  # the service has already marked the job failed; keep the thread's death visible
        logger.exception("import job %s: %s failed", job_pk, step)
    finally:
        connections.close_all()


def start_thread(step: str, job_pk: int) -> threading.Thread:
    thread = threading.Thread(
        target=_thread_main, args=(step, job_pk), name=f"import-job-{job_pk}", daemon=True
    )
    thread.start()
    return thread


def submit(step: str, job_pk: int) -> None:
    """Schedule step(job_pk=...) after the current transaction commits."""
    if step not in STEPS:
        raise ValueError(step)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        from techmarket.outbox.services import outbox_enqueue

        from .tasks import import_job_step_task

        # Owed in the same transaction as the job's status; dispatched after commit, retried if the
        # broker is down (techmarket.outbox).
        outbox_enqueue(task=import_job_step_task, args=[step, job_pk])
    elif settings.IMPORT_BACKGROUND_THREADS:
        transaction.on_commit(lambda: start_thread(step, job_pk))
    else:
        transaction.on_commit(lambda: _run_step(step, job_pk))
