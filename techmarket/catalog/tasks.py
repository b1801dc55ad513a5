from celery import shared_task

from .expiry import listings_expire, listings_remind_expiring


@shared_task
def expire_and_remind_listings() -> dict[str, int]:
    return {"expired": listings_expire(), "reminded": listings_remind_expiring()}
