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
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.audit.services import audit_record
from techmarket.core.http import XLSX, attachment, local_next, query_without_page

from . import selectors, services
from .forms import (
    BookingForm,
    DeliverForm,
    EvaluateForm,
    FacilityFilterForm,
    FacilityForm,
    ProjectForm,
    QuoteForm,
    ScheduleForm,
    ServiceFilterForm,
    ServiceForm,
)
from .models import Booking
from .permissions import booking_organisations, may_manage, owner_organisations
from .recognition import is_owner_admin, is_recognition_operator
from .request_types import BOOKING_REQUEST
from .workflow import FACILITY, ORDER, PROJECT, RECOGNITION_PATH_ACTIONS


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
    orgs, engagements = _booking_choices(user, facility)
    bookings = list(selectors.bookings_visible_to(user, facility=facility)[:50])
    offered = list(selectors.services_visible_to(user, facility=facility, active_only=not manager))
    engagement_id = request.GET.get("engagement", "")
    context: dict[str, Any] = {
        "facility": facility,
        "manager": manager,
        # recognising and revoking belong to the recognition path (认定与评价), not to this page
        "actions": [
            (n, a) for n, a in FACILITY.available(user, facility) if n not in RECOGNITION_PATH_ACTIONS
        ],
        "record": selectors.facility_record(facility),
        "meets_record": selectors.meets_record(facility),
        "projects": [
            (p, PROJECT.available(user, p)) for p in selectors.projects_visible_to(user, facility=facility)
        ],
        "bookings": [(b, BOOKING_REQUEST.may_decide(user, b)) for b in bookings],
        "services": offered,
        "rating": selectors.facility_rating(facility),
        "booking_form": BookingForm(
            organisations=orgs,
            engagements=engagements,
            services=[s for s in offered if s.is_active],
            initial={
                "engagement": int(engagement_id) if engagement_id.isdigit() else None,
                "facility_service": int(request.GET["service"])
                if request.GET.get("service", "").isdigit()
                else None,
            },
        )
        if orgs and facility.status != "revoked"
        else None,
        "project_form": ProjectForm() if manager else None,
        "recognition_owner": is_owner_admin(user, facility),
        "recognition_operator": is_recognition_operator(user),
    }
    return render(request, "facilities/facility_detail.html", context)


def _booking_choices(user: Any, facility: Any) -> tuple[list[Any], list[Any]]:
    """Who the user may book for, and for which open engagement: the user's own approved organisations,
    plus, for a broker, the parties of the open engagements the broker runs (the service is for them)."""
    from django.db.models import Q

    from techmarket.engagements.selectors import engagement_list_visible_to

    own = [o for o in booking_organisations(user) if o.pk != facility.owner_id]
    if not getattr(user, "is_authenticated", False):
        return own, []
    ids = [o.pk for o in own]
    qs = engagement_list_visible_to(user, status="open").filter(
        Q(demand_org_id__in=ids)
        | Q(supply_org_id__in=ids)
        | Q(lead_broker_id=user.pk)
        | Q(assisting_brokers=user.pk)
    )
    engagements = list(qs.distinct().order_by("-pk")[:50])
    orgs = list(own)
    for e in engagements:
        for party in (e.demand_org, e.supply_org):
            if (
                party is not None
                and party.pk != facility.owner_id
                and party not in orgs
                and services.may_book_for(user, party, e)
            ):
                orgs.append(party)
    return orgs, engagements


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
    orgs, engagements = _booking_choices(request.user, facility)
    offered = list(selectors.services_visible_to(request.user, facility=facility))
    form = BookingForm(request.POST, organisations=orgs, engagements=engagements, services=offered)
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
        chosen = next((x for x in offered if x.pk == d.get("facility_service")), None)
        booking = services.booking_open(
            facility=facility, acting_user=request.user, organization=org, service=d.get("service") or "",
            message=d.get("message") or "", starts_at=d.get("starts_at"), ends_at=d.get("ends_at"),
            engagement=engagement, facility_service=chosen,
        )  # fmt: skip
    except ValidationError as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("预约已提交，请等待服务平台报价。"))
        return redirect("facilities:booking", booking.pk)
    return redirect("facilities:detail", facility.pk)


@login_required
def booking_detail(request: HttpRequest, booking_id: int) -> HttpResponse:
    """One order: its quote, schedule, report and rating, and the moves the user may make now."""
    user = request.user
    booking = selectors.booking_get_visible(user, booking_id)
    provider = may_manage(user, booking.facility)
    moves = {name for name, _a in ORDER.available(user, booking)}
    request_moves = {name for name, _a in BOOKING_REQUEST_WORKFLOW().available(user, booking)}
    B = Booking.Status
    return render(
        request,
        "facilities/booking_detail.html",
        {
            "booking": booking,
            "provider": provider,
            "moves": moves,
            "request_moves": request_moves,
            "quote_form": QuoteForm(
                initial={
                    "quote_price": booking.quote_price or getattr(booking.facility_service, "price", None),
                    "quote_date": booking.quote_date,
                }
            )
            if "approve" in request_moves or "requote" in moves
            else None,
            "schedule_form": ScheduleForm(
                initial={"starts_at": booking.starts_at, "ends_at": booking.ends_at}
            )
            if "schedule" in moves
            else None,
            "deliver_form": DeliverForm() if "deliver" in moves else None,
            "evaluate_form": EvaluateForm() if "evaluate" in moves else None,
            "quote_accepted": booking.status in (B.ACCEPTED, B.SCHEDULED, B.DELIVERED, B.EVALUATED),
            "projects": list(selectors.projects_visible_to(user).filter(booking=booking)),
        },
    )


