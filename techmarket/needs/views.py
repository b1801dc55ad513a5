from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.accounts.roles import operator_required
from techmarket.catalog.diff import diff_fields
from techmarket.catalog.filters import expiring_within
from techmarket.catalog.forms import ActionForm
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.services import confidential_detail_read
from techmarket.catalog.views import (
    access_context,
    owner_choices,
    run_access_decision,
    run_access_request,
    run_action,
)
from techmarket.catalog.visibility import can_edit, owner_label
from techmarket.catalog.workflow import available_actions, listing_transition
from techmarket.core.forms import attach_errors
from techmarket.core.http import query_without_page

from . import selectors, services
from .forms import NeedFilterForm, NeedForm, NeedRefineForm
from .models import NeedRevision


def need_list(request: HttpRequest) -> HttpResponse:
    form = NeedFilterForm(request.GET or None)
    qs = selectors.need_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [(need, owner_label(request.user, need)) for need in page]
    return render(
        request,
        "needs/need_list.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "title": _("技术需求"),
        },
    )


@login_required
def my_needs(request: HttpRequest) -> HttpResponse:
    orgs = roles.user_organizations(request.user)
    qs = selectors.need_list_visible_to(request.user, ordering="updated").filter(owner__in=orgs)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    qs = expiring_within(qs, request.GET.get("expiring"))
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [(need, need.owner.name) for need in page]
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page,
            "rows": rows,
            "query": query_without_page(request),
            "title": _("本机构的需求"),
            "mine": True,
            "statuses": ListingStatus.choices,
            "status": status,
            "my_orgs": orgs,
        },
    )


@operator_required
def review_queue(request: HttpRequest) -> HttpResponse:
    qs = selectors.need_list_visible_to(request.user, status=ListingStatus.PENDING).order_by(
        "submitted_at", "pk"
    )
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    rows = [(need, need.owner.name) for need in page]
    return render(
        request,
        "needs/need_list.html",
        {
            "page": page,
            "rows": rows,
            "query": "",
            "title": _("待审核的需求"),
            "review": True,
        },
    )


def need_detail(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    context: dict[str, Any] = {
        "need": need,
        "owner_label": owner_label(request.user, need),
        "confidential": confidential_detail_read(item=need, user=request.user, request=request)
        if need.confidential_detail
        else None,
        "can_edit": can_edit(request.user, need),
        "actions": available_actions(request.user, need) if request.user.is_authenticated else [],
        "action_form": ActionForm(),
    }
    context.update(access_context(request, need))
    context["can_refine"] = roles.is_broker(request.user) or roles.is_operator(request.user)
    context["can_see_versions"] = can_edit(request.user, need) or roles.is_broker(request.user)
    if can_edit(request.user, need) or context["can_refine"]:
        pending = need.revisions.filter(status=NeedRevision.Status.PROPOSED).select_related("proposed_by")
        context["revisions"] = [(r, diff_fields(r.base, r.changes, services.VERSIONED)) for r in pending]
        context["can_decide_revisions"] = can_edit(request.user, need)
    return render(request, "needs/need_detail.html", context)


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    owners = owner_choices(request.user)
    if not owners.exists():
        messages.warning(request, _("您所在的机构通过审核后才能发布需求。"))
        return redirect("core:workspace")
    form = NeedForm(request.POST or None, owner_choices=owners)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner")
        try:
            need = services.need_create(acting_user=request.user, owner=owner, **data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if "submit" in request.POST:
                listing_transition(item=need, action="submit", acting_user=request.user)
                messages.success(request, _("需求已提交审核。"))
            else:
                messages.success(request, _("需求已保存为草稿。"))
            return redirect("needs:detail", need_id=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "title": _("发布技术需求")})


@login_required
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    if not can_edit(request.user, need):
        raise PermissionDenied
    form = NeedForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        try:
            services.need_update(need=need, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            if "submit" in request.POST and need.status in {
                ListingStatus.DRAFT,
                ListingStatus.CHANGES_REQUESTED,
            }:
                listing_transition(item=need, action="submit", acting_user=request.user)
                messages.success(request, _("修改已保存并提交审核。"))
            else:
                messages.success(request, _("修改已保存。"))
            return redirect("needs:detail", need_id=need.pk)
    return render(request, "needs/need_form.html", {"form": form, "need": need, "title": _("修改需求")})


@login_required
@require_POST
def need_action(request: HttpRequest, need_id: int, action: str) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    run_action(
        request,
        item=need,
        success=_("操作成功：需求当前状态为“%(s)s”。"),
        transition=lambda **kw: listing_transition(item=need, acting_user=request.user, **kw),
    )
    if request.POST.get("next") == "review":
        return redirect("needs:review")
    return redirect("needs:detail", need_id=need.pk)


@login_required
@require_POST
def need_request_access(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    run_access_request(request, need, owner_noun=_("需求方"))
    return redirect("needs:detail", need_id=need.pk)


@login_required
@require_POST
def need_decide_access(request: HttpRequest, need_id: int, grant_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    run_access_decision(request, need, grant_id)
    return redirect("needs:detail", need_id=need.pk)


@login_required
def need_refine(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    if not (roles.is_broker(request.user) or roles.is_operator(request.user)):
        raise PermissionDenied
    form = NeedRefineForm(request.POST or None, instance=need)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        note = data.pop("note", "")
        try:
            services.need_refinement_propose(need=need, acting_user=request.user, changes=data, note=note)
        except ValidationError as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("凝练建议已提交，等待需求方确认。"))
            return redirect("needs:detail", need_id=need.pk)
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "need": need, "title": _("提出凝练建议"), "refine": True},
    )


@login_required
@require_POST
def refinement_decide(request: HttpRequest, need_id: int, revision_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    revision = get_object_or_404(NeedRevision, pk=revision_id, need=need)
    try:
        services.need_refinement_decide(
            revision=revision,
            acting_user=request.user,
            accept=request.POST.get("accept") == "1",
            note=request.POST.get("note", ""),
        )
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(
            request,
            _("已采纳凝练建议，修改已生效。")
            if revision.status == NeedRevision.Status.ACCEPTED
            else _("已拒绝该凝练建议。"),
        )
    return redirect("needs:detail", need_id=need.pk)


def need_versions(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    if not (can_edit(request.user, need) or roles.is_broker(request.user)):
        raise PermissionDenied
    versions = list(need.versions.select_related("created_by").order_by("-number"))
    rows = []
    for index, version in enumerate(versions):
        previous = versions[index + 1].snapshot if index + 1 < len(versions) else {}
        rows.append((version, diff_fields(previous, version.snapshot, services.VERSIONED)))
    return render(request, "needs/need_versions.html", {"need": need, "rows": rows})
