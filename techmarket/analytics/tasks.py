from celery import shared_task

from . import reports


@shared_task(name="techmarket.analytics.tasks.generate_due_reports")
def generate_due_reports() -> list[str]:
    """Daily: the report of the month just ended (and of the half-year / year it closes), once."""
    return [reports.generate(kind=kind, month=month).title for kind, month in reports.due_reports()]


@shared_task(name="techmarket.analytics.tasks.refresh_facts")
def refresh_facts() -> dict[str, int]:
    """Rebuild the indicators writes have made stale (queued by the first reader to see them, at most one at a
    time, and every five minutes by beat as a safety net)."""
    from django.core.cache import cache

    from . import facts

    try:
        return facts.refresh_stale()
    finally:
        cache.delete(facts.REFRESH_KEY)
