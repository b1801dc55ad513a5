"""Background imports. Tasks take the job's primary key and call the service (inline without a broker)."""

from celery import shared_task

from .services import import_job_run


@shared_task(acks_late=True)
def import_job_run_task(job_pk: int) -> str:
    return import_job_run(job_pk=job_pk).status
