"""Pages of the facilities domain: thin — parse, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.core.http import local_next, query_without_page

from . import selectors, services
from .forms import BookingForm, FacilityFilterForm, FacilityForm, ProjectForm
from .models import Booking
from .permissions import booking_organisations, may_manage, owner_organisations
from .request_types import BOOKING_REQUEST
from .workflow import FACILITY, PROJECT


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


def facility_list(request: HttpRequest) -> HttpResponse:
    form = FacilityFilterForm(request.GET or None)
    qs = selectors.facility_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/facility_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_create": bool(owner_organisations(request.user)),
        },
    )


@login_required
def bookings_mine(request: HttpRequest) -> HttpResponse:
    """Bookings my organisations made, and those my organisations' facilities received."""
    from techmarket.accounts import roles

    orgs = [o.pk for o in roles.user_organizations(request.user)]
    visible = selectors.bookings_visible_to(request.user)
    made = visible.filter(organization_id__in=orgs)
    received = visible.filter(facility__owner_id__in=orgs)
    status = request.GET.get("status", "")
    if status in Booking.Status.values:
        made, received = made.filter(status=status), received.filter(status=status)
    return render(
        request,
        "facilities/bookings_mine.html",
        {
            "made": Paginator(made, 20).get_page(request.GET.get("page")),
            "received": [(b, BOOKING_REQUEST.may_decide(request.user, b)) for b in received[:100]],
            "status": status,
            "statuses": Booking.Status.choices,
        },
    )


def facility_detail(request: HttpRequest, facility_id: int) -> HttpResponse:
    user = request.user
    facility = selectors.facility_get_visible(user, facility_id)
    manager = may_manage(user, facility)
    orgs = [o for o in booking_organisations(user) if o.pk != facility.owner_id]
    bookings = list(selectors.bookings_visible_to(user, facility=facility)[:50])
    context: dict[str, Any] = {
        "facility": facility,
        "manager": manager,
        "actions": FACILITY.available(user, facility),
        "record": selectors.facility_record(facility),
        "meets_record": selectors.meets_record(facility),
        "projects": [
            (p, PROJECT.available(user, p)) for p in selectors.projects_visible_to(user, facility=facility)
        ],
        "bookings": [(b, BOOKING_REQUEST.may_decide(user, b)) for b in bookings],
        "booking_form": BookingForm(organisations=orgs, engagements=_open_engagements(user, orgs))
        if orgs and facility.status != "revoked"
        else None,
        "project_form": ProjectForm() if manager else None,
    }
    return render(request, "facilities/facility_detail.html", context)


def _open_engagements(user: Any, orgs: list[Any]) -> list[Any]:
    """Open engagements the user sees in which one of the user's organisations takes part."""
    from django.db.models import Q

    from techmarket.engagements.selectors import engagement_list_visible_to

    ids = [o.pk for o in orgs]
    qs = engagement_list_visible_to(user, status="open").filter(
        Q(demand_org_id__in=ids) | Q(supply_org_id__in=ids)
    )
    return list(qs.order_by("-pk")[:50])


@login_required
def facility_create(request: HttpRequest) -> HttpResponse:
    orgs = owner_organisations(request.user)
    if not orgs:
        raise PermissionDenied(_("只有已通过审核机构的管理员或平台运营可以登记服务平台。"))
    form = FacilityForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "owner"}
        try:
            facility = services.facility_create(
                acting_user=request.user, owner=form.cleaned_data["owner"], data=data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("服务平台已登记为“试点”；认定由平台运营办理。"))
            return redirect("facilities:detail", facility.pk)
    return render(request, "facilities/facility_form.html", {"form": form, "title": _("登记服务平台")})


@login_required
def facility_edit(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_managed(request.user, facility_id)
    form = FacilityForm(request.POST or None, instance=facility)
    if request.method == "POST" and form.is_valid():
        fresh = selectors.facility_get_managed(request.user, facility_id)
        try:
            services.facility_update(facility=fresh, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("服务平台已更新。"))
            return redirect("facilities:detail", facility.pk)
    return render(
        request,
        "facilities/facility_form.html",
        {"form": form, "title": _("修改服务平台"), "facility": facility},
    )


@login_required
@require_POST
def facility_action(request: HttpRequest, facility_id: int, action: str) -> HttpResponse:
    facility = selectors.facility_get_visible(request.user, facility_id)
    try:
        services.facility_move(
            facility=facility, action=action, acting_user=request.user, reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )  # fmt: skip
        messages.success(request, _("操作成功：当前状态为“%(s)s”。") % {"s": facility.get_status_display()})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("facilities:detail", facility.pk)


@login_required
@require_POST
def book(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_visible(request.user, facility_id)
    orgs = [o for o in booking_organisations(request.user) if o.pk != facility.owner_id]
    form = BookingForm(request.POST, organisations=orgs, engagements=_open_engagements(request.user, orgs))
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                label = form.fields[field].label if field in form.fields else ""
                messages.error(request, f"{label}：{e}" if label else str(e))
        return redirect("facilities:detail", facility.pk)
    d = form.cleaned_data
    org = next(o for o in orgs if o.pk == d["organization"])
    engagement = None
    try:
        if d.get("engagement"):
            from django.http import Http404

            from techmarket.engagements.selectors import engagement_get_visible

            try:
                engagement = engagement_get_visible(request.user, d["engagement"])
            except Http404:
                raise ValidationError(_("对接项目不存在或您无权查看。")) from None
        services.booking_open(
            facility=facility, acting_user=request.user, organization=org, service=d["service"],
            message=d.get("message") or "", starts_at=d.get("starts_at"), ends_at=d.get("ends_at"),
            engagement=engagement,
        )  # fmt: skip
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("预约已提交，请等待服务平台答复。"))
    return redirect("facilities:detail", facility.pk)


@login_required
@require_POST
def booking_action(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    booking = selectors.booking_get_visible(request.user, booking_id)
    expected = request.POST.get("expected_state") or None
    try:
        if action in ("accept", "decline"):
            services.booking_decide(
                booking=booking, acting_user=request.user, accept=action == "accept",
                reason=request.POST.get("reason", ""), expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("预约已处理。"))
        elif action == "withdraw":
            services.booking_withdraw(booking=booking, acting_user=request.user)
            messages.success(request, _("预约已撤回。"))
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(local_next(request, reverse("facilities:detail", args=[booking.facility_id])))


@login_required
@require_POST
def project_new(request: HttpRequest, facility_id: int) -> HttpResponse:
    facility = selectors.facility_get_managed(request.user, facility_id)
    form = ProjectForm(request.POST)
    if not form.is_valid():
        for errs in form.errors.values():
            for e in errs:
                messages.error(request, str(e))
        return redirect("facilities:detail", facility.pk)
    try:
        services.project_create(facility=facility, acting_user=request.user, data=form.cleaned_data)
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("项目已登记。"))
    return redirect("facilities:detail", facility.pk)


@login_required
@require_POST
def project_action(request: HttpRequest, project_id: int, action: str) -> HttpResponse:
    project = selectors.project_get_visible(request.user, project_id)
    try:
        services.project_move(
            project=project, action=action, acting_user=request.user, reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )  # fmt: skip
        messages.success(request, _("项目状态已更新为“%(s)s”。") % {"s": project.get_status_display()})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("facilities:detail", project.facility_id)
