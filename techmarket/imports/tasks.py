"""Background imports. Tasks take the job's primary key and call the service (inline without a broker)."""

from celery import shared_task

from .services import import_job_run


@shared_task(acks_late=True)
def import_job_run_task(job_pk: int) -> str:
    return import_job_run(job_pk=job_pk).status


@shared_task(acks_late=True)
def reap_dead_jobs() -> int:
    """Periodic (every minute with celery beat): jobs whose worker died are marked failed with a reason."""
    from .jobs import import_jobs_reap

    return import_jobs_reap()
