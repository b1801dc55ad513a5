"""Preview and all-or-nothing commit of an uploaded workbook; import jobs for large files.

Rows are saved through the spec's save() (the app's own services), each in a savepoint inside one
outer transaction: a service ValidationError on any row is reported with its row number and the
whole transaction is rolled back, so either every row is written or none.
"""

import datetime
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.orgs.models import Organization
from techmarket.workflow.engine import StaleTransition

from . import background
from .export import format_cell
from .markup import build_error_workbook
from .models import ImportJob
from .reader import ImportFileError, ParsedRow, ParsedSheet, RowError, count_data_rows, read_upload, shown
from .spec import ImportSpec
from .specs import get_spec
from .workflow import import_job_move

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 50


@dataclass
class ImportPreview:
    total: int = 0
    new: int = 0
    update: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_headers: list[str] = field(default_factory=list)
    missing_headers: list[str] = field(default_factory=list)
    file_error: str = ""

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
    updated: int = 0  # rows whose stored values really changed
    unchanged: int = 0  # rows that matched an existing record exactly: nothing written
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
        shown_value = shown(format_cell(column, value))
        for message in messages:
            errors.append(
                RowError(
                    row.row,
                    column.header,
                    shown_value,
                    _("不符合要求：%(m)s") % {"m": str(message).rstrip("。")},
                    column.help if column is not key_column else "",
                )
            )
    return errors


def _save_one(spec: ImportSpec, row: ParsedRow, obj: Any, *, acting_user: Any, owner: Organization) -> bool:
    """Save one row through the spec; True when something was written (a new record or a real change)."""
    stamp = getattr(obj, "updated_at", None)
    saved = spec.save(row.data, obj, acting_user, owner)
    if isinstance(saved, tuple):  # specs that know better (relations, IP lists) say whether they wrote
        return bool(saved[1])
    return obj is None or getattr(saved, "updated_at", None) != stamp


