"""Follow-up work that survives a broker outage.

A service that changes data calls ``outbox_enqueue(task=..., args=[...])`` inside its transaction: the
message row commits or rolls back with the change. After the commit the message is handed to Celery
(inline without a broker); when the broker refuses, the change still stands, the row stays pending and
``outbox_dispatch_due`` (periodic, see CELERY_BEAT_SCHEDULE, or ``manage.py outbox_dispatch``) sends it
later with growing delays. A message runs at most once: the worker claims the row (queued → running)
with a conditional update, so a message delivered twice, or queued again after a lost hand-over, finds
the row already claimed and does nothing. A worker that dies mid-run leaves the row "running"; after
OUTBOX_RUN_LEASE_SECONDS it is queued again (at-least-once for crashed runs, exactly-once otherwise).
"""

from __future__ import annotations

import fnmatch
import importlib
import logging
import time
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError, connection, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import OutboxMessage

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status

# After a refused hand-over this process stops trying after commits for OUTBOX_BROKER_CIRCUIT_SECONDS:
# a hung broker then costs one timeout, not one per request; the periodic dispatcher sends the backlog.
_broker_down_until = 0.0


def broker_circuit_reset() -> None:
    global _broker_down_until
    _broker_down_until = 0.0


def _name(task: Any) -> str:
    return task if isinstance(task, str) else str(task.name)


def message_queue(task: str) -> str | None:
    """The Celery queue a message for ``task`` is sent to: the task's own route in CELERY_TASK_ROUTES
    (exact name or glob pattern), so that the generic runner carries heavy matching work to the
    "matching" queue and follow-up work to the default one. None: the default queue."""
    for pattern, route in (getattr(settings, "CELERY_TASK_ROUTES", None) or {}).items():
        if fnmatch.fnmatchcase(task, pattern) and isinstance(route, dict) and route.get("queue"):
            return str(route["queue"])
    return None


def _backoff(attempts: int) -> timedelta:
    base = getattr(settings, "OUTBOX_RETRY_BASE_SECONDS", 10)
    return timedelta(seconds=min(base * 2 ** max(attempts - 1, 0), 3600))


def outbox_enqueue(
    *, task: Any, args: Sequence[Any] = (), kwargs: dict[str, Any] | None = None
) -> OutboxMessage:
    """Owe ``task(*args, **kwargs)`` once the current transaction commits (now, outside a transaction).

    ``task`` is a Celery task or its registered name; arguments must be JSON (primary keys, labels).
    """
    message = OutboxMessage.objects.create(task=_name(task), args=list(args), kwargs=dict(kwargs or {}))
    transaction.on_commit(lambda: outbox_dispatch(message_id=message.pk, task=message.task))
    return message


def _claim_for_sending(message_id: int) -> bool:
    """pending → queued, counted as one attempt; False when another dispatcher got there first."""
    return bool(
        OutboxMessage.objects.filter(pk=message_id, status=Status.PENDING).update(
            status=Status.QUEUED,
            claimed_at=timezone.now(),
            attempts=F("attempts") + 1,
            updated_at=timezone.now(),
        )
    )


