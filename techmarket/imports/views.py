"""Thin views: template download, upload → preview → confirm, job progress, exports."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.core.http import XLSX, attachment
from techmarket.orgs.models import Organization

from . import jobs, services
from .export import export_csv, export_xlsx
from .export_audit import export_record
from .forms import UploadForm
from .models import ImportJob
from .specs import get_spec
from .template import build_template


@login_required
def template_download(request: HttpRequest, spec_key: str) -> HttpResponse:
    spec = get_spec(spec_key)
    return attachment(build_template(spec), XLSX, _("%(title)s导入模板.xlsx") % {"title": spec.title})


@login_required
def upload(request: HttpRequest, spec_key: str) -> HttpResponse:
    spec = get_spec(spec_key)
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user, spec=spec)
    if request.method == "POST" and form.is_valid():
        job, _preview = services.import_job_create(
            spec=spec,
            upload=form.cleaned_data["file"],
            acting_user=request.user,
            owner=form.cleaned_data["owner"],
        )
        return redirect("imports:job", job_id=job.pk)
    return render(
        request,
        "imports/upload.html",
        {
            "spec": spec,
            "form": form,
            "no_orgs": not roles.user_organizations(request.user),
            "no_owner": not form.has_owners,
        },
    )


def _job_for(request: HttpRequest, job_id: int) -> ImportJob:
    job = get_object_or_404(ImportJob.objects.select_related("owner", "created_by"), pk=job_id)
    if not roles.is_member_or_operator(request.user, job.owner):
        raise Http404  # don't reveal other organisations' uploads
    if not job.is_finished and jobs.import_job_reap(job=job):  # a polling page ends when its job died
        job.refresh_from_db()
    return job


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "spec": get_spec(job.spec_key),
            "processed": services.job_processed_rows(job),
            "error_rows": len({e["row"] for e in job.error_report}),
            "inline_rows": settings.IMPORT_INLINE_ROWS,
            "can_rerun": jobs.can_rerun(job),
            "has_review": get_spec(job.spec_key).creates_drafts,
            "drafts_url": _drafts_url(job.spec_key),
        },
    )


def _drafts_url(spec_key: str) -> str:
    """The owner's drafts of a type with review (imported rows are drafts); "" for types without review."""
    if not get_spec(spec_key).creates_drafts:
        return ""
    try:
        return f"{reverse(f'{spec_key}:mine')}?status=draft"
    except NoReverseMatch:
        return ""


@login_required
def job_file(request: HttpRequest, job_id: int, which: str) -> HttpResponse:
    """The marked-up error file (or the stored upload) of a job: members of its owner and operators only."""
    job = _job_for(request, job_id)
    try:
        content, name = services.import_job_file_read(job=job, acting_user=request.user, which=which)
    except (ObjectDoesNotExist, FileNotFoundError, PermissionDenied):
        raise Http404 from None
    response = attachment(content, XLSX, name)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_POST
def job_confirm(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    try:
        job = services.import_job_start(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if job.status == ImportJob.Status.SUCCEEDED:
            messages.success(
                request,
                _("导入完成：新增 %(new)d 条，更新 %(update)d 条，未变 %(same)d 条。")
                % {"new": job.new_rows, "update": job.update_rows, "same": job.unchanged_rows},
            )
    return redirect("imports:job", job_id=job.pk)


@login_required
@require_POST
def job_rerun(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    try:
        job = jobs.import_job_rerun(job=job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    else:
        if job.status == ImportJob.Status.SUCCEEDED:
            messages.success(
                request,
                _("导入完成：新增 %(new)d 条，更新 %(update)d 条，未变 %(same)d 条。")
                % {"new": job.new_rows, "update": job.update_rows, "same": job.unchanged_rows},
            )
        elif job.status == ImportJob.Status.QUEUED:
            messages.info(request, _("已重新排队，导入将在后台进行。"))
    return redirect("imports:job", job_id=job.pk)


@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job_for(request, job_id)
    response = render(
        request, "imports/_job_progress.html", {"job": job, "processed": services.job_processed_rows(job)}
    )
    if not job.is_working:
        response["HX-Refresh"] = "true"  # show the full result (counts or the error table)
    return response


@login_required
def export(request: HttpRequest, spec_key: str, fmt: str) -> HttpResponse:
    spec = get_spec(spec_key)
    if spec.list_visible is None:
        raise Http404
    rows = list(spec.list_visible(request.user, request.GET)[: settings.IMPORT_MAX_ROWS])
    confidential = request.GET.get("confidential") == "1"
    export_record(
        user=request.user,
        spec_key=spec_key,
        fmt=fmt,
        rows=len(rows),
        include_confidential=confidential,
        filters={k: request.GET.get(k) for k in request.GET},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        return attachment(
            export_csv(spec, rows, user=request.user, include_confidential=confidential),
            "text/csv; charset=utf-8",
            f"{spec.title}-{stamp}.csv",
        )
    return attachment(
        export_xlsx(spec, rows, user=request.user, include_confidential=confidential),
        XLSX,
        f"{spec.title}-{stamp}.xlsx",
    )


@login_required
@require_POST
def drafts_submit(request: HttpRequest, spec_key: str) -> HttpResponse:
    """本机构的需求/成果: submit all of an organisation's drafts for review at once."""
    spec = get_spec(spec_key)
    owner = get_object_or_404(Organization, pk=_int_or_404(request.POST.get("owner", "")))
    try:
        result = services.drafts_submit(spec=spec, owner=owner, acting_user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, exc.messages[0] if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("已提交审核 %(n)d 条。") % {"n": result.submitted})
        for item, reason in result.failed[:20]:
            messages.warning(request, _("“%(title)s”未提交：%(reason)s") % {"title": item, "reason": reason})
        if len(result.failed) > 20:
            messages.warning(
                request, _("另有 %(n)d 条未能提交，请逐条补全后再提交。") % {"n": len(result.failed) - 20}
            )
        if result.remaining:
            messages.info(request, _("还有 %(n)d 条草稿，请再次点击提交。") % {"n": result.remaining})
    return redirect(_drafts_url(spec.key) or "core:workspace")


def _int_or_404(text: str) -> int:
    if not text.isdigit() or len(text) > 18:
        raise Http404
    return int(text)
