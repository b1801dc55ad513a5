"""Event figures by month: events, participants, meetings requested / held, deals and agreements.

Definitions (also in the API description):
- events: published, closed (held) events starting in the month; cancelled and draft ones are left out;
- registrations: confirmed or checked-in registrations of those events; attended: checked in;
- meetings requested: every meeting request of those events; accepted: accepted ones;
- meetings held: accepted meetings whose outcome says they took place (anything but "未举行" / empty);
- deals: meetings that led to an engagement ("已立项对接") or an agreement ("已签约");
- agreements: meetings marked "已签约".
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import ACTIVE_REGISTRATION, Event, MeetingRequest, Registration

Out = MeetingRequest.Outcome
HELD = (Out.NO_FOLLOW_UP, Out.CONTINUE, Out.ENGAGEMENT, Out.AGREEMENT)
DEALS = (Out.ENGAGEMENT, Out.AGREEMENT)
COLUMNS = (
    "events", "registrations", "attended", "meetings_requested", "meetings_accepted", "meetings_held", "deals",
    "agreements",
)  # fmt: skip


def event_figures(*, year: int | None = None, organiser: int | None = None) -> dict[str, Any]:
    """One row per month that has events, plus the totals. Platform-wide figures (no personal data)."""
    events = Event.objects.unscoped().filter(status__in=[Event.Status.PUBLISHED, Event.Status.CLOSED])
    if year:
        events = events.filter(starts_at__year=year)
    if organiser:
        events = events.filter(organiser_id=organiser)
    tz = timezone.get_current_timezone()
    month_of = {
        row["pk"]: row["month"]
        for row in events.annotate(month=TruncMonth("starts_at", tzinfo=tz)).values("pk", "month")
    }
    rows: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COLUMNS, 0))

    def key(event_id: int) -> str:
        month = month_of[event_id]
        return f"{month.year:04d}-{month.month:02d}"

    for event_id in month_of:
        rows[key(event_id)]["events"] += 1
    regs = (
        Registration.objects.unscoped()
        .filter(event_id__in=month_of, status__in=ACTIVE_REGISTRATION)
        .values("event_id")
        .annotate(n=Count("pk"), attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)))
    )
    for r in regs:
        rows[key(r["event_id"])]["registrations"] += r["n"]
        rows[key(r["event_id"])]["attended"] += r["attended"]
    accepted = Q(status=MeetingRequest.Status.ACCEPTED)
    meetings = (
        MeetingRequest.objects.filter(event_id__in=month_of)
        .values("event_id")
        .annotate(
            requested=Count("pk"),
            accepted=Count("pk", filter=accepted),
            held=Count("pk", filter=accepted & Q(outcome__in=HELD)),
            deals=Count("pk", filter=accepted & Q(outcome__in=DEALS)),
            agreements=Count("pk", filter=accepted & Q(outcome=Out.AGREEMENT)),
        )
    )
    for m in meetings:
        row = rows[key(m["event_id"])]
        row["meetings_requested"] += m["requested"]
        row["meetings_accepted"] += m["accepted"]
        row["meetings_held"] += m["held"]
        row["deals"] += m["deals"]
        row["agreements"] += m["agreements"]
    months = [{"month": month, **rows[month]} for month in sorted(rows)]
    totals = {c: sum(row[c] for row in rows.values()) for c in COLUMNS}
    return {"months": months, "totals": totals}


# The bureau's dashboard (analytics.indicators): the same definitions, filterable by the organiser's region.
def _register_indicators() -> None:
    from django.utils.translation import gettext_lazy as _

    from techmarket.analytics.indicators import Group, Indicator, register, register_group

    held = (Event.Status.PUBLISHED, Event.Status.CLOSED)
    register_group(Group("events", _("对接活动"), 30))
    shared: dict[str, Any] = {"group": "events", "region_field": "event__organiser__region__code"}
    register(
        Indicator(
            "events.held",
            _("举办对接活动"),
            _("场"),
            lambda: Event.objects.unscoped().filter(status__in=held),
            "starts_at",
            order=10,
            region_field="organiser__region__code",
            group="events",
            help=_("期间内开始的已发布或已结束活动（不含草稿和已取消的）"),
        )
    )
    register(
        Indicator(
            "events.participants",
            _("活动参会人次"),
            _("人次"),
            lambda: Registration.objects.unscoped().filter(
                event__status__in=held, status__in=ACTIVE_REGISTRATION
            ),
            "event__starts_at",
            order=11,
            help=_("期间内开始的活动中确认参会或已签到的报名"),
            **shared,
        )
    )
    register(
        Indicator(
            "events.meetings_held",
            _("一对一洽谈"),
            _("场"),
            lambda: MeetingRequest.objects.filter(event__status__in=held, outcome__in=HELD),
            "event__starts_at",
            order=12,
            help=_("期间内活动中实际举行的一对一洽谈"),
            **shared,
        )
    )
    register(
        Indicator(
            "events.deals",
            _("活动促成对接与签约"),
            _("项"),
            lambda: MeetingRequest.objects.filter(event__status__in=held, outcome__in=DEALS),
            "event__starts_at",
            order=13,
            help=_("期间内活动洽谈中“已立项对接”和“已签约”的"),
            **shared,
        )
    )


_register_indicators()
