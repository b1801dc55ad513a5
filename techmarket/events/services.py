"""Writes of the events domain: keyword-only, atomic, audited; states move through the workflow engine."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.decisions.types import workflow_of
from techmarket.orgs.models import Organization
from techmarket.workflow.engine import transition

from . import hooks, notify
from .fields import EVENT_FIELDS
from .models import (
    ACTIVE_REGISTRATION,
    COUNTED_REGISTRATION,
    Event,
    MeetingRequest,
    MeetingSeat,
    ProjectInterest,
    Registration,
)
from .permissions import is_organiser, organisations_that_may_organise
from .request_types import MEETING_REQUEST
from .workflow import EVENT, REGISTRATION

R = Registration.Status
M = MeetingRequest.Status
EVENT_EDITABLE = (
    "title", "kind", "summary", "fields", "audience", "agenda", "starts_at", "ends_at", "venue", "online_url",
    "capacity", "registration_deadline", "requires_approval", "meetings_start", "meeting_minutes",
    "meeting_slots", "meeting_tables",
)  # fmt: skip


# ---------------------------------------------------------------- events


def event_create(*, acting_user: Any, organiser: Organization, data: dict[str, Any]) -> Event:
    if organiser not in organisations_that_may_organise(acting_user):
        raise PermissionDenied(_("只有已通过审核机构的管理员或平台运营可以发布活动。"))
    clean = EVENT_FIELDS.clean({k: v for k, v in data.items() if k in EVENT_EDITABLE}, partial=False)
    if clean.get("kind") not in Event.Kind.values:
        raise ValidationError({"kind": _("请选择活动类型。")})
    for name in ("starts_at", "ends_at", "registration_deadline"):
        if not clean.get(name):
            raise ValidationError({name: _("请填写时间。")})
    with transaction.atomic():
        event = Event(organiser=organiser, created_by=acting_user, status=Event.Status.DRAFT, **clean)
        event.save()
        audit_record(actor=acting_user, action="events.event.create", target=event, after=snapshot(event))
    return event


def event_update(*, event: Event, acting_user: Any, data: dict[str, Any]) -> Event:
    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以修改活动。"))
    if event.status in (Event.Status.CLOSED, Event.Status.CANCELLED):
        raise ValidationError(_("活动已结束或已取消，不能再修改。"))
    merged = {name: getattr(event, name) for name in EVENT_EDITABLE}
    merged.update({k: v for k, v in data.items() if k in EVENT_EDITABLE})
    clean = EVENT_FIELDS.clean(merged, partial=False)
    taken = Registration.objects.unscoped().filter(event=event, status__in=COUNTED_REGISTRATION).count()
    if clean["capacity"] < taken:
        raise ValidationError({"capacity": _("已有 %(n)d 人报名，名额不能少于此数。") % {"n": taken}})
    changed = {k: v for k, v in clean.items() if getattr(event, k) != v}
    if not changed:
        return event
    with transaction.atomic():
        before = snapshot(event, changed)
        for k, v in changed.items():
            setattr(event, k, v)
        event.save()
        audit_record(
            actor=acting_user,
            action="events.event.update",
            target=event,
            before=before,
            after=snapshot(event, changed),
        )
    return event


def event_move(
    *, event: Event, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Event:
    return transition(
        workflow=EVENT,
        obj=event,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )


def event_invite(*, event: Event, acting_user: Any, organization: Organization, reason: str) -> int:
    """Invite an organisation's members, with the reason (usually from matching). Each organisation is
    invited once per event; returns how many people were newly told."""
    from techmarket.matching.services import members_of
    from techmarket.notifications.services import notify_users

    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以发出邀请。"))
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("活动发布后才能发出邀请。"))
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationError({"reason": _("请写明邀请理由，对方会看到它。")})
    users = members_of(organization.pk)
    with transaction.atomic():
        told = notify_users(
            users=users,
            title=_("邀请您参加“%(e)s”") % {"e": event.title},
            body=reason,
            url=f"/events/{event.pk}/",
            item_key=f"events.invite:{event.pk}:{organization.pk}",
            email=True,
        )
        audit_record(
            actor=acting_user, action="events.event.invite", target=event,
            after={"organization_id": organization.pk, "told": told}, note=reason,
        )  # fmt: skip
    return told


def event_propose_pair(
    *, event: Event, acting_user: Any, first: Registration, second: Registration, reason: str
) -> int:
    """The organiser proposes that two participants meet (usually a pair from matching): both are told, with
    the reason, once per pair; either may then request the meeting. Returns how many were newly told."""
    from techmarket.notifications.services import notify_users

    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以推荐洽谈。"))
    if event.status != Event.Status.PUBLISHED or not event.has_meetings:
        raise ValidationError(_("只有报名中且安排了一对一洽谈的活动可以推荐洽谈。"))
    reason = (reason or "").strip()[:500]
    if not reason:
        raise ValidationError({"reason": _("请写明推荐理由，双方会看到它。")})
    for reg in (first, second):
        if reg.event_id != event.pk:
            raise ValidationError(_("%(p)s 不是本活动的参会者。") % {"p": reg.display_name})
        if reg.status not in ACTIVE_REGISTRATION or reg.visibility != Registration.Visibility.PARTICIPANTS:
            raise ValidationError(_("%(p)s 未确认参会或未公开参会信息，不能推荐。") % {"p": reg.display_name})
    if first.user_id == second.user_id:
        raise ValidationError(_("不能让同一个人与自己洽谈。"))
    pair = Q(requester=first, invitee=second) | Q(requester=second, invitee=first)
    if MeetingRequest.objects.filter(pair, status__in=[M.PENDING, M.ACCEPTED]).exists():
        raise ValidationError(_("双方已有待答复或已接受的洽谈。"))
    low, high = sorted((first.pk, second.pk))
    url = reverse("events:participants", args=[event.pk])
    with transaction.atomic():
        told = 0
        for me, other in ((first, second), (second, first)):
            told += notify_users(
                users=[me.user],
                title=_("主办方建议您在“%(e)s”与 %(o)s 洽谈") % {"e": event.title, "o": other.display_name},
                body=reason,
                url=url,
                item_key=f"events.pair:{event.pk}:{low}:{high}",
                email=True,
            )
        audit_record(
            actor=acting_user, action="events.event.propose_pair", target=event,
            after={"registrations": [low, high], "told": told}, note=reason,
        )  # fmt: skip
    return told


# ---------------------------------------------------------------- registrations


def _own_items(model: Any, organization: Organization | None, ids: list[int], label: str) -> list[Any]:
    from techmarket.catalog.models import LISTED_STATUSES

    ids = sorted({int(i) for i in ids or []})
    if not ids:
        return []
    if organization is None:
        raise ValidationError({label: _("携带需求或成果时，请选择代表的机构。")})
    items = list(model.objects.unscoped().filter(pk__in=ids, owner=organization, status__in=LISTED_STATUSES))
    if len(items) != len(ids):
        raise ValidationError({label: _("只能携带本机构已发布的条目。")})
    return items


def registration_open(
    *,
    event: Event,
    acting_user: Any,
    organization: Organization | None = None,
    intro: str = "",
    need_ids: list[int] | None = None,
    achievement_ids: list[int] | None = None,
    visibility: str = Registration.Visibility.PARTICIPANTS,
    role: str = Registration.Role.ATTENDEE,
    now: datetime | None = None,
) -> Registration:
    """Register; confirmed, pending (the organiser approves) or on the waiting list when the event is full."""
    from techmarket.achievements.models import Achievement
    from techmarket.needs.models import Need

    now = now or timezone.now()
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录再报名。"))
    if organization is not None and not roles.is_org_member(acting_user, organization):
        raise ValidationError({"organization": _("您不是该机构的成员，不能代表它报名。")})
    if visibility not in Registration.Visibility.values:
        raise ValidationError({"visibility": _("请选择在参会名单中的显示方式。")})
    intro = (intro or "").strip()
    if len(intro) > 300:
        raise ValidationError({"intro": _("参会介绍最多 300 字。")})
    if role not in Registration.Role.values:
        raise ValidationError({"role": _("请选择参会身份。")})
    if role == Registration.Role.PRESENTER:
        if event.kind != Event.Kind.ROADSHOW:
            raise ValidationError({"role": _("只有路演活动接受项目申报。")})
        if not (need_ids or achievement_ids):
            raise ValidationError({"role": _("申报路演请选择要展示的科技成果或融资需求。")})
    needs = _own_items(Need, organization, need_ids or [], "need_ids")
    achievements = _own_items(Achievement, organization, achievement_ids or [], "achievement_ids")
    with transaction.atomic():
        # The event row is the lock that serialises registrations for the same event (capacity).
        locked = Event.objects.unscoped().select_for_update().get(pk=event.pk)
        if locked.status != Event.Status.PUBLISHED:
            raise ValidationError(
                _("该活动当前不接受报名（状态：%(s)s）。") % {"s": locked.get_status_display()}
            )
        if now > locked.registration_deadline:
            raise ValidationError(
                _("报名已于 %(t)s 截止。")
                % {"t": timezone.localtime(locked.registration_deadline).strftime("%Y-%m-%d %H:%M")}
            )
        live = (
            Registration.objects.unscoped()
            .filter(event=locked, user=acting_user)
            .exclude(status__in=[R.CANCELLED, R.REJECTED])
        )
        if live.exists():
            raise ValidationError(_("您已报名该活动，无需重复报名。"))
        taken = Registration.objects.unscoped().filter(event=locked, status__in=COUNTED_REGISTRATION).count()
        if taken >= locked.capacity:
            status = R.WAITLISTED
        else:
            # Roadshow projects are always selected by the organiser.
            status = (
                R.PENDING if locked.requires_approval or role == Registration.Role.PRESENTER else R.CONFIRMED
            )
        reg = Registration(
            event=locked, user=acting_user, organization=organization, intro=intro, visibility=visibility,
            status=status, role=role,
        )  # fmt: skip
        for _attempt in range(3):  # a check-in code collision is astronomically rare; try a fresh one
            try:
                with transaction.atomic():
                    reg.save()
                break
            except IntegrityError:
                if live.exists():
                    raise ValidationError(_("您已报名该活动，无需重复报名。")) from None
                from .models import new_checkin_code

                reg.pk = None
                reg.checkin_code = new_checkin_code()
        reg.needs.set(needs)
        reg.achievements.set(achievements)
        audit_record(
            actor=acting_user,
            action="events.registration.create",
            target=reg,
            after={**snapshot(reg, ["event_id", "organization_id", "status", "visibility"]),
                   "needs": [n.pk for n in needs], "achievements": [a.pk for a in achievements]},
        )  # fmt: skip
    return reg


def registration_decide(
    *,
    registration: Registration,
    acting_user: Any,
    approve: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> Registration:
    with transaction.atomic():
        if approve and registration.status == R.WAITLISTED:
            locked = Event.objects.unscoped().select_for_update().get(pk=registration.event_id)
            taken = (
                Registration.objects.unscoped().filter(event=locked, status__in=COUNTED_REGISTRATION).count()
            )
            if taken >= locked.capacity:
                raise ValidationError(_("名额已满，不能让候补者转正；请先增加名额。"))
        return transition(
            workflow=REGISTRATION,
            obj=registration,
            action="approve" if approve else "reject",
            acting_user=acting_user,
            reason=reason,
            expected_state=expected_state,
        )


def registration_cancel(
    *, registration: Registration, acting_user: Any, expected_state: str | None = None
) -> Registration:
    """Cancel; open meeting requests of the registration are withdrawn, its seats freed, and the first on the
    waiting list moves up."""
    with transaction.atomic():
        reg = transition(
            workflow=REGISTRATION, obj=registration, action="cancel", acting_user=acting_user,
            expected_state=expected_state,
        )  # fmt: skip
        MeetingSeat.objects.filter(meeting__in=_meetings_of(reg)).delete()
        open_meetings = (
            _meetings_of(reg)
            .filter(status__in=[M.PENDING, M.ACCEPTED])
            .select_related("event", "requester", "invitee")
        )
        for meeting in open_meetings.order_by("pk"):
            transition(
                workflow=workflow_of(MEETING_REQUEST), obj=meeting, action="cancel_with_registration",
                acting_user=None, reason=_("%(p)s 已取消报名") % {"p": reg.display_name},
                changes={"slot": None, "table": None},
            )  # fmt: skip
        _promote_waiting(reg.event_id)
    return reg


def _meetings_of(reg: Registration) -> Any:
    return MeetingRequest.objects.filter(Q(requester=reg) | Q(invitee=reg))


def _promote_waiting(event_id: int) -> Registration | None:
    event = Event.objects.unscoped().select_for_update().get(pk=event_id)
    taken = Registration.objects.unscoped().filter(event=event, status__in=COUNTED_REGISTRATION).count()
    if taken >= event.capacity:
        return None
    first = (
        Registration.objects.unscoped()
        .filter(event=event, status=R.WAITLISTED)
        .order_by("created_at", "pk")
        .first()
    )
    if first is None:
        return None
    action = "promote_to_review" if event.requires_approval else "promote"
    promoted: Registration = transition(workflow=REGISTRATION, obj=first, action=action, acting_user=None)
    return promoted


def registration_check_in(*, event: Event, code: str, acting_user: Any) -> Registration:
    """Check a code in at the door: a wrong, foreign or already used code is refused with what happened."""
    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以签到。"))
    code = "".join((code or "").split()).upper()
    if "/" in code:  # a scanned QR code carries the check-in URL; the code is its last part
        code = code.rstrip("/").rsplit("/", 1)[-1]
    if not code:
        raise ValidationError({"code": _("请输入或扫描签到码。")})
    reg = (
        Registration.objects.unscoped()
        .select_related("event", "user", "organization")
        .filter(checkin_code=code)
        .first()
    )
    if reg is None:
        raise ValidationError({"code": _("签到码 %(c)s 不存在，请核对后重试。") % {"c": code}})
    if reg.event_id != event.pk:
        raise ValidationError({"code": _("该签到码不属于本活动（属于“%(e)s”）。") % {"e": reg.event.title}})
    if reg.status == R.ATTENDED:
        when = timezone.localtime(reg.checked_in_at).strftime("%H:%M") if reg.checked_in_at else ""
        raise ValidationError(
            {"code": _("%(p)s 已于 %(t)s 签到，签到码不能重复使用。") % {"p": reg.display_name, "t": when}}
        )
    if reg.status != R.CONFIRMED:
        raise ValidationError(
            {
                "code": _("%(p)s 的报名状态为“%(s)s”，不能签到。")
                % {"p": reg.display_name, "s": reg.get_status_display()}
            }
        )
    checked: Registration = transition(
        workflow=REGISTRATION, obj=reg, action="check_in", acting_user=acting_user, expected_state=R.CONFIRMED
    )
    return checked


# ---------------------------------------------------------------- meetings


def meeting_request(
    *, event: Event, acting_user: Any, invitee: Registration, message: str = "", suggested: bool = False
) -> MeetingRequest:
    from .selectors import my_registration

    requester = my_registration(acting_user, event)
    if requester is None or requester.status not in ACTIVE_REGISTRATION:
        raise ValidationError(_("只有已确认参会的人才能预约洽谈。"))
    if invitee.event_id != event.pk:
        raise ValidationError({"invitee": _("对方不是本活动的参会者。")})
    if invitee.pk == requester.pk or invitee.user_id == acting_user.pk:
        raise ValidationError({"invitee": _("不能向自己发起洽谈。")})
    if invitee.status not in ACTIVE_REGISTRATION:
        raise ValidationError({"invitee": _("对方的报名尚未确认，暂不能预约。")})
    if invitee.visibility != Registration.Visibility.PARTICIPANTS:
        raise ValidationError({"invitee": _("对方未公开参会信息，不能预约。")})
    if not event.has_meetings:
        raise ValidationError(_("本活动未安排一对一洽谈。"))
    if event.status != Event.Status.PUBLISHED or timezone.now() > event.ends_at:
        raise ValidationError(_("活动已结束或未开放，不能再预约洽谈。"))
    message = (message or "").strip()
    if len(message) > 300:
        raise ValidationError({"message": _("留言最多 300 字。")})
    pair = Q(requester=requester, invitee=invitee) | Q(requester=invitee, invitee=requester)
    if MeetingRequest.objects.filter(pair, status__in=[M.PENDING, M.ACCEPTED]).exists():
        raise ValidationError(_("你们之间已有待答复或已接受的洽谈。"))
    meeting = MeetingRequest(
        event=event,
        requested_by=acting_user,
        requester=requester,
        invitee=invitee,
        message=message,
        suggested=suggested,
    )
    try:
        with transaction.atomic():
            opened: MeetingRequest = request_open(
                request_type=MEETING_REQUEST,
                obj=meeting,
                acting_user=acting_user,
                after=snapshot(meeting, ["event_id", "requester_id", "invitee_id", "status"]),
            )
            transaction.on_commit(partial(notify.meeting_requested, opened))
            return opened
    except IntegrityError:  # the same pair asked at the same moment from both sides
        raise ValidationError(_("你们之间已有待答复或已接受的洽谈。")) from None


def meeting_decide(
    *,
    meeting: MeetingRequest,
    acting_user: Any,
    accept: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> MeetingRequest:
    """Accept (and place it in the first slot both sides have free) or decline with a reason."""
    if accept and meeting.event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("活动已结束或已取消，不能再接受洽谈。"))
    with transaction.atomic():
        meeting = request_decide(
            request_type=MEETING_REQUEST, obj=meeting, acting_user=acting_user, approve=accept, reason=reason,
            expected_state=expected_state,
        )  # fmt: skip
        if accept:
            _place(meeting)
    return meeting


def meeting_withdraw(*, meeting: MeetingRequest, acting_user: Any) -> MeetingRequest:
    withdrawn: MeetingRequest = request_withdraw(
        request_type=MEETING_REQUEST, obj=meeting, acting_user=acting_user
    )
    return withdrawn


def _place(meeting: MeetingRequest) -> bool:
    """Seat an accepted meeting in the earliest slot where both sides are free and a table is left.

    The unique constraints on seats (participant, slot) and meetings (event, slot, table) decide races:
    a concurrent booking that took the slot makes the insert fail, and the next slot is tried."""
    event = meeting.event
    slots = [i for i, _s, _e in event.slot_times()]
    if not slots or meeting.slot is not None:
        return meeting.slot is not None
    for _attempt in range(3):
        busy = set(
            MeetingSeat.objects.filter(
                registration__in=[meeting.requester_id, meeting.invitee_id]
            ).values_list("slot", flat=True)
        )
        tables_taken: dict[int, set[int]] = {}
        for taken_slot, table in MeetingRequest.objects.filter(event=event, slot__isnull=False).values_list(
            "slot", "table"
        ):
            if taken_slot is not None and table is not None:
                tables_taken.setdefault(taken_slot, set()).add(table)
        for slot in slots:
            if slot in busy:
                continue
            free = [t for t in range(1, event.meeting_tables + 1) if t not in tables_taken.get(slot, set())]
            if not free:
                continue
            try:
                with transaction.atomic():
                    # Seats first: a concurrent booking of the same person waits here and then fails.
                    MeetingSeat.objects.bulk_create(
                        [
                            MeetingSeat(meeting=meeting, registration_id=meeting.requester_id, slot=slot),
                            MeetingSeat(meeting=meeting, registration_id=meeting.invitee_id, slot=slot),
                        ]
                    )
                    MeetingRequest.objects.filter(pk=meeting.pk).update(slot=slot, table=free[0])
            except IntegrityError:
                break  # someone else took it meanwhile: read the timetable again
            meeting.slot, meeting.table = slot, free[0]
            return True
        else:
            return False
    return False


def event_schedule(*, event: Event, acting_user: Any) -> dict[str, int]:
    """Seat every accepted meeting that has no slot yet. Fair when slots are scarce: the meeting whose two
    participants have the fewest meetings seated so far goes first; ties by request time (deterministic)."""
    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以排期。"))
    placed = unplaced = 0
    with transaction.atomic():
        Event.objects.unscoped().select_for_update().get(pk=event.pk)
        waiting = list(
            MeetingRequest.objects.filter(event=event, status=M.ACCEPTED, slot__isnull=True)
            .select_related("event")
            .order_by("created_at", "pk")
        )
        seated = Counter(
            MeetingSeat.objects.filter(meeting__event=event).values_list("registration_id", flat=True)
        )
        while waiting:
            waiting.sort(key=lambda m: (seated[m.requester_id] + seated[m.invitee_id], m.created_at, m.pk))
            meeting = waiting.pop(0)
            if _place(meeting):
                placed += 1
                seated[meeting.requester_id] += 1
                seated[meeting.invitee_id] += 1
            else:
                unplaced += 1
        audit_record(
            actor=acting_user,
            action="events.event.schedule",
            target=event,
            after={"placed": placed, "unplaced": unplaced},
        )
    return {"placed": placed, "unplaced": unplaced}


def _timetable_text(event: Event, reg: Registration, meetings: list[MeetingRequest]) -> str:
    """One participant's seated meetings as plain text lines, in slot order (the e-mail body)."""
    lines = [
        _("活动：%(e)s") % {"e": event.title},
        _("时间：%(t)s") % {"t": timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M")},
    ]
    if event.venue:
        lines.append(_("地点：%(v)s") % {"v": event.venue})
    lines.append(_("签到码：%(c)s") % {"c": reg.checkin_code})
    lines.append("")
    for meeting in meetings:
        window = meeting.slot_window()
        if window is None:
            continue
        other = meeting.invitee if meeting.requester_id == reg.pk else meeting.requester
        lines.append(
            _("%(a)s–%(b)s　第 %(n)s 桌　与 %(o)s")
            % {
                "a": timezone.localtime(window[0]).strftime("%H:%M"),
                "b": timezone.localtime(window[1]).strftime("%H:%M"),
                "n": meeting.table,
                "o": other.display_name,
            }
        )
    return "\n".join(lines)


def event_send_timetables(*, event: Event, acting_user: Any) -> dict[str, int]:
    """The organiser sends each confirmed participant their personal timetable (in-site notice and e-mail):
    the seated meetings with time, table and the other side. A participant whose timetable has not changed
    since the last sending is not told again; a changed one is sent anew."""
    import hashlib

    from techmarket.notifications.services import notify_users

    if not is_organiser(acting_user, event):
        raise PermissionDenied(_("只有主办方可以发送洽谈日程。"))
    if event.status != Event.Status.PUBLISHED:
        raise ValidationError(_("只有报名中的活动可以发送洽谈日程。"))
    if not event.has_meetings:
        raise ValidationError(_("本活动未安排一对一洽谈。"))
    seated = list(
        MeetingRequest.objects.filter(event=event, status=M.ACCEPTED, slot__isnull=False)
        .select_related("event", "requester__user", "requester__organization", "invitee__user",
                        "invitee__organization")
        .order_by("slot", "table", "pk")
    )  # fmt: skip
    by_reg: dict[int, list[MeetingRequest]] = {}
    regs: dict[int, Registration] = {}
    for meeting in seated:
        for side in (meeting.requester, meeting.invitee):
            by_reg.setdefault(side.pk, []).append(meeting)
            regs[side.pk] = side
    told = unchanged = 0
    url = reverse("events:timetable", args=[event.pk])
    with transaction.atomic():
        for pk in sorted(by_reg):
            reg = regs[pk]
            if reg.status not in ACTIVE_REGISTRATION:
                continue
            body = _timetable_text(event, reg, by_reg[pk])
            digest = hashlib.sha256(body.encode()).hexdigest()[:12]
            new = notify_users(
                users=[reg.user],
                title=_("您在“%(e)s”的洽谈日程（%(n)d 场）") % {"e": event.title, "n": len(by_reg[pk])},
                body=body,
                url=url,
                item_key=f"events.timetable:{event.pk}:{reg.pk}:{digest}",
                email=True,
            )
            told += new
            unchanged += 1 - new
        audit_record(
            actor=acting_user,
            action="events.event.timetables",
            target=event,
            after={"told": told, "unchanged": unchanged},
        )
    return {"told": told, "unchanged": unchanged}


def meeting_record_outcome(
    *, meeting: MeetingRequest, acting_user: Any, outcome: str, rating: int | None = None, note: str = ""
) -> MeetingRequest:
    """After the meeting: what came of it. "已立项对接" opens an engagement through the registered hook."""
    sides = {meeting.requester.user_id, meeting.invitee.user_id}
    if acting_user.pk not in sides and not is_organiser(acting_user, meeting.event):
        raise PermissionDenied(_("只有洽谈双方或主办方可以填写结果。"))
    if meeting.status != M.ACCEPTED:
        raise ValidationError(_("只有已接受的洽谈可以填写结果。"))
    if timezone.now() < meeting.event.starts_at:
        raise ValidationError(_("活动开始后才能填写洽谈结果。"))
    if outcome not in MeetingRequest.Outcome.values or outcome == MeetingRequest.Outcome.NONE:
        raise ValidationError({"outcome": _("请选择洽谈结果。")})
    if rating is not None and not 1 <= int(rating) <= 5:
        raise ValidationError({"rating": _("评分为 1 到 5 分。")})
    note = (note or "").strip()
    if len(note) > 500:
        raise ValidationError({"note": _("结果说明最多 500 字。")})
    fields = ["outcome", "rating", "outcome_note", "engagement_id"]
    with transaction.atomic():
        locked = (
            MeetingRequest.objects.select_for_update()
            .select_related("requester", "invitee", "event")
            .get(pk=meeting.pk)
        )
        before = snapshot(locked, fields)
        locked.outcome, locked.rating, locked.outcome_note = outcome, rating, note
        locked.outcome_by, locked.outcome_at = acting_user, timezone.now()
        if outcome == MeetingRequest.Outcome.ENGAGEMENT and locked.engagement_id is None:
            locked.engagement_id = hooks.open_engagement(locked, acting_user)
        locked.save()
        audit_record(
            actor=acting_user,
            action="events.meeting.outcome",
            target=locked,
            before=before,
            after=snapshot(locked, fields),
        )
    return locked


def project_interest_register(
    *, presenter: Registration, acting_user: Any, note: str = ""
) -> ProjectInterest:
    """A confirmed participant registers interest in a selected roadshow project (during or after the session)."""
    from .selectors import my_registration

    event = presenter.event
    me = my_registration(acting_user, event)
    if me is None or me.status not in ACTIVE_REGISTRATION:
        raise ValidationError(_("只有已确认参会的人才能登记项目意向。"))
    if presenter.role != Registration.Role.PRESENTER or presenter.status not in ACTIVE_REGISTRATION:
        raise ValidationError(_("该项目不是本场入选的路演项目。"))
    if presenter.pk == me.pk:
        raise ValidationError(_("不能对自己的项目登记意向。"))
    note = (note or "").strip()
    if len(note) > 300:
        raise ValidationError({"note": _("意向说明最多 300 字。")})
    if ProjectInterest.objects.filter(presenter=presenter, participant=me).exists():
        raise ValidationError(_("您已登记过对该项目的意向。"))
    try:
        with transaction.atomic():
            interest = ProjectInterest.objects.create(presenter=presenter, participant=me, note=note)
            audit_record(
                actor=acting_user, action="events.project.interest", target=presenter,
                after={"participant_id": me.pk, "note": note},
            )  # fmt: skip
    except IntegrityError:
        raise ValidationError(_("您已登记过对该项目的意向。")) from None
    return interest
