import copy
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.catalog.diff import diff_fields
from techmarket.catalog.forms import ActionForm
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.services import confidential_detail_read
from techmarket.catalog.views import (
    access_context,
    owner_choices,
)
from techmarket.catalog.visibility import can_edit, owner_label
from techmarket.catalog.workflow import available_actions, listing_transition
from techmarket.core.forms import attach_errors

from . import selectors, services
from .forms import NeedForm, NeedRefineForm
from .models import Need, NeedKind, NeedRevision


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
    context["can_refine"] = roles.is_broker_or_operator(request.user)
    context["can_see_versions"] = can_edit(request.user, need) or roles.is_broker(request.user)
    if can_edit(request.user, need) or context["can_refine"]:
        pending = need.revisions.filter(status=NeedRevision.Status.PROPOSED).select_related("proposed_by")
        context["revisions"] = [
            (r, diff_fields(r.base, r.changes, services.VERSIONED, services.VERSION_CHOICES)) for r in pending
        ]
        context["can_decide_revisions"] = can_edit(request.user, need)
    if request.GET.get("check") == "duplicates" and can_edit(request.user, need):
        context["duplicates"] = _duplicates_of(request.user, need)
    return render(request, "needs/need_detail.html", context)


@login_required
def need_create(request: HttpRequest) -> HttpResponse:
    from techmarket.core.workspace_actions import NEED_OWNER_KINDS

    owners = owner_choices(request.user)
    if not roles.is_operator(request.user):
        if owners.exists() and not owners.filter(kind__in=NEED_OWNER_KINDS).exists():
            messages.warning(request, _("技术需求由企业等需求方发布；您所在的机构可以浏览需求和成果。"))
            return redirect("core:workspace")
        owners = owners.filter(kind__in=NEED_OWNER_KINDS)
    if not owners.exists():
        messages.warning(request, _("您所在的机构通过审核后才能发布需求。"))
        return redirect("core:workspace")
    kind = request.GET.get("kind", "")
    initial = {"kind": kind} if kind in NeedKind.values else {}
    form = NeedForm(request.POST or None, owner_choices=owners, initial=initial)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner")
        if "submit" in request.POST and "confirm_duplicate" not in request.POST:
            duplicates = _duplicates_of(request.user, Need(owner=owner, **_need_fields(data)))
        try:
            if duplicates:  # warn before anything is saved; "仍然提交" posts confirm_duplicate
                raise ValidationError(_("平台上已有内容几乎相同的需求，请先查看；确认不是重复发布后再提交。"))
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
    title = dict(NeedKind.choices).get(form["kind"].value() or "", _("技术需求"))
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "title": _("发布%(kind)s") % {"kind": title}, "duplicates": duplicates},
    )


def _need_fields(data: dict[str, Any]) -> dict[str, Any]:
    return {f.name: data[f.name] for f in Need._meta.concrete_fields if f.name in data}


def _duplicates_of(user: Any, need: Need) -> list[Any]:
    from techmarket.matching.selectors import duplicates_of

    return duplicates_of(user, need)


@login_required
def need_edit(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    if not can_edit(request.user, need):
        raise PermissionDenied
    form = NeedForm(request.POST or None, instance=need)
    duplicates: list[Any] = []
    if request.method == "POST" and form.is_valid():
        if "submit" in request.POST and "confirm_duplicate" not in request.POST:
            candidate = copy.copy(need)
            for name, value in _need_fields(form.cleaned_data).items():
                setattr(candidate, name, value)
            duplicates = _duplicates_of(request.user, candidate)
        try:
            if duplicates:
                raise ValidationError(_("平台上已有内容几乎相同的需求，请先查看；确认不是重复发布后再提交。"))
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
    return render(
        request,
        "needs/need_form.html",
        {"form": form, "need": need, "title": _("修改需求"), "duplicates": duplicates},
    )


@login_required
def need_refine(request: HttpRequest, need_id: int) -> HttpResponse:
    need = selectors.need_get_visible(request.user, need_id)
    if not roles.is_broker_or_operator(request.user):
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
        rows.append(
            (version, diff_fields(previous, version.snapshot, services.VERSIONED, services.VERSION_CHOICES))
        )
    return render(request, "needs/need_versions.html", {"need": need, "rows": rows})