def _send(message_id: int, task: str) -> bool:
    """Hand a claimed message to Celery, on its task's queue. Never raises: a refused broker puts the row
    back to pending."""
    from .tasks import run_message

    try:
        run_message.apply_async((message_id,), retry=False, queue=message_queue(task))
    except Exception as exc:  # the broker is down or hung: the change is saved, the work waits
        global _broker_down_until
        _broker_down_until = time.monotonic() + getattr(settings, "OUTBOX_BROKER_CIRCUIT_SECONDS", 10)
        attempts = OutboxMessage.objects.filter(pk=message_id).values_list("attempts", flat=True).first() or 1
        OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED).update(
            status=Status.PENDING,
            available_at=timezone.now() + _backoff(attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
            updated_at=timezone.now(),
        )
        logger.warning("outbox: message %s not queued, will retry: %s", message_id, exc)
        return False
    broker_circuit_reset()
    return True


def outbox_dispatch(*, message_id: int, task: str) -> bool:
    """Send one pending message (the after-commit path). True when it was handed over."""
    if time.monotonic() < _broker_down_until:
        return False  # the broker refused moments ago: leave it to the periodic dispatcher
    try:
        if not _claim_for_sending(message_id):
            return False
        return _send(message_id, task)
    except Exception:  # never turn a saved change into an error page
        logger.exception("outbox: dispatching message %s failed", message_id)
        return False


def _release_expired_leases(now: Any) -> int:
    """Queued messages the broker lost and runs whose worker died go back to pending."""
    queue_lease = timedelta(seconds=getattr(settings, "OUTBOX_QUEUE_LEASE_SECONDS", 900))
    run_lease = timedelta(seconds=getattr(settings, "OUTBOX_RUN_LEASE_SECONDS", 3600))
    return OutboxMessage.objects.filter(
        Q(status=Status.QUEUED, claimed_at__lt=now - queue_lease)
        | Q(status=Status.RUNNING, claimed_at__lt=now - run_lease)
    ).update(status=Status.PENDING, available_at=now, updated_at=now)


def _due_ids(now: Any, limit: int) -> list[tuple[int, str]]:
    """Claim up to ``limit`` due messages (id, task): FOR UPDATE SKIP LOCKED where the database has it
    (PostgreSQL), and in every case a conditional pending → queued update per row, so two dispatchers
    never both send."""
    due = OutboxMessage.objects.filter(status=Status.PENDING, available_at__lte=now).order_by(
        "available_at", "pk"
    )
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        rows = list(due.values_list("pk", "task")[:limit])
        return [(pk, task) for pk, task in rows if _claim_for_sending(pk)]


def outbox_dispatch_due(*, limit: int = 500) -> dict[str, int]:
    """Periodic: send every due pending message; stop at the first refusal (the broker is still down)."""
    now = timezone.now()
    released = _release_expired_leases(now)
    claimed = _due_ids(now, limit)
    sent = 0
    for i, (pk, task) in enumerate(claimed):
        if _send(pk, task):
            sent += 1
            continue
        # Broker down: give the rest of the batch back untouched (not counted as an attempt).
        rest = [other for other, _task in claimed[i + 1 :]]
        OutboxMessage.objects.filter(pk__in=rest, status=Status.QUEUED).update(
            status=Status.PENDING, attempts=F("attempts") - 1, updated_at=timezone.now()
        )
        break
    return {"released": released, "claimed": len(claimed), "sent": sent}


def _resolve(name: str) -> Any:
    from celery import current_app

    task = current_app.tasks.get(name)
    if task is None:  # a worker that has not imported the module yet
        module, _sep, attr = name.rpartition(".")
        task = getattr(importlib.import_module(module), attr)
    return task


def outbox_run(*, message_id: int) -> str:
    """Run a queued message exactly once (the worker side). Returns what happened."""
    now = timezone.now()
    claimed = OutboxMessage.objects.filter(pk=message_id, status=Status.QUEUED).update(
        status=Status.RUNNING, claimed_at=now, updated_at=now
    )
    if not claimed:
        return "skipped"
    message = OutboxMessage.objects.get(pk=message_id)
    try:
        _resolve(message.task)(*message.args, **message.kwargs)
    except Exception as exc:
        failed = message.attempts >= getattr(settings, "OUTBOX_MAX_ATTEMPTS", 8)
        _record_outcome(
            OutboxMessage.objects.filter(pk=message_id, status=Status.RUNNING),
            message_id,
            status=Status.FAILED if failed else Status.PENDING,
            available_at=timezone.now() + _backoff(message.attempts),
            last_error=f"{type(exc).__name__}: {exc}"[:2000],
        )
        logger.exception(
            "outbox: %s (message %s) failed, attempt %s", message.task, message_id, message.attempts
        )
        return "failed" if failed else "retry"
    _record_outcome(
        OutboxMessage.objects.filter(pk=message_id),
        message_id,
        status=Status.DONE,
        done_at=timezone.now(),
        last_error="",
    )
    return "done"


def _record_outcome(rows: Any, message_id: int, **fields: Any) -> None:
    """running → done / pending / failed. A database connection lost during the run (killed, restarted
    server) is opened again once, so the row does not stay "running" until OUTBOX_RUN_LEASE_SECONDS."""
    try:
        rows.update(**fields, updated_at=timezone.now())
    except (OperationalError, InterfaceError):
        if connection.in_atomic_block:
            raise
        logger.warning("outbox: database connection lost while running message %s, reconnecting", message_id)
        connection.close()
        rows.update(**fields, updated_at=timezone.now())


def outbox_purge_done(*, older_than_days: int = 14) -> int:
    """Periodic: delete messages done long ago (failed ones stay for an operator)."""
    cutoff = timezone.now() - timedelta(days=older_than_days)
    return OutboxMessage.objects.filter(status=Status.DONE, done_at__lt=cutoff).delete()[0]
