"""Import jobs that never stay stuck: a heartbeat while running, a reaper for dead jobs, and re-running.

A running import writes every row inside one transaction, invisible to other connections until it
commits. Its heartbeat therefore goes around that transaction: into the cache (best effort) and, on
PostgreSQL, through a second short-lived connection that updates ``ImportJob.heartbeat_at`` at once.
A job is dead when it is "running" and its newest heartbeat is older than IMPORT_JOB_STALE_SECONDS (the
worker was killed: gunicorn's timeout, OOM, a deploy), or "queued" and not started within
IMPORT_JOB_QUEUE_TIMEOUT_SECONDS. The reaper (periodic task, and the job page itself while it polls)
marks such jobs failed with a reason; the owner can then run the stored file again. An import that did
not finish wrote nothing (all or nothing), and a re-run is idempotent by external key anyway.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.workflow.engine import StaleTransition

from .models import ImportJob
from .workflow import import_job_move

logger = logging.getLogger(__name__)
Status = ImportJob.Status


def _stale_after() -> timedelta:
    return timedelta(seconds=getattr(settings, "IMPORT_JOB_STALE_SECONDS", 300))


def _queue_timeout() -> timedelta:
    return timedelta(seconds=getattr(settings, "IMPORT_JOB_QUEUE_TIMEOUT_SECONDS", 3600))


def _heartbeat_key(job_pk: int) -> str:
    return f"imports:job:{job_pk}:heartbeat"


class Heartbeat:
    """Beats at most every IMPORT_JOB_HEARTBEAT_SECONDS; call ``beat()`` as often as convenient."""

    def __init__(self, job_pk: int) -> None:
        self.job_pk = job_pk
        self.every = timedelta(seconds=getattr(settings, "IMPORT_JOB_HEARTBEAT_SECONDS", 10))
        self.last: datetime | None = None
        self._side: Any = None

    def beat(self, *, force: bool = False) -> None:
        now = timezone.now()
        if not force and self.last is not None and now - self.last < self.every:
            return
        self.last = now
        try:
            cache.set(_heartbeat_key(self.job_pk), now.timestamp(), timeout=24 * 3600)
        except Exception:  # the cache is optional: the database heartbeat is what the reaper trusts
            logger.warning("imports: heartbeat of job %s not cached", self.job_pk, exc_info=True)
        try:
            self._write(now)
        except DatabaseError:
            logger.warning("imports: heartbeat of job %s not written", self.job_pk, exc_info=True)

    def _write(self, now: datetime) -> None:
        table = ImportJob._meta.db_table
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job_pk).update(heartbeat_at=now)
        elif connection.vendor == "postgresql":  # outside the import's transaction, visible at once
            if self._side is None:
                self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            with self._side.cursor() as cursor:
                cursor.execute(
                    f'UPDATE "{table}" SET "heartbeat_at" = %s WHERE "id" = %s',  # noqa: S608
                    [now, self.job_pk],
                )
        # SQLite: one writer at a time; the import's transaction holds the lock, so a reaper cannot
        # write either until it ends. The cache heartbeat is all there is meanwhile.

    def forget(self) -> None:
        """A finished step leaves no cached heartbeat behind (the next run starts from its own)."""
        try:
            cache.delete(_heartbeat_key(self.job_pk))
        except Exception:
            logger.warning("imports: heartbeat of job %s not cleared", self.job_pk, exc_info=True)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None


def last_heartbeat(job: ImportJob) -> datetime | None:
    """The newest sign of life: the database heartbeat, the cached one, the start or the last write."""
    stamps = [t for t in (job.heartbeat_at, job.started_at, job.updated_at) if t is not None]
    try:
        cached = cache.get(_heartbeat_key(job.pk))
    except Exception:
        cached = None
    if cached:
        stamps.append(datetime.fromtimestamp(float(cached), tz=timezone.get_current_timezone()))
    return max(stamps) if stamps else None


def job_is_dead(job: ImportJob, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    if job.status in (Status.RUNNING, Status.CHECKING):
        beat = last_heartbeat(job)
        return beat is None or now - beat > _stale_after()
    if job.status == Status.QUEUED:
        return now - job.updated_at > _queue_timeout()
    return False


def _dead_reason(job: ImportJob) -> str:
    if job.status == Status.CHECKING:
        return _(
            "校验进程已中断（超过 %(m)d 分钟没有心跳，可能是服务重启或超时）。数据均未写入，请重新上传文件。"
        ) % {"m": max(1, int(_stale_after().total_seconds() // 60))}
    if job.status == Status.RUNNING:
        return _(
            "导入进程已中断（超过 %(m)d 分钟没有心跳，可能是服务重启或超时）。未完成的导入不会写入任何数据，"
            "请点击“重新运行”。"
        ) % {"m": max(1, int(_stale_after().total_seconds() // 60))}
    return _(
        "导入任务排队超过 %(m)d 分钟仍未开始（后台任务服务可能不可用）。数据均未写入，请点击“重新运行”。"
    ) % {"m": max(1, int(_queue_timeout().total_seconds() // 60))}


def import_job_reap(*, job: ImportJob) -> bool:
    """Mark one dead job failed with the reason; True when it was. Leaves live and finished jobs alone."""
    if not job_is_dead(job):
        return False
    reason = _dead_reason(job)
    was = job.status
    try:
        # The move checks the state and the attempt the reaper saw: a job that finished or was started
        # again meanwhile keeps its state.
        import_job_move(
            job=job, action="reap", reason=reason, expected_state=was, changes={"processed_rows": 0}
        )
        reaped = True
    except ValidationError:  # moved on meanwhile (a stale move is refused)
        reaped = False
    except DatabaseError:  # SQLite: the import still holds the write lock, so it is alive after all
        logger.info("imports: job %s not reaped, database busy", job.pk)
        return False
    if reaped:
        logger.warning("imports: job %s reaped: %s", job.pk, reason)
        if was == Status.CHECKING and job.file:
            # Never confirmed, so never re-run: the upload (confidential details) goes at once.
            job.file.delete(save=False)
            ImportJob.objects.filter(pk=job.pk).update(file="")
    return bool(reaped)


def import_jobs_reap() -> int:
    """Periodic: every dead job failed with a reason. Returns how many."""
    now = timezone.now()
    candidates = ImportJob.objects.filter(
        Q(status__in=[Status.RUNNING, Status.CHECKING])
        | Q(status=Status.QUEUED, updated_at__lt=now - _queue_timeout())
    )
    return sum(import_job_reap(job=job) for job in candidates)


def can_rerun(job: ImportJob) -> bool:
    """A job that failed without row errors (interrupted, reaped, an internal error) or that is stuck."""
    if not job.file:
        return False
    if job.status == Status.FAILED:
        return not job.error_report
    return job_is_dead(job)


def import_job_rerun(*, job: ImportJob, acting_user: Any) -> ImportJob:
    """Run a failed or stuck job's stored file again (in the background when it is large)."""
    from .services import check_import_permission, import_job_run

    check_import_permission(acting_user, job.owner)
    if job.status in (Status.QUEUED, Status.RUNNING):
        import_job_reap(job=job)
        job.refresh_from_db()
    if not can_rerun(job):
        raise ValidationError(
            _("该导入任务当前状态为“%(s)s”，不能重新运行。有逐行错误的文件请改正后重新上传。")
            % {"s": job.get_status_display()}
        )
    from . import background

    large = job.total_rows > settings.IMPORT_INLINE_ROWS
    with transaction.atomic():  # the queued status and the owed background run commit together
        try:
            import_job_move(
                job=job,
                action="rerun",
                acting_user=acting_user,
                expected_state=Status.FAILED,
                changes={"finished_at": None, "processed_rows": 0, "heartbeat_at": None},
            )
        except StaleTransition:  # a double click: the first one re-queued it
            job.refresh_from_db()
            return job
        if large:  # a Celery task through the outbox, or a thread on the embedded default
            background.submit("import_job_run", job.pk)
    if not large:
        import_job_run(job_pk=job.pk)
    job.refresh_from_db()
    return job


def claim_for_run(job_pk: int) -> int | None:
    """queued → running, once: returns this run's attempt number, or None when another run has it."""
    job = ImportJob.objects.select_related("owner").filter(pk=job_pk, status=Status.QUEUED).first()
    if job is None:
        return None
    try:
        import_job_move(
            job=job,
            action="start",
            expected_state=Status.QUEUED,
            changes={"attempts": job.attempts + 1, "heartbeat_at": timezone.now()},
        )
    except ValidationError:  # another delivery of the task claimed it first
        return None
    return job.attempts
