"""In-site notices (and e-mail) after the commit of a meeting request, a decision or a registration move."""

from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.notifications.services import notify_users


def meeting_requested(meeting: Any) -> None:
    notify_users(
        users=[meeting.invitee.user],
        title=_("%(p)s 邀请您在“%(e)s”洽谈")
        % {"p": meeting.requester.display_name, "e": meeting.event.title},
        body=meeting.message,
        url=reverse("events:detail", args=[meeting.event_id]),
        item_key=f"events.meeting:{meeting.pk}:requested",
        email=True,
    )


def meeting_decided(meeting: Any, action: str) -> None:
    if action == "cancel_with_registration":
        _meeting_cancelled(meeting)
        return
    if action not in ("approve", "reject"):
        return
    if action == "approve":
        window = meeting.slot_window()
        when = (
            _("时段 %(t)s，第 %(n)s 桌")
            % {"t": timezone.localtime(window[0]).strftime("%m-%d %H:%M"), "n": meeting.table}
            if window
            else _("时段待主办方安排")
        )
        title = _("%(p)s 接受了您的洽谈邀请（%(w)s）") % {"p": meeting.invitee.display_name, "w": when}
    else:
        title = _("%(p)s 谢绝了您的洽谈邀请") % {"p": meeting.invitee.display_name}
    notify_users(
        users=[meeting.requested_by],
        title=title,
        body=meeting.decision_note,
        url=reverse("events:timetable", args=[meeting.event_id]),
        item_key=f"events.meeting:{meeting.pk}:{action}",
        email=True,
    )


def registration_moved(registration: Any, action: str) -> None:
    titles = {
        "approve": _("您报名的“%(e)s”已确认"),
        "promote": _("您已从候补转为正式参会：“%(e)s”"),
        "reject": _("您报名的“%(e)s”未通过"),
    }
    if action not in titles:
        return
    notify_users(
        users=[registration.user],
        title=titles[action] % {"e": registration.event.title},
        body=registration.status_note,
        url=reverse("events:detail", args=[registration.event_id]),
        item_key=f"events.registration:{registration.pk}:{action}",
        email=True,
    )


def _meeting_cancelled(meeting: Any) -> None:
    """Tell the side who is still coming that the meeting is off (the reason names who cancelled)."""
    from .models import Registration

    live = Registration.objects.unscoped().filter(
        pk__in=[meeting.requester_id, meeting.invitee_id], status__in=["pending", "confirmed", "attended"]
    )
    notify_users(
        users=[r.user for r in live.select_related("user")],
        title=_("您在“%(e)s”的一场洽谈已取消") % {"e": meeting.event.title},
        body=meeting.decision_note,
        url=reverse("events:timetable", args=[meeting.event_id]),
        item_key=f"events.meeting:{meeting.pk}:cancelled",
    )


def event_moved(event: Any, action: str) -> None:
    """A cancelled event: everyone still registered (confirmed, pending or waiting) is told why, by e-mail too."""
    if action != "cancel":
        return
    from .models import Registration

    live = (
        Registration.objects.unscoped()
        .filter(event_id=event.pk, status__in=["pending", "confirmed", "waitlisted"])
        .select_related("user")
        .order_by("pk")
    )
    notify_users(
        users=[r.user for r in live],
        title=_("您报名的“%(e)s”已取消") % {"e": event.title},
        body=event.status_note,
        url=reverse("events:detail", args=[event.pk]),
        item_key=f"events.event:{event.pk}:cancelled",
        email=True,
    )
