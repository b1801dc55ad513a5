"""Pages of the events domain: thin — parse, call a selector or service, render."""

from __future__ import annotations

import calendar as pycalendar
from datetime import date, datetime, timedelta
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.core.http import attachment, local_next, query_without_page

from . import selectors, services
from .figures import event_figures
from .forms import EventFilterForm, EventForm, OutcomeForm, RegistrationForm
from .ical import events_calendar, timetable_calendar
from .models import Event, MeetingRequest, Registration
from .permissions import is_organiser, may_create_event, organisations_that_may_organise
from .suggestions import invitation_suggestions, meeting_suggestions, pair_suggestions
from .workflow import EVENT, REGISTRATION


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


def event_list(request: HttpRequest) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    qs = selectors.event_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "events/event_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_create": may_create_event(request.user),
        },
    )


def event_calendar(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    try:
        year, month = (int(p) for p in request.GET.get("month", "").split("-"))
        if not 2000 <= year <= 2100:
            raise ValueError(year)
        first = date(year, month, 1)
    except ValueError:
        first = today.replace(day=1)
    tz = timezone.get_current_timezone()
    start = datetime.combine(first, datetime.min.time(), tzinfo=tz)
    last_day = pycalendar.monthrange(first.year, first.month)[1]
    end = start + timedelta(days=last_day)
    events = list(selectors.event_list_visible_to(request.user, start=start, end=end).order_by("starts_at"))
    by_day: dict[date, list[Any]] = {}
    for event in events:
        day = timezone.localtime(event.starts_at).date()
        while day <= timezone.localtime(event.ends_at).date():
            by_day.setdefault(day, []).append(event)
            day += timedelta(days=1)
    weeks = [
        [(d, by_day.get(d, []), d.month == first.month) for d in week]
        for week in pycalendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    prev_month = (first - timedelta(days=1)).replace(day=1)
    next_month = first + timedelta(days=last_day)
    return render(
        request,
        "events/event_calendar.html",
        {
            "weeks": weeks,
            "first": first,
            "today": today,
            "prev": prev_month.strftime("%Y-%m"),
            "next": next_month.strftime("%Y-%m"),
            "count": len(events),
        },
    )


def event_feed(request: HttpRequest) -> HttpResponse:
    """iCalendar feed of public events (what an anonymous visitor may see), recent and upcoming."""
    from django.contrib.auth.models import AnonymousUser

    since = timezone.now() - timedelta(days=90)
    events = selectors.event_list_visible_to(AnonymousUser(), start=since).order_by("starts_at")[:500]
    body = events_calendar(events, base_url=request.build_absolute_uri("/"))
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="techmarket-events.ics"'
    return response


def _my_items(user: Any) -> tuple[list[Any], list[Any], list[Any]]:
    """The user's organisations and their listed needs and achievements (what they may bring)."""
    from techmarket.achievements.selectors import achievement_list_visible_to
    from techmarket.catalog.models import LISTED_STATUSES
    from techmarket.needs.selectors import need_list_visible_to

    orgs = [o for o in roles.user_organizations(user)]
    ids = [o.pk for o in orgs]
    needs = (
        list(need_list_visible_to(user).filter(owner_id__in=ids, status__in=LISTED_STATUSES)[:50])
        if ids
        else []
    )
    achs = (
        list(achievement_list_visible_to(user).filter(owner_id__in=ids, status__in=LISTED_STATUSES)[:50])
        if ids
        else []
    )
    return orgs, needs, achs


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    user = request.user
    event = selectors.event_get_visible(user, event_id)
    mine = selectors.my_registration(user, event)
    context: dict[str, Any] = {
        "event": event,
        "mine": mine,
        "organiser": is_organiser(user, event),
        "actions": EVENT.available(user, event),
        "confirmed": selectors.confirmed_count(event),
        "now": timezone.now(),
        "slots": event.slot_times(),
    }
    open_for_registration = event.status == "published" and timezone.now() <= event.registration_deadline
    context["open_for_registration"] = open_for_registration
    if (
        user.is_authenticated
        and open_for_registration
        and (mine is None or not mine.is_in and mine.status in ("cancelled", "rejected"))
    ):
        orgs, needs, achs = _my_items(user)
        context["form"] = RegistrationForm(
            organisations=orgs, needs=needs, achievements=achs, roadshow=event.kind == Event.Kind.ROADSHOW
        )
    if mine is not None:
        context["mine_actions"] = REGISTRATION.available(user, mine)
        context["qr"] = segno.make(mine.checkin_code, error="m").svg_inline(scale=4) if mine.is_in else ""
        context["meetings"] = list(selectors.meetings_visible_to(user, event).filter(_mine_q(user)))
        context["outcome_form"] = OutcomeForm()
    return render(request, "events/event_detail.html", context)


def _mine_q(user: Any) -> Any:
    from django.db.models import Q

    return Q(requester__user_id=user.pk) | Q(invitee__user_id=user.pk)


@login_required
def event_create(request: HttpRequest) -> HttpResponse:
    orgs = organisations_that_may_organise(request.user)
    if not orgs:
        raise PermissionDenied(_("只有已通过审核机构的管理员或平台运营可以发布活动。"))
    form = EventForm(request.POST or None, organisations=orgs)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "organiser"}
        try:
            event = services.event_create(
                acting_user=request.user, organiser=form.cleaned_data["organiser"], data=data
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("活动已保存为草稿；检查无误后点击“发布”。"))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "title": _("发布活动")})


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


