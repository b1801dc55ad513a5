"""The outbox's Celery side: one generic runner and the periodic dispatcher."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def run_message(message_id: int) -> str:
    return services.outbox_run(message_id=message_id)


@shared_task(acks_late=True)
def dispatch_due() -> dict[str, int]:
    """Periodic (every minute with celery beat): send what could not be queued after its commit."""
    return services.outbox_dispatch_due()


@shared_task(acks_late=True)
def purge_done() -> int:
    return services.outbox_purge_done()
