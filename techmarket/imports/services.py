"""Preview and all-or-nothing commit of an uploaded workbook; import jobs for large files.

Rows are saved through the spec's save() (the app's own services), each in a savepoint inside one
outer transaction: a service ValidationError on any row is reported with its row number and the
whole transaction is rolled back, so either every row is written or none.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.orgs.models import Organization
from techmarket.outbox.services import outbox_enqueue

from .export import format_cell
from .models import ImportJob
from .reader import ImportFileError, ParsedRow, ParsedSheet, RowError, read_upload
from .spec import ImportSpec
from .specs import get_spec

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50


@dataclass
class ImportPreview:
    total: int = 0
    new: int = 0
    update: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    file_error: str = ""
    # False when the file was too large to dry-run through the services before confirmation.
    services_checked: bool = True

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


@dataclass
class ImportResult:
    total: int = 0
    created: int = 0
    updated: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str = ""

    @property
    def ok(self) -> bool:
        return not self.file_error and not self.errors


class _Rollback(Exception):
    pass


def check_import_permission(acting_user: Any, owner: Organization) -> None:
    if roles.is_operator(acting_user):
        return
    if not roles.is_org_member(acting_user, owner):
        raise PermissionDenied(_("只能为自己所在的机构导入数据。"))


def _service_errors(spec: ImportSpec, row: ParsedRow, exc: ValidationError) -> list[RowError]:
    key_column = spec.external_key_column
    items = exc.message_dict.items() if hasattr(exc, "error_dict") else [("__all__", exc.messages)]
    errors = []
    for name, messages in items:
        column = spec.column_for_field(name.removesuffix("_id")) or key_column
        value = row.data.get(column.field)
        shown = format_cell(column, value)
        for message in messages:
            errors.append(
                RowError(
                    row.row,
                    column.header,
                    str(shown)[:50],
                    _("不符合要求：%(m)s") % {"m": str(message).rstrip("。")},
                    column.help if column is not key_column else "",
                )
            )
    return errors


def _save_rows(
    spec: ImportSpec,
    rows: list[ParsedRow],
    *,
    acting_user: Any,
    owner: Organization,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int, list[RowError]]:
    existing = spec.load_existing(owner, [r.key for r in rows if r.key])
    created = updated = 0
    errors: list[RowError] = []
    for number, row in enumerate(rows, start=1):
        obj = existing.get(row.key)
        try:
            with transaction.atomic():  # a savepoint: a failed row must not poison the outer transaction
                spec.save(row.data, obj, acting_user, owner)
        except ValidationError as exc:
            errors.extend(_service_errors(spec, row, exc))
        except IntegrityError:
            errors.append(
                RowError(
                    row.row,
                    spec.external_key_column.header,
                    row.key,
                    _("与已有记录冲突"),
                    _("检查外部编号是否与其他记录重复"),
                )
            )
        else:
            if obj is None:
                created += 1
            else:
                updated += 1
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(rows)):
            progress(number)
    return created, updated, errors


def _read(spec: ImportSpec, file: IO[bytes], name: str) -> ParsedSheet:
    return read_upload(spec, file, name=name)


def import_preview(
    spec: ImportSpec, file: IO[bytes], *, acting_user: Any, owner: Organization, name: str | None = None
) -> ImportPreview:
    """What an import would do, written nowhere: cell checks, then (for files up to
    IMPORT_INLINE_ROWS rows) a dry run through the services that is always rolled back."""
    check_import_permission(acting_user, owner)
    try:
        sheet = _read(spec, file, str(name or getattr(file, "name", "") or ""))
    except ImportFileError as exc:
        return ImportPreview(file_error=exc.message)
    preview = ImportPreview(
        total=sheet.total, errors=list(sheet.errors), ignored_headers=sheet.ignored_headers
    )
    existing = spec.load_existing(owner, [r.key for r in sheet.rows if r.key])
    preview.update = sum(1 for r in sheet.rows if r.key in existing)
    preview.new = len(sheet.rows) - preview.update
    if sheet.total > settings.IMPORT_INLINE_ROWS:
        preview.services_checked = False
        return preview
    try:
        with transaction.atomic():
            _created, _updated, errors = _save_rows(spec, sheet.rows, acting_user=acting_user, owner=owner)
            raise _Rollback
    except _Rollback:
        pass
    except PermissionDenied as exc:
        preview.file_error = str(exc) or _("没有权限为该机构导入数据。")
        return preview
    # Cell errors and service errors together, so one round of fixes is usually enough.
    preview.errors = sorted(preview.errors + errors, key=lambda e: e.row)
    return preview


def import_commit(
    spec: ImportSpec,
    file: IO[bytes],
    *,
    acting_user: Any,
    owner: Organization,
    name: str | None = None,
    job: ImportJob | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    """Write every row or none. One audit record "imports.job.commit" besides the services' own."""
    check_import_permission(acting_user, owner)
    try:
        sheet = _read(spec, file, str(name or getattr(file, "name", "") or ""))
    except ImportFileError as exc:
        return ImportResult(file_error=exc.message)
    result = ImportResult(total=sheet.total, errors=list(sheet.errors))
    if result.errors:
        return result
    try:
        with transaction.atomic():
            result.created, result.updated, errors = _save_rows(
                spec, sheet.rows, acting_user=acting_user, owner=owner, progress=progress
            )
            if errors:
                result.errors = sorted(errors, key=lambda e: e.row)
                raise _Rollback
            audit_record(
                actor=acting_user,
                action="imports.job.commit",
                target=job or owner,
                after={
                    "spec": spec.key,
                    "owner": owner.pk,
                    "file": name or getattr(file, "name", ""),
                    "total": result.total,
                    "created": result.created,
                    "updated": result.updated,
                },
            )
    except _Rollback:
        result.created = result.updated = 0
    except PermissionDenied as exc:
        result.file_error = str(exc) or _("没有权限为该机构导入数据。")
    return result