@login_required
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_organised(request.user, event_id)
    form = EventForm(request.POST or None, instance=event, organisations=[])
    if request.method == "POST" and form.is_valid():
        fresh = selectors.event_get_organised(request.user, event_id)
        try:
            services.event_update(event=fresh, acting_user=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("活动已更新。"))
            return redirect("events:detail", event.pk)
    return render(request, "events/event_form.html", {"form": form, "title": _("修改活动"), "event": event})


@login_required
@require_POST
def event_action(request: HttpRequest, event_id: int, action: str) -> HttpResponse:
    event = selectors.event_get_visible(request.user, event_id)
    try:
        services.event_move(
            event=event, action=action, acting_user=request.user, reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )  # fmt: skip
        messages.success(request, _("操作成功：活动当前状态为“%(s)s”。") % {"s": event.get_status_display()})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("events:detail", event.pk)


@login_required
@require_POST
def register(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_visible(request.user, event_id)
    orgs, needs, achs = _my_items(request.user)
    form = RegistrationForm(
        request.POST,
        organisations=orgs,
        needs=needs,
        achievements=achs,
        roadshow=event.kind == Event.Kind.ROADSHOW,
    )
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}：{e}")
        return redirect("events:detail", event.pk)
    d = form.cleaned_data
    org = next((o for o in orgs if o.pk == d.get("organization")), None)
    try:
        reg = services.registration_open(
            event=event, acting_user=request.user, organization=org, intro=d.get("intro", ""),
            need_ids=d.get("needs") or [], achievement_ids=d.get("achievements") or [], visibility=d["visibility"],
            role=d.get("role") or Registration.Role.ATTENDEE,
        )  # fmt: skip
    except ValidationError as exc:
        _errors(request, exc)
    else:
        text = {
            Registration.Status.CONFIRMED: _("报名成功，您的签到码和二维码见下方。"),
            Registration.Status.PENDING: _("报名已提交，等待主办方审核。"),
            Registration.Status.WAITLISTED: _("名额已满，您已进入候补名单；有人取消时按报名先后递补。"),
        }[Registration.Status(reg.status)]
        messages.success(request, text)
    return redirect("events:detail", event.pk)


