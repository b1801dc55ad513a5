from celery import shared_task

from . import reports


@shared_task(name="techmarket.analytics.tasks.generate_due_reports")
def generate_due_reports() -> list[str]:
    """Daily: the report of the month just ended (and of the half-year / year it closes), once."""
    return [reports.generate(kind=kind, month=month).title for kind, month in reports.due_reports()]
