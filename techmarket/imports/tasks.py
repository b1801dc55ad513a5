"""Background imports. Tasks take the job's primary key and call the service (see background.py for the
embedded default without a broker)."""

from celery import shared_task

from .services import import_files_purge, import_job_check, import_job_run


@shared_task(acks_late=True)
def import_job_run_task(job_pk: int) -> str:
    return import_job_run(job_pk=job_pk).status


@shared_task(acks_late=True)
def reap_dead_jobs() -> int:
    """Periodic (every minute with celery beat): jobs whose worker died are marked failed with a reason."""
    from .jobs import import_jobs_reap

    return import_jobs_reap()


@shared_task(acks_late=True)
def import_job_step_task(step: str, job_pk: int) -> None:
    """A background step (check, run) of a job, owed through the outbox by background.submit."""
    if step == "import_job_check":
        import_job_check(job_pk=job_pk)
    elif step == "import_job_run":
        import_job_run(job_pk=job_pk)
    else:
        raise ValueError(step)


@shared_task
def import_files_purge_task() -> int:
    return import_files_purge()