@login_required
@require_POST
def registration_action(request: HttpRequest, registration_id: int, action: str) -> HttpResponse:
    reg = selectors.registration_get_own_or_organised(request.user, registration_id)
    expected = request.POST.get("expected_state") or None
    try:
        if action == "cancel":
            services.registration_cancel(registration=reg, acting_user=request.user, expected_state=expected)
            messages.success(request, _("报名已取消。"))
        elif action in ("approve", "reject"):
            services.registration_decide(
                registration=reg, acting_user=request.user, approve=action == "approve",
                reason=request.POST.get("reason", ""), expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("已处理 %(p)s 的报名。") % {"p": reg.display_name})
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(local_next(request, reverse("events:detail", args=[reg.event_id])))


@login_required
def manage(request: HttpRequest, event_id: int) -> HttpResponse:
    """The organiser's page: registrations to decide, check-in at the door, scheduling, outcomes."""
    event = selectors.event_get_organised(request.user, event_id)
    status = request.GET.get("status", "")
    regs = selectors.registrations_for_organiser(
        request.user, event, status=status if status in Registration.Status.values else ""
    )
    checked = None
    if request.method == "POST" and "code" in request.POST:
        try:
            checked = services.registration_check_in(
                event=event, code=request.POST["code"], acting_user=request.user
            )
            messages.success(request, _("签到成功：%(p)s") % {"p": checked.display_name})
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("events:manage", event.pk)
    if request.method == "POST" and "schedule" in request.POST:
        result = services.event_schedule(event=event, acting_user=request.user)
        messages.info(
            request,
            _("已排期 %(a)d 场，%(b)d 场没有可用时段。") % {"a": result["placed"], "b": result["unplaced"]},
        )
        return redirect("events:manage", event.pk)
    if request.method == "POST" and "timetables" in request.POST:
        try:
            sent = services.event_send_timetables(event=event, acting_user=request.user)
        except ValidationError as exc:
            _errors(request, exc)
        else:
            messages.success(
                request,
                _("已向 %(a)d 位参会者发送洽谈日程（%(b)d 位的日程未变，未重复发送）。")
                % {"a": sent["told"], "b": sent["unchanged"]},
            )
        return redirect("events:manage", event.pk)
    if request.method == "POST" and "pair" in request.POST:
        ids = [int(x) for x in request.POST.get("pair", "").split("-") if x.isdigit() and len(x) < 10]
        found = {r.pk: r for r in Registration.objects.unscoped().filter(pk__in=ids).select_related("user")}
        try:
            if len(ids) != 2 or len(found) != 2:
                raise ValidationError(_("请选择要推荐洽谈的两位参会者。"))
            services.event_propose_pair(
                event=event, acting_user=request.user, first=found[ids[0]], second=found[ids[1]],
                reason=request.POST.get("reason", ""),
            )  # fmt: skip
            messages.success(request, _("已向双方推荐洽谈。"))
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("events:manage", event.pk)
    if request.method == "POST" and "invite" in request.POST:
        from techmarket.orgs.models import Organization

        raw = request.POST.get("invite", "")
        approved = Organization.objects.filter(status=Organization.Status.APPROVED)
        org = approved.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 10 else None
        try:
            if org is None:
                raise ValidationError(_("请选择要邀请的机构。"))
            told = services.event_invite(
                event=event, acting_user=request.user, organization=org, reason=request.POST.get("reason", "")
            )
            messages.success(request, _("已邀请 %(o)s（通知 %(n)d 人）。") % {"o": org.name, "n": told})
        except ValidationError as exc:
            _errors(request, exc)
        return redirect("events:manage", event.pk)
    page = Paginator(regs, 50).get_page(request.GET.get("page"))
    meetings = list(selectors.meetings_visible_to(request.user, event))
    invitations: list[Any] = []
    pairs: list[Any] = []
    if event.status == "published":
        active = [r for r in selectors.participants_visible_to(request.user, event) if r.is_in]
        registered = {r.organization_id for r in regs if r.organization_id} | {event.organiser_id}
        invitations = invitation_suggestions(request.user, active, exclude=registered)
        if event.has_meetings:
            listed = [r for r in active if r.visibility == Registration.Visibility.PARTICIPANTS]
            met = {
                frozenset((m.requester_id, m.invitee_id))
                for m in meetings
                if m.status in (MeetingRequest.Status.PENDING, MeetingRequest.Status.ACCEPTED)
            }
            pairs = pair_suggestions(request.user, listed, exclude_pairs=met)
    return render(
        request,
        "events/manage.html",
        {
            "event": event,
            "page": page,
            "status": status,
            "statuses": Registration.Status.choices,
            "meetings": meetings,
            "query": query_without_page(request),
            "invitations": invitations,
            "pairs": pairs,
            "attended": sum(1 for r in regs if r.status == Registration.Status.ATTENDED),
        },
    )


