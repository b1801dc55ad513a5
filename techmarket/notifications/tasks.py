"""Background work of notifications. Tasks take primary keys and call a service (inline without a broker)."""

from celery import shared_task

from techmarket.outbox.services import outbox_enqueue

from . import services


@shared_task(acks_late=True)
def notify_saved_searches(model_label: str, pk: int) -> dict[str, int]:
    return services.saved_search_notify(model_label=model_label, pk=pk)


@shared_task(acks_late=True)
def flush_saved_search_emails() -> int:
    """Periodic (e.g. every 15 minutes with celery beat): e-mail items that waited out the rate limit."""
    return services.saved_search_flush_due_emails()


def schedule_saved_search_notifications(model_label: str, pk: int) -> None:
    """catalog.events listener: inside the publishing transaction, owes the notices through the outbox."""
    outbox_enqueue(task=notify_saved_searches, args=[model_label, pk])


@shared_task(acks_late=True)
def notify_review_outcome(model_label: str, pk: int, action: str) -> int:
    from .review_notices import notify_review_outcome as notify

    return notify(model_label, pk, action)


def schedule_review_notice(model_label: str, pk: int, action: str) -> None:
    """catalog.events transition listener: the owner's notice about a review decision, owed through the outbox."""
    if action in {"publish", "request_changes", "reject"}:
        outbox_enqueue(task=notify_review_outcome, args=[model_label, pk, action])
