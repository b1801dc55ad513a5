from celery import shared_task

from .personal_data import personal_data_retention


@shared_task
def apply_personal_data_retention() -> dict[str, int]:
    return personal_data_retention()