def _save_rows(
    spec: ImportSpec,
    rows: list[ParsedRow],
    *,
    acting_user: Any,
    owner: Organization,
    progress: Callable[[int], None] | None = None,
) -> ImportResult:
    existing = spec.load_existing(owner, [r.key for r in rows if r.key])
    result = ImportResult()
    for number, row in enumerate(rows, start=1):
        obj = existing.get(row.key)
        try:
            with transaction.atomic():  # a savepoint: a failed row must not poison the outer transaction
                changed = _save_one(spec, row, obj, acting_user=acting_user, owner=owner)
        except ValidationError as exc:
            result.errors.extend(_service_errors(spec, row, exc))
        except IntegrityError:
            result.errors.append(
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
                result.created += 1
            elif changed:
                result.updated += 1
            else:
                result.unchanged += 1
        if progress is not None and (number % PROGRESS_EVERY == 0 or number == len(rows)):
            progress(number)
    return result


def _read(spec: ImportSpec, file: IO[bytes], name: str) -> ParsedSheet:
    return read_upload(spec, file, name=name)


def _run(
    spec: ImportSpec,
    file: IO[bytes],
    *,
    acting_user: Any,
    owner: Organization,
    name: str,
    commit: bool,
    job: ImportJob | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[ImportResult, ParsedSheet | None]:
    """The one path of preview and import: cell checks, then every valid row through the services in one
    transaction. The preview always rolls back; the import keeps the rows only when no row has an error.
    So a preview lists exactly the errors the import would, whatever the size of the file."""
    check_import_permission(acting_user, owner)
    try:
        sheet = _read(spec, file, name)
    except ImportFileError as exc:
        return ImportResult(file_error=exc.message), None
    result = ImportResult(total=sheet.total)
    try:
        with transaction.atomic():
            saved = _save_rows(spec, sheet.rows, acting_user=acting_user, owner=owner, progress=progress)
            result.created, result.updated, result.unchanged = saved.created, saved.updated, saved.unchanged
            # Cell errors and service errors together, so one round of fixes is enough.
            result.errors = sorted(sheet.errors + saved.errors, key=lambda e: e.row)
            if not commit or result.errors:
                raise _Rollback
            audit_record(
                actor=acting_user,
                action="imports.job.commit",
                target=job or owner,
                after={
                    "spec": spec.key,
                    "owner": owner.pk,
                    "file": name,
                    "total": result.total,
                    "created": result.created,
                    "updated": result.updated,
                    "unchanged": result.unchanged,
                },
            )
    except _Rollback:
        if commit:
            result.created = result.updated = result.unchanged = 0
    except PermissionDenied as exc:
        result.file_error = str(exc) or _("没有权限为该机构导入数据。")
    return result, sheet


def import_preview(
    spec: ImportSpec,
    file: IO[bytes],
    *,
    acting_user: Any,
    owner: Organization,
    name: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportPreview:
    """What an import would do, written nowhere: cell checks and a dry run through the services that is
    always rolled back, for files of any size (large ones are checked in the background, see jobs)."""
    result, sheet = _run(
        spec,
        file,
        acting_user=acting_user,
        owner=owner,
        name=str(name or getattr(file, "name", "") or ""),
        commit=False,
        progress=progress,
    )
    return ImportPreview(
        total=result.total,
        new=result.created,
        update=result.updated,
        unchanged=result.unchanged,
        errors=result.errors,
        file_error=result.file_error,
        ignored_headers=sheet.ignored_headers if sheet else [],
        missing_headers=sheet.missing_headers if sheet else [],
    )


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
    result, _sheet = _run(
        spec,
        file,
        acting_user=acting_user,
        owner=owner,
        name=str(name or getattr(file, "name", "") or ""),
        commit=True,
        job=job,
        progress=progress,
    )
    return result


# --- jobs ---------------------------------------------------------------------------------------


def _progress_key(job_pk: int) -> str:
    return f"imports:job:{job_pk}:processed"


def job_processed_rows(job: ImportJob) -> int:
    """Rows checked or written so far. While the import transaction is open its writes are not visible to
    other connections, so a running job reports progress through the cache (shared via Redis in
    production, the process memory on the embedded default where the job runs in a thread)."""
    try:
        cached = int(cache.get(_progress_key(job.pk)) or 0)
    except Exception:  # the cache is down: show what the database knows rather than fail the page
        cached = 0
    return min(job.total_rows, max(job.processed_rows, cached))


def _finish_files(job: ImportJob, *, failed: bool) -> None:
    """Failed: keep the file back with the bad cells marked (private, for IMPORT_FILE_RETENTION_HOURS).
    Either way the upload itself is deleted: it holds confidential details and contacts."""
    if not job.file:
        return
    if failed and job.error_report:
        try:
            with job.file.open("rb") as handle:
                content = build_error_workbook(
                    get_spec(job.spec_key),
                    handle.read(),
                    [
                        RowError(**{k: e[k] for k in ("row", "column", "value", "problem", "expected")})
                        for e in job.error_report
                    ],
                )
            job.error_file.save("errors.xlsx", ContentFile(content), save=False)
        except ImportFileError:
            pass
    job.file.delete(save=False)


def import_job_create(
    *, spec: ImportSpec, upload: UploadedFile, acting_user: Any, owner: Organization
) -> tuple[ImportJob, ImportPreview | None]:
    """Store the upload privately and check it: small files now, large ones in the background (the
    complete check, services included, so the preview lists every error the import would)."""
    check_import_permission(acting_user, owner)
    sheet_preview = None
    try:
        rows = count_data_rows(spec, upload, name=upload.name or "")
        file_error = ""
    except ImportFileError as exc:
        rows, file_error = 0, exc.message
    with transaction.atomic():
        job = ImportJob(
            spec_key=spec.key,
            owner=owner,
            original_name=(upload.name or "")[-255:],
            created_by=acting_user,
            total_rows=rows,
            message=file_error,
        )
        if file_error:
            job.status = ImportJob.Status.FAILED
            job.finished_at = timezone.now()
        else:
            upload.seek(0)
            job.file.save("upload.xlsx", upload, save=False)
            job.status = ImportJob.Status.CHECKING
        job.save()
        audit_record(
            actor=acting_user,
            action="imports.job.upload",
            target=job,
            after={
                "spec": spec.key,
                "owner": owner.pk,
                "file": job.original_name,
                "total": rows,
                "error": file_error,
            },
        )
    if job.status != ImportJob.Status.CHECKING:
        return job, None
    if rows > settings.IMPORT_INLINE_ROWS:
        background.submit("import_job_check", job.pk)
    else:
        sheet_preview = import_job_check(job_pk=job.pk)
    job.refresh_from_db()
    return job, sheet_preview


def _job_progress(job_pk: int, heartbeat: Any = None) -> Callable[[int], None]:
    """Rows done so far into the cache (best effort), and a heartbeat so the reaper sees the job alive."""
    key = _progress_key(job_pk)

    def progress(n: int) -> None:
        try:
            cache.set(key, n, timeout=24 * 3600)
        except Exception:  # progress display is optional; the work goes on without the cache
            logger.warning("imports: progress of job %s not cached", job_pk, exc_info=True)
        if heartbeat is not None:
            heartbeat.beat()

    return progress


def _clear_progress(job_pk: int) -> None:
    try:
        cache.delete(_progress_key(job_pk))
    except Exception:
        logger.warning("imports: progress of job %s not cleared", job_pk, exc_info=True)


def import_job_check(*, job_pk: int) -> ImportPreview | None:
    """The dry run of a stored upload: PREVIEW with the counts when every row passes, else FAILED with
    the row errors and the marked-up file."""
    job = ImportJob.objects.select_related("owner", "created_by").get(pk=job_pk)
    if job.status != ImportJob.Status.CHECKING:
        return None
    from .jobs import Heartbeat

    spec = get_spec(job.spec_key)
    heartbeat = Heartbeat(job.pk)
    heartbeat.beat(force=True)
    try:
        with job.file.open("rb") as handle:
            preview = import_preview(
                spec,
                handle,
                acting_user=job.created_by,
                owner=job.owner,
                name=job.original_name,
                progress=_job_progress(job.pk, heartbeat),
            )
    except Exception:
        try:
            import_job_move(
                job=job,
                action="fail",
                reason=_("校验时发生内部错误，请稍后重新上传或联系平台。"),
                expected_state=ImportJob.Status.CHECKING,
            )
        except ValidationError:  # reaped meanwhile
            logger.info("imports: job %s already moved on", job.pk)
        job.file.delete(save=False)
        ImportJob.objects.filter(pk=job.pk).update(file="")
        raise
    finally:
        heartbeat.close()
        heartbeat.forget()
        _clear_progress(job.pk)
    job.refresh_from_db(fields=["status"])
    if job.status != ImportJob.Status.CHECKING:  # reaped meanwhile: its result is not reported
        return preview
    changes: dict[str, Any] = {
        "total_rows": preview.total,
        "new_rows": preview.new,
        "update_rows": preview.update,
        "unchanged_rows": preview.unchanged,
        "error_report": [e.as_dict() for e in preview.errors],
    }
    try:
        if preview.ok:
            if preview.missing_headers:
                changes["message"] = _("文件中没有这些选填列，已有记录的相应内容保持不变：%(h)s。") % {
                    "h": "、".join(preview.missing_headers)
                }
            import_job_move(job=job, action="check_passed", changes=changes)
        else:
            import_job_move(job=job, action="check_failed", reason=preview.file_error, changes=changes)
            _finish_files(job, failed=True)
            job.save(update_fields=["file", "error_file", "updated_at"])
    except ValidationError:  # reaped meanwhile: its result is not reported
        logger.info("imports: job %s already moved on", job.pk)
    return preview


def import_job_start(*, job: ImportJob, acting_user: Any) -> ImportJob:
    """Confirm a previewed job: small files run now, large ones in the background (a Celery task, or a
    thread on the embedded default without a broker), so the request returns to the progress page."""
    check_import_permission(acting_user, job.owner)
    if job.status != ImportJob.Status.PREVIEW:
        raise ValidationError(
            _("该导入任务当前状态为“%(s)s”，不能再次确认。") % {"s": job.get_status_display()}
        )
    large = job.total_rows > settings.IMPORT_INLINE_ROWS
    with transaction.atomic():  # the queued status and the owed background run commit together
        try:
            import_job_move(
                job=job, action="confirm", acting_user=acting_user, expected_state=ImportJob.Status.PREVIEW
            )
        except StaleTransition:  # a double click already queued it
            job.refresh_from_db()
            return job
        if large:
            background.submit("import_job_run", job.pk)
    if not large:
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
    heartbeat = Heartbeat(job.pk)
    progress = _job_progress(job.pk, heartbeat)
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
            import_job_move(
                job=job,
                action="fail",
                reason=message,
                expected_state=ImportJob.Status.RUNNING,
                changes={"processed_rows": 0},
            )
        except ValidationError:  # reaped (and perhaps started again) meanwhile: the newer state stands
            logger.info("imports: job %s already moved on", job_pk)
        except Exception:  # the database itself is gone: the reaper will mark the job later
            logger.exception("imports: job %s could not be marked failed", job_pk)
        raise
    finally:
        heartbeat.close()
        _clear_progress(job.pk)
    job.refresh_from_db()
    if job.attempts != attempt:
        return job
    total = max(job.total_rows, result.total)
    try:
        if result.ok:
            import_job_move(
                job=job,
                action="succeed",
                expected_state=ImportJob.Status.RUNNING,
                changes={
                    "total_rows": total,
                    "processed_rows": total,
                    "new_rows": result.created,
                    "update_rows": result.updated,
                    "unchanged_rows": result.unchanged,
                    "error_report": [],
                },
            )
        else:
            import_job_move(
                job=job,
                action="fail",
                expected_state=ImportJob.Status.RUNNING,
                reason=result.file_error
                or _("有 %(n)d 行未通过校验，全部未导入。") % {"n": len({e.row for e in result.errors})},
                changes={
                    "total_rows": total,
                    "processed_rows": 0,
                    "error_report": [e.as_dict() for e in result.errors],
                },
            )
    except ValidationError:  # reaped meanwhile: the reaper's verdict stands (a re-run is idempotent)
        logger.warning("imports: job %s finished after it was reaped", job.pk)
        job.refresh_from_db()
        return job
    _finish_files(job, failed=not result.ok)
    job.save(update_fields=["file", "error_file", "updated_at"])
    return job


def import_job_file_read(*, job: ImportJob, acting_user: Any, which: str) -> tuple[bytes, str]:
    """The stored upload ("upload") or marked-up error file ("errors") of a job, for its owner's members
    and operators only; every download is audited."""
    check_import_permission(acting_user, job.owner)
    stored = job.error_file if which == "errors" else job.file
    if not stored:
        raise ObjectDoesNotExist
    with stored.open("rb") as handle:
        content = handle.read()
    audit_record(
        actor=acting_user,
        action="imports.job.download",
        target=job,
        after={"file": which, "bytes": len(content)},
    )
    stem = job.original_name.rsplit(".", 1)[0] or "import"
    name = _("%(stem)s-错误标注.xlsx") % {"stem": stem} if which == "errors" else job.original_name
    return content, name


def import_files_purge(*, now: Any = None) -> int:
    """Delete marked-up files and never-confirmed uploads older than IMPORT_FILE_RETENTION_HOURS
    (run hourly by beat, or by `manage.py imports_purge_files`)."""
    cutoff = (now or timezone.now()) - datetime.timedelta(hours=settings.IMPORT_FILE_RETENTION_HOURS)
    purged = 0
    for job in (
        ImportJob.objects.filter(updated_at__lt=cutoff)
        .exclude(error_file="", file="")
        .exclude(status__in=[ImportJob.Status.CHECKING, ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    ):
        if job.status == ImportJob.Status.PREVIEW:
            try:
                import_job_move(
                    job=job,
                    action="expire",
                    reason=_("预览超过 %(h)d 小时未确认，上传的文件已删除，请重新上传。")
                    % {"h": settings.IMPORT_FILE_RETENTION_HOURS},
                )
            except ValidationError:  # confirmed meanwhile: the run needs its file
                continue
        if job.error_file:
            job.error_file.delete(save=False)
        if job.file:
            job.file.delete(save=False)
        job.save(update_fields=["file", "error_file", "updated_at"])
        purged += 1
    return purged


# Drafts are submitted at most this many per click, so one request stays short.
SUBMIT_BATCH = 1000


@dataclass
class SubmitResult:
    submitted: int = 0
    failed: list[tuple[Any, str]] = field(default_factory=list)  # (item, reason)
    remaining: int = 0


def review_of(spec: ImportSpec) -> tuple[Callable[[Any], Any], Callable[[Any, Any], Any]] | None:
    """(drafts(owner), submit(item, user)) of a type whose imported rows are drafts. Declared on the spec,
    or else read from the catalogue registry: the type's rows in DRAFT and its own workflow transition
    (e.g. achievements check completeness on submit)."""
    if spec.drafts is not None and spec.submit is not None:
        return spec.drafts, spec.submit
    if not spec.creates_drafts:
        return None
    from techmarket.catalog import registry
    from techmarket.catalog.models import ListingStatus
    from techmarket.catalog.workflow import listing_transition

    ctype = registry.find(spec.key)
    if ctype is None or not ctype.review:
        return None
    transition = (ctype.pages.transition if ctype.pages else None) or listing_transition

    def drafts(owner: Organization) -> Any:
        return ctype.system_queryset().filter(owner=owner, status=ListingStatus.DRAFT).order_by("pk")

    def submit(item: Any, user: Any) -> Any:
        return transition(item=item, action="submit", acting_user=user)

    return drafts, submit


def drafts_submit(*, spec: ImportSpec, owner: Organization, acting_user: Any) -> SubmitResult:
    """Submit the owner's drafts (e.g. everything just imported) for review in one go. Each item goes
    through the type's own workflow action (its checks, audit and notifications); an item that is not
    complete enough stays a draft and is listed with the reason."""
    review = review_of(spec)
    if review is None:
        raise ValidationError(_("“%(t)s”没有审核流程，无需提交。") % {"t": spec.title})
    list_drafts, submit = review
    check_import_permission(acting_user, owner)
    result = SubmitResult()
    drafts = list_drafts(owner)
    batch = list(drafts[:SUBMIT_BATCH])
    for item in batch:
        try:
            with transaction.atomic():
                submit(item, acting_user)
        except ValidationError as exc:
            result.failed.append((item, "；".join(exc.messages)))
        except PermissionDenied as exc:
            result.failed.append((item, str(exc)))
        else:
            result.submitted += 1
    if len(batch) == SUBMIT_BATCH:
        result.remaining = max(drafts.count() - len(result.failed), 0)
    return result
