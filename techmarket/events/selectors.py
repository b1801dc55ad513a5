"""Reads of events, registrations and meetings: the one place that decides who sees what.

- Events: published, closed and cancelled events are public; drafts only to the organiser and operators.
- Participants ("who comes"): the organiser sees everyone; a confirmed participant sees the other confirmed
  participants who chose to be listed; anyone else sees counts only.
- Contact details of a participant (e-mail, phone): the organiser, and the other side of an accepted meeting.
- Meetings: the two sides and the organiser.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from .models import ACTIVE_REGISTRATION, Event, MeetingRequest, Registration
from .permissions import is_organiser

PUBLIC_STATUSES = (Event.Status.PUBLISHED, Event.Status.CLOSED, Event.Status.CANCELLED)


def _event_visible_q(user: Any) -> Q:
    from techmarket.accounts import roles

    q = Q(status__in=PUBLIC_STATUSES)
    if getattr(user, "is_authenticated", False):
        if roles.is_operator(user):
            return Q()
        orgs = [o.pk for o in roles.user_organizations(user)]
        if orgs:
            q |= Q(organiser_id__in=orgs)
    return q


def event_list_visible_to(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    when: str = "",
    organiser: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    now: datetime | None = None,
    **_ignored: Any,
) -> QuerySet[Event]:
    qs = Event.objects.scoped(_event_visible_q(user)).select_related("organiser")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(title__icontains=q) | Q(summary__icontains=q) | Q(fields__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if organiser:
        qs = qs.filter(organiser_id=organiser)
    if start is not None:
        qs = qs.filter(ends_at__gte=start)
    if end is not None:
        qs = qs.filter(starts_at__lt=end)
    if when in ("upcoming", "past"):
        from django.utils import timezone

        moment = now or timezone.now()
        qs = (
            qs.filter(ends_at__gte=moment).order_by("starts_at", "pk")
            if when == "upcoming"
            else qs.filter(ends_at__lt=moment)
        )
    return qs


def event_get_visible(user: Any, pk: int) -> Event:
    event = event_list_visible_to(user).filter(pk=pk).first()
    if event is None:
        raise Http404("活动不存在或您无权查看。")
    return event


def event_get_organised(user: Any, pk: int) -> Event:
    """An event the user organises (or any, for operators); 404 otherwise, never a hint that it exists."""
    event = event_get_visible(user, pk)
    if not is_organiser(user, event):
        raise Http404("活动不存在或您无权管理。")
    return event


def my_registration(user: Any, event: Event) -> Registration | None:
    """The user's live registration for the event (not cancelled or rejected), else their latest one."""
    if not getattr(user, "is_authenticated", False):
        return None
    mine = Registration.objects.scoped(Q(user_id=user.pk, event_id=event.pk)).select_related("organization")
    return mine.exclude(status__in=[Registration.Status.CANCELLED, Registration.Status.REJECTED]).first() or (
        mine.order_by("-created_at").first()
    )


def may_see_participants(user: Any, event: Event) -> bool:
    if is_organiser(user, event):
        return True
    reg = my_registration(user, event)
    return reg is not None and reg.status in ACTIVE_REGISTRATION


def participants_visible_to(user: Any, event: Event) -> QuerySet[Registration]:
    """Who comes, as this user may see it (empty for outsiders)."""
    base = Q(event_id=event.pk)
    if is_organiser(user, event):
        visible = base
    elif may_see_participants(user, event):
        visible = (
            base
            & Q(status__in=ACTIVE_REGISTRATION)
            & (Q(visibility=Registration.Visibility.PARTICIPANTS) | Q(user_id=user.pk))
        )
    else:
        visible = Q(pk__in=[])
    return (
        Registration.objects.scoped(visible)
        .select_related("user", "organization")
        .prefetch_related("needs", "achievements")
    )


def registrations_for_organiser(user: Any, event: Event, *, status: str = "") -> QuerySet[Registration]:
    if not is_organiser(user, event):
        return Registration.objects.scoped(Q(pk__in=[]))
    qs = Registration.objects.scoped(Q(event_id=event.pk)).select_related("user", "organization")
    return qs.filter(status=status) if status else qs


def registration_get_own_or_organised(user: Any, pk: int) -> Registration:
    reg = (
        Registration.objects.unscoped()
        .select_related("event", "event__organiser", "user", "organization")
        .filter(pk=pk)
        .first()
    )
    if reg is None or not (reg.user_id == getattr(user, "pk", None) or is_organiser(user, reg.event)):
        raise Http404("报名不存在或您无权查看。")
    return reg


def registrations_of(user: Any) -> QuerySet[Registration]:
    """The user's own registrations, newest event first (the workspace and "my events")."""
    if not getattr(user, "is_authenticated", False):
        return Registration.objects.scoped(Q(pk__in=[]))
    return (
        Registration.objects.scoped(Q(user_id=user.pk))
        .select_related("event", "event__organiser", "organization")
        .order_by("-event__starts_at", "-pk")
    )


def meetings_visible_to(user: Any, event: Event) -> QuerySet[MeetingRequest]:
    base = MeetingRequest.objects.filter(event_id=event.pk).select_related(
        "requester__user", "requester__organization", "invitee__user", "invitee__organization", "event"
    )
    if is_organiser(user, event):
        return base
    if not getattr(user, "is_authenticated", False):
        return base.none()
    return base.filter(Q(requester__user_id=user.pk) | Q(invitee__user_id=user.pk))


def meeting_get_visible(user: Any, pk: int) -> MeetingRequest:
    meeting = MeetingRequest.objects.select_related("event", "event__organiser").filter(pk=pk).first()
    if meeting is None or not meetings_visible_to(user, meeting.event).filter(pk=pk).exists():
        raise Http404("洽谈不存在或您无权查看。")
    return meeting


def can_see_contact(user: Any, registration: Registration) -> bool:
    """Contact details: oneself, the organiser, and the other side of an accepted meeting."""
    if not getattr(user, "is_authenticated", False):
        return False
    if registration.user_id == user.pk or is_organiser(user, registration.event):
        return True
    return MeetingRequest.objects.filter(
        Q(requester=registration, invitee__user_id=user.pk)
        | Q(invitee=registration, requester__user_id=user.pk),
        status=MeetingRequest.Status.ACCEPTED,
    ).exists()


def brought_items_visible_to(user: Any, registration: Registration) -> dict[str, list[Any]]:
    """The needs and achievements a participant brings, each through its own visibility selector."""
    from techmarket.achievements.selectors import achievement_list_visible_to
    from techmarket.needs.selectors import need_list_visible_to

    need_ids = [n.pk for n in registration.needs.all()]
    ach_ids = [a.pk for a in registration.achievements.all()]
    return {
        "needs": list(need_list_visible_to(user).filter(pk__in=need_ids)) if need_ids else [],
        "achievements": list(achievement_list_visible_to(user).filter(pk__in=ach_ids)) if ach_ids else [],
    }


def confirmed_count(event: Event) -> int:
    return Registration.objects.unscoped().filter(event_id=event.pk, status__in=ACTIVE_REGISTRATION).count()


def event_of_engagement(user: Any, engagement_id: int) -> Event | None:
    """The event an engagement was opened from (a meeting marked 已立项对接), if the user may see it."""
    return (
        event_list_visible_to(user)
        .filter(pk__in=MeetingRequest.objects.filter(engagement_id=engagement_id).values("event_id"))
        .first()
    )