def BOOKING_REQUEST_WORKFLOW() -> Any:  # noqa: N802 - the request type's derived workflow
    from techmarket.decisions.types import workflow_of

    return workflow_of(BOOKING_REQUEST)


@login_required
@require_POST
def booking_action(request: HttpRequest, booking_id: int, action: str) -> HttpResponse:
    booking = selectors.booking_get_visible(request.user, booking_id)
    expected = request.POST.get("expected_state") or None
    post, user = request.POST, request.user
    back = local_next(request, reverse("facilities:booking", args=[booking.pk]))
    try:
        if action == "decline":
            services.booking_decide(
                booking=booking, acting_user=user, accept=False, reason=post.get("reason", ""),
                expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("已谢绝该预约。"))
        elif action == "withdraw":
            services.booking_withdraw(booking=booking, acting_user=user)
            messages.success(request, _("预约已撤回。"))
        elif action == "quote":
            form: Any = QuoteForm(post)
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[k].label}：{e}" for k, es in form.errors.items() for e in es]
                )
            services.booking_quote(
                booking=booking, acting_user=user, price=form.cleaned_data["quote_price"],
                delivery_date=form.cleaned_data["quote_date"], note=form.cleaned_data.get("note") or "",
                expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("报价已发送，等待申请单位确认。"))
        elif action in ("accept", "refuse", "cancel"):
            services.booking_move(
                booking=booking, action=action, acting_user=user, reason=post.get("reason", ""),
                expected_state=expected,
            )  # fmt: skip
            messages.success(
                request, _("操作成功：当前状态为“%(s)s”。") % {"s": booking.get_status_display()}
            )
        elif action == "schedule":
            form = ScheduleForm(post)
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[k].label}：{e}" for k, es in form.errors.items() for e in es]
                )
            services.booking_schedule(
                booking=booking, acting_user=user, starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"], expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("已排期。"))
        elif action == "deliver":
            form = DeliverForm(post, request.FILES)
            if not form.is_valid():
                raise ValidationError(
                    [f"{form.fields[k].label}：{e}" for k, es in form.errors.items() for e in es]
                )
            services.booking_deliver(
                booking=booking, acting_user=user, report=form.cleaned_data["report"],
                note=form.cleaned_data.get("note") or "", verified=form.cleaned_data.get("verified", False),
                expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("服务报告已交付。"))
        elif action == "evaluate":
            services.booking_evaluate(
                booking=booking, acting_user=user, rating=post.get("rating"), comment=post.get("comment", ""),
                expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("感谢评价。"))
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(back)


# ---------------------------------------------------------------- the service catalogue


def service_list(request: HttpRequest) -> HttpResponse:
    form = ServiceFilterForm(request.GET or None)
    qs = selectors.services_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "facilities/service_list.html",
        {"form": form, "page": page, "query": query_without_page(request)},
    )


@login_required
def service_edit(request: HttpRequest, facility_id: int, service_id: int | None = None) -> HttpResponse:
    facility = selectors.facility_get_managed(request.user, facility_id)
    current = None
    if service_id is not None:
        current = selectors.service_get_visible(request.user, service_id)
        if current.facility_id != facility.pk:
            from django.http import Http404

            raise Http404("服务不存在。")
    form = ServiceForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        fresh = selectors.service_get_visible(request.user, service_id) if service_id is not None else None
        try:
            services.facility_service_save(
                facility=facility, acting_user=request.user, data=form.cleaned_data, service=fresh
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("服务目录已更新。"))
            return redirect("facilities:detail", facility.pk)
    return render(
        request,
        "facilities/service_form.html",
        {"form": form, "facility": facility, "title": _("修改服务") if current else _("新增服务")},
    )


@login_required
def facilities_export(request: HttpRequest) -> HttpResponse:
    """The facilities and services the user sees (with the list's filters), as xlsx; audited."""
    from .export import facilities_xlsx

    form = FacilityFilterForm(request.GET or None)
    facilities = list(selectors.facility_list_visible_to(request.user, **form.selector_filters())[:5000])
    offered = list(
        selectors.services_visible_to(request.user).filter(facility__in=[f.pk for f in facilities])
    )
    audit_record(
        actor=request.user,
        action="facilities.facility.export",
        after={"facilities": len(facilities), "services": len(offered)},
        request=request,
    )
    name = _("服务平台与服务目录-%(d)s.xlsx") % {"d": timezone.localdate().isoformat()}
    return attachment(facilities_xlsx(facilities, offered), XLSX, name)


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
