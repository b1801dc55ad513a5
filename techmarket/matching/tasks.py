"""Background work of matching. Tasks take primary keys and call a service (inline without a broker)."""

from typing import Any

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def reindex_item(label: str, pk: int) -> str:
    return services.index_item(label=label, pk=pk)


@shared_task(acks_late=True)
def rematch_item(label: str, pk: int) -> dict[str, int]:
    return services.rematch_published(label=label, pk=pk)


@shared_task(acks_late=True)
def rebuild_index() -> dict[str, Any]:
    return services.rebuild_index()


def schedule_reindex(label: str, pk: int) -> None:
    """catalog.events listener: runs after the changing transaction commits."""
    if label in services.INDEXED_LABELS:
        reindex_item.delay(label, pk)


def schedule_rematch(label: str, pk: int) -> None:
    """catalog.events listener for publications (registered after schedule_reindex, so inline it runs
    on the fresh index)."""
    if label in services.REMATCHED_LABELS:
        rematch_item.delay(label, pk)
