"""Background work of matching. Tasks take primary keys and call a service (inline without a broker).

Queues (CELERY_TASK_ROUTES): reindex_item and rematch_item are short follow-up work on the default queue;
embed_pending, rebuild_index and reconcile_index are long and go to the "matching" queue, served by its
own worker in production, so a publish's follow-up work never waits behind an embedding pass.
"""

from typing import Any

from celery import shared_task
from django.conf import settings

from techmarket.outbox.models import OutboxMessage
from techmarket.outbox.services import outbox_enqueue

from . import embedding, services


@shared_task(acks_late=True)
def reindex_item(label: str, pk: int) -> str:
    """Re-index one item; with background embedding, then owe the pass that embeds its passage (after the
    re-index, so the pass sees the new text even though it runs on the other queue)."""
    outcome = services.index_item(label=label, pk=pk)
    if outcome == "indexed" and embedding_in_background():
        owe_embed_pass()
    return outcome


@shared_task(acks_late=True)
def rematch_item(label: str, pk: int) -> dict[str, int]:
    return services.rematch_published(label=label, pk=pk)


@shared_task(acks_late=True)
def rebuild_index() -> dict[str, Any]:
    return services.rebuild_index()


@shared_task(acks_late=True)
def reconcile_index() -> dict[str, int]:
    """Periodic (every 10 minutes with celery beat): re-index what is missing, stale or orphaned."""
    counts = services.index_reconcile()
    if counts.get("indexed") and embedding_in_background():
        owe_embed_pass()
    return counts


@shared_task(acks_late=True)
def embed_pending() -> dict[str, Any]:
    """Static token table if missing, then the passages of new and changed items (see embedding.py), for at
    most MATCHING_EMBED_SLICE_SECONDS of embedding: when items are left, the continuation is owed through
    the outbox and queued behind whatever arrived meanwhile, so nothing is lost and a worker serving both
    queues runs follow-up work between slices. A pass that finds another one running (busy) leaves the
    rest to it and to the periodic pass."""
    result = embedding.run_pending(budget_seconds=getattr(settings, "MATCHING_EMBED_SLICE_SECONDS", 60))
    if result.get("left"):
        result["continued"] = owe_embed_pass()
    return result


def owe_embed_pass() -> bool:
    """Owe one embed_pending run through the outbox, unless one is owed already and not yet started (it
    will see everything indexed before it starts). True when a message was written."""
    waiting = OutboxMessage.objects.filter(
        task=embed_pending.name, status__in=[OutboxMessage.Status.PENDING, OutboxMessage.Status.QUEUED]
    )
    if waiting.exists():
        return False
    outbox_enqueue(task=embed_pending)
    return True


def schedule_reindex(label: str, pk: int) -> None:
    """catalog.events listener: inside the changing transaction, owes a re-index through the outbox. With a
    Celery broker the re-index owes the embedding of the changed item's passage (reindex_item); without
    one (tasks inline) the background worker process (manage.py matching_dense_worker) picks it up on its
    next pass, so no request ever waits for the model."""
    if label in services.indexed_labels():
        outbox_enqueue(task=reindex_item, args=[label, pk])


def embedding_in_background() -> bool:
    return bool(getattr(settings, "MATCHING_DENSE", False)) and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", True
    )


def schedule_rematch(label: str, pk: int) -> None:
    """catalog.events listener for publications (registered after schedule_reindex, so its message is
    dispatched after the re-index and inline it runs on the fresh index)."""
    if label in services.rematched_labels():
        outbox_enqueue(task=rematch_item, args=[label, pk])
