from celery import shared_task

from .services import workflow_periodic


@shared_task
def workflow_overdue() -> dict[str, int]:
    """Overdue reminders across all workflows, then the holiday-calendar check (Celery beat, hourly)."""
    return workflow_periodic()