@login_required
def export(request: HttpRequest, event_id: int) -> HttpResponse:
    """The organiser's workbook: registrations, meetings and outcomes (every download audited)."""
    from techmarket.core.http import XLSX
    from techmarket.imports.export_audit import export_record

    from .export import event_workbook

    event = selectors.event_get_organised(request.user, event_id)
    regs = selectors.registrations_for_organiser(request.user, event).prefetch_related(
        "needs", "achievements"
    )
    body, rows = event_workbook(event, regs, selectors.meetings_visible_to(request.user, event))
    export_record(
        user=request.user, spec_key="events", filters={"event": event.pk}, fmt="xlsx", rows=rows,
        include_confidential=False, request=request,
    )  # fmt: skip
    return attachment(body, XLSX, _("活动报名与洽谈-%(e)s.xlsx") % {"e": event.title})


@login_required
def participants(request: HttpRequest, event_id: int) -> HttpResponse:
    user = request.user
    event = selectors.event_get_visible(user, event_id)
    if not selectors.may_see_participants(user, event):
        messages.info(request, _("确认参会后可以查看参会名单并预约洽谈。"))
        return redirect("events:detail", event.pk)
    regs = list(selectors.participants_visible_to(user, event))
    mine = selectors.my_registration(user, event)
    rows = [
        {
            "reg": r,
            "items": selectors.brought_items_visible_to(user, r),
            "contact": selectors.can_see_contact(user, r),
            "is_me": r.user_id == user.pk,
            "interests": r.interests.count() if r.role == Registration.Role.PRESENTER else 0,
        }
        for r in regs
    ]
    suggestions = meeting_suggestions(user, mine, regs) if mine is not None and mine.is_in else []
    return render(
        request,
        "events/participants.html",
        {
            "event": event,
            "rows": rows,
            "mine": mine,
            "suggestions": suggestions,
            "can_meet": event.has_meetings,
        },
    )