# --- jobs ---------------------------------------------------------------------------------------


def _progress_key(job_pk: int) -> str:
    return f"imports:job:{job_pk}:processed"


def job_processed_rows(job: ImportJob) -> int:
    """Rows written so far. While the import transaction is open the row is not visible to other
    connections, so a running job reports progress through the cache (shared via Redis in production)."""
    try:
        cached = int(cache.get(_progress_key(job.pk)) or 0)
    except Exception:  # the cache is down: show what the database knows rather than fail the page
        cached = 0
    return max(job.processed_rows, cached)


def import_job_create(
    *, spec: ImportSpec, upload: UploadedFile, acting_user: Any, owner: Organization
) -> tuple[ImportJob, ImportPreview]:
    """Store the upload, preview it and keep the preview on the job for the confirmation page."""
    check_import_permission(acting_user, owner)
    preview = import_preview(spec, upload, acting_user=acting_user, owner=owner, name=upload.name)
    with transaction.atomic():
        job = ImportJob(
            spec_key=spec.key,
            owner=owner,
            original_name=(upload.name or "")[-255:],
            created_by=acting_user,
            total_rows=preview.total,
            new_rows=preview.new,
            update_rows=preview.update,
            error_report=[e.as_dict() for e in preview.errors],
            message=preview.file_error,
        )
        if preview.file_error:
            job.status = ImportJob.Status.FAILED
            job.finished_at = timezone.now()
        else:
            upload.seek(0)
            job.file.save(upload.name or "upload.xlsx", upload, save=False)
            if preview.errors:
                job.status = ImportJob.Status.FAILED
                job.finished_at = timezone.now()
        job.save()
        audit_record(
            actor=acting_user,
            action="imports.job.upload",
            target=job,
            after={
                "spec": spec.key,
                "owner": owner.pk,
                "file": job.original_name,
                "total": preview.total,
                "new": preview.new,
                "update": preview.update,
                "errors": len(preview.errors),
            },
        )
    return job, preview


