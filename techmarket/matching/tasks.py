"""Background work of matching. Tasks take primary keys and call a service (inline without a broker)."""

from typing import Any

from celery import shared_task
from django.conf import settings

from techmarket.outbox.services import outbox_enqueue

from . import embedding, services


@shared_task(acks_late=True)
def reindex_item(label: str, pk: int) -> str:
    return services.index_item(label=label, pk=pk)


@shared_task(acks_late=True)
def rematch_item(label: str, pk: int) -> dict[str, int]:
    return services.rematch_published(label=label, pk=pk)


@shared_task(acks_late=True)
def rebuild_index() -> dict[str, Any]:
    return services.rebuild_index()


@shared_task(acks_late=True)
def reconcile_index() -> dict[str, int]:
    """Periodic (every 10 minutes with celery beat): re-index what is missing, stale or orphaned."""
    return services.index_reconcile()


@shared_task(acks_late=True)
def embed_pending() -> dict[str, Any]:
    """Static token table if missing, then the passages of new and changed items (see embedding.py)."""
    return embedding.run_pending()


def schedule_reindex(label: str, pk: int) -> None:
    """catalog.events listener: inside the changing transaction, owes a re-index through the outbox. With a
    Celery broker the changed item's passage is embedded by a worker right after; without one (tasks
    inline) the background worker process (manage.py matching_dense_worker) picks it up on its next pass,
    so no request ever waits for the model."""
    if label in services.indexed_labels():
        outbox_enqueue(task=reindex_item, args=[label, pk])
        if embedding_in_background():
            outbox_enqueue(task=embed_pending)


def embedding_in_background() -> bool:
    return bool(getattr(settings, "MATCHING_DENSE", False)) and not getattr(
        settings, "CELERY_TASK_ALWAYS_EAGER", True
    )


def schedule_rematch(label: str, pk: int) -> None:
    """catalog.events listener for publications (registered after schedule_reindex, so its message is
    dispatched after the re-index and inline it runs on the fresh index)."""
    if label in services.rematched_labels():
        outbox_enqueue(task=rematch_item, args=[label, pk])