@login_required
@require_POST
def meeting_new(request: HttpRequest, event_id: int) -> HttpResponse:
    event = selectors.event_get_visible(request.user, event_id)
    try:
        invitee_pk = int(request.POST.get("invitee", ""))
    except ValueError:
        messages.error(request, _("请选择洽谈对象。"))
        return redirect("events:participants", event.pk)
    invitee = Registration.objects.unscoped().filter(pk=invitee_pk).first()
    try:
        if invitee is None:
            raise ValidationError(_("对方不是本活动的参会者。"))
        services.meeting_request(
            event=event, acting_user=request.user, invitee=invitee, message=request.POST.get("message", ""),
            suggested=request.POST.get("suggested") == "1",
        )  # fmt: skip
        messages.success(request, _("洽谈邀请已发出，等待对方答复。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("events:participants", event.pk)


@login_required
@require_POST
def project_interest(request: HttpRequest, registration_id: int) -> HttpResponse:
    presenter = Registration.objects.unscoped().select_related("event").filter(pk=registration_id).first()
    if presenter is None:
        raise Http404
    event = selectors.event_get_visible(request.user, presenter.event_id)
    try:
        services.project_interest_register(
            presenter=presenter, acting_user=request.user, note=request.POST.get("note", "")
        )
        messages.success(request, _("已登记对该路演项目的意向，主办方会协助对接。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("events:participants", event.pk)


@login_required
@require_POST
def meeting_action(request: HttpRequest, meeting_id: int, action: str) -> HttpResponse:
    meeting = selectors.meeting_get_visible(request.user, meeting_id)
    expected = request.POST.get("expected_state") or None
    try:
        if action in ("accept", "decline"):
            meeting = services.meeting_decide(
                meeting=meeting, acting_user=request.user, accept=action == "accept",
                reason=request.POST.get("reason", ""), expected_state=expected,
            )  # fmt: skip
            if action == "decline":
                messages.success(request, _("已谢绝该洽谈。"))
            elif meeting.slot is None and meeting.event.has_meetings:
                messages.warning(request, _("已接受；双方暂无共同空闲时段，主办方会另行安排。"))
            else:
                messages.success(request, _("已接受，洽谈已排入双方日程。"))
        elif action == "withdraw":
            services.meeting_withdraw(meeting=meeting, acting_user=request.user)
            messages.success(request, _("已撤回洽谈邀请。"))
        elif action == "outcome":
            form = OutcomeForm(request.POST)
            if not form.is_valid():
                raise ValidationError(_("请选择洽谈结果，评分为 1 到 5 分。"))
            services.meeting_record_outcome(
                meeting=meeting, acting_user=request.user, outcome=form.cleaned_data["outcome"],
                rating=form.cleaned_data["rating"], note=form.cleaned_data["note"],
            )  # fmt: skip
            messages.success(request, _("洽谈结果已记录。"))
        else:
            raise ValidationError(_("未知操作。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(local_next(request, reverse("events:detail", args=[meeting.event_id])))


def _timetable_meetings(user: Any, event: Event) -> tuple[list[MeetingRequest], bool]:
    """The accepted meetings of the user's timetable (all of them for the organiser), and whether the user
    is the organiser."""
    meetings = list(selectors.meetings_visible_to(user, event).filter(status=MeetingRequest.Status.ACCEPTED))
    organiser = is_organiser(user, event)
    if not organiser:
        meetings = [m for m in meetings if user.pk in (m.requester.user_id, m.invitee.user_id)]
    return meetings, organiser


@login_required
def timetable_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    """My timetable as a calendar file (the event and each seated meeting), for Outlook, phones, WPS."""
    event = selectors.event_get_visible(request.user, event_id)
    meetings, _organiser = _timetable_meetings(request.user, event)
    body = timetable_calendar(event, meetings, user=request.user, base_url=request.build_absolute_uri("/"))
    return attachment(body, "text/calendar; charset=utf-8", _("洽谈日程-%(e)s.ics") % {"e": event.title})


@login_required
def timetable(request: HttpRequest, event_id: int) -> HttpResponse:
    """My personal timetable (printable, and as a calendar file); the organiser sees the whole grid."""
    event = selectors.event_get_visible(request.user, event_id)
    meetings, organiser = _timetable_meetings(request.user, event)
    by_slot: dict[int, list[MeetingRequest]] = {}
    for m in meetings:
        if m.slot is not None:
            by_slot.setdefault(m.slot, []).append(m)
    rows = [(i, start, end, by_slot.get(i, [])) for i, start, end in event.slot_times()]
    unplaced = [m for m in meetings if m.slot is None]
    return render(
        request,
        "events/timetable.html",
        {"event": event, "rows": rows, "unplaced": unplaced, "organiser": organiser},
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.registrations_of(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "events/mine.html", {"page": page, "query": ""})


@login_required
def organised(request: HttpRequest) -> HttpResponse:
    orgs = [o.pk for o in roles.user_organizations(request.user)]
    qs = selectors.event_list_visible_to(request.user)
    if not roles.is_operator(request.user):
        qs = qs.filter(organiser_id__in=orgs)
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "events/organised.html",
        {"page": page, "query": "", "can_create": may_create_event(request.user)},
    )


def figures(request: HttpRequest) -> HttpResponse:
    try:
        year = int(request.GET.get("year", "")) if request.GET.get("year") else None
    except ValueError:
        year = None
    if year is not None and not 2000 <= year <= 2100:
        year = None
    return render(request, "events/figures.html", {"data": event_figures(year=year), "year": year})