def import_job_start(*, job: ImportJob, acting_user: Any) -> ImportJob:
    """Confirm a previewed job: small files run now, large ones as a Celery task (inline without a broker)."""
    check_import_permission(acting_user, job.owner)
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError(
            _("该导入任务当前状态为“%(s)s”，不能再次确认。") % {"s": job.get_status_display()}
        )
    background = job.total_rows > settings.IMPORT_INLINE_ROWS
    with transaction.atomic():  # the queued status and the owed task commit together
        updated = ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.PREVIEW).update(
            status=ImportJob.Status.QUEUED, updated_at=timezone.now()
        )
        if not updated:  # a double click already queued it
            job.refresh_from_db()
            return job
        if background:
            from .tasks import import_job_run_task

            outbox_enqueue(task=import_job_run_task, args=[job.pk])
    if not background:
        import_job_run(job_pk=job.pk)
    job.refresh_from_db()
    return job


def import_job_run(*, job_pk: int) -> ImportJob:
    """Run a queued job: read the stored file again and commit it all-or-nothing.

    The job is claimed queued → running once (a task delivered twice finds it taken), beats while it
    runs (imports.jobs), and whatever stops it, an error, gunicorn's timeout (SystemExit) or a killed
    database connection, leaves it failed with a reason rather than "running" for ever; a killed
    process is caught by the reaper. A run that was reaped and started again does not report over
    the newer run."""
    from .jobs import Heartbeat, claim_for_run

    attempt = claim_for_run(job_pk)
    job = ImportJob.objects.select_related("owner", "created_by").get(pk=job_pk)
    if attempt is None:
        return job
    spec = get_spec(job.spec_key)
    key = _progress_key(job.pk)
    heartbeat = Heartbeat(job.pk)

    def progress(n: int) -> None:
        try:
            cache.set(key, n, timeout=24 * 3600)
        except Exception:  # progress display is optional; the import goes on without the cache
            logger.warning("imports: progress of job %s not cached", job_pk, exc_info=True)
        heartbeat.beat()

    mine = ImportJob.objects.filter(pk=job.pk, attempts=attempt)
    try:
        with job.file.open("rb") as handle:
            result = import_commit(
                spec,
                handle,
                acting_user=job.created_by,
                owner=job.owner,
                name=job.original_name,
                job=job,
                progress=progress,
            )
    except BaseException as exc:
        # Never leave a job "running" forever: the page would poll without end. BaseException: the
        # worker timeout arrives as SystemExit, a Celery time limit as its own exception.
        message = _("导入时发生内部错误，数据均未写入，请稍后点击“重新运行”或联系平台。")
        if not isinstance(exc, Exception):
            message = _("导入被中断（服务超时或重启），数据均未写入，请点击“重新运行”。")
        try:
            mine.update(
                status=ImportJob.Status.FAILED,
                finished_at=timezone.now(),
                message=message,
                processed_rows=0,
                updated_at=timezone.now(),
            )
        except Exception:  # the database itself is gone: the reaper will mark the job later
            logger.exception("imports: job %s could not be marked failed", job_pk)
        raise
    finally:
        heartbeat.close()
        try:
            cache.delete(key)
        except Exception:
            logger.warning("imports: progress of job %s not cleared", job_pk, exc_info=True)
    job.refresh_from_db()
    if job.attempts != attempt:
        return job
    job.finished_at = timezone.now()
    job.total_rows = max(job.total_rows, result.total)
    if result.ok:
        job.status = ImportJob.Status.SUCCEEDED
        job.processed_rows = job.total_rows
        job.new_rows, job.update_rows = result.created, result.updated
        job.error_report = []
        job.message = ""
    else:
        job.status = ImportJob.Status.FAILED
        job.processed_rows = 0
        job.error_report = [e.as_dict() for e in result.errors]
        job.message = result.file_error or _("有 %(n)d 行未通过校验，全部未导入。") % {
            "n": len({e.row for e in result.errors})
        }
    job.save()
    return job
