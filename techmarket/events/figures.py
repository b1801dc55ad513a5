"""Event figures by month: events, participants, meetings requested / held, deals and agreements.

Definitions (also in the API description):
- events: published, closed (held) events starting in the month; cancelled and draft ones are left out;
- registrations: confirmed or checked-in registrations of those events; attended: checked in;
- meetings requested: every meeting request of those events; accepted: accepted ones;
- meetings held: accepted meetings whose outcome says they took place (anything but "未举行" / empty);
- deals: meetings that led to an engagement ("已立项对接") or an agreement ("已签约");
- agreements: meetings marked "已签约";
- engagements: engagements opened from those events' meetings (a meeting marked 已立项对接 opens one);
- contracts / contract_amount: registered technology contracts (已登记) of those engagements and their
  合同成交额 in 元 — a contract counts for the event whose meeting opened its engagement;
- participants_by_kind: confirmed or checked-in registrations by the kind of organisation they came for
  (企业, 高校, 科研院所, 服务机构, 投资机构, 政府部门; "个人" when registered alone).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from .models import ACTIVE_REGISTRATION, Event, MeetingRequest, Registration

Out = MeetingRequest.Outcome
HELD = (Out.NO_FOLLOW_UP, Out.CONTINUE, Out.ENGAGEMENT, Out.AGREEMENT)
DEALS = (Out.ENGAGEMENT, Out.AGREEMENT)
COLUMNS = (
    "events", "registrations", "attended", "meetings_requested", "meetings_accepted", "meetings_held", "deals",
    "agreements", "engagements", "contracts", "contract_amount",
)  # fmt: skip
PERSON = "person"


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
    rows: dict[str, dict[str, Any]] = defaultdict(_empty_row)

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
    engagement_event: dict[int, int] = {
        engagement_id: event_id
        for engagement_id, event_id in MeetingRequest.objects.filter(
            event_id__in=month_of, engagement_id__isnull=False
        )
        .order_by("pk")
        .values_list("engagement_id", "event_id")
        if engagement_id is not None
    }
    for event_id in engagement_event.values():
        rows[key(event_id)]["engagements"] += 1
    for engagement_id, n, amount in _contracts_of(list(engagement_event)):
        row = rows[key(engagement_event[engagement_id])]
        row["contracts"] += n
        row["contract_amount"] += amount
    months = [{"month": month, **rows[month]} for month in sorted(rows)]
    totals = _empty_row()
    for row in rows.values():
        for c in COLUMNS:
            totals[c] += row[c]
    return {"months": months, "totals": totals, "participants_by_kind": _by_kind(list(month_of))}


def _empty_row() -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(COLUMNS, 0)
    row["contract_amount"] = Decimal("0.00")
    return row


def _contracts_of(engagement_ids: list[int]) -> list[tuple[int, int, Decimal]]:
    """(engagement id, registered contracts, 合同成交额) — read by name: events does not import contracts."""
    if not engagement_ids or not apps.is_installed("techmarket.contracts"):
        return []
    contract = apps.get_model("contracts", "TechContract")
    rows = (
        contract.objects.unscoped()
        .filter(engagement_id__in=engagement_ids, status="registered")
        .values("engagement_id")
        .annotate(n=Count("pk"), amount=Sum("total_amount"))
        .order_by("engagement_id")
    )
    return [(r["engagement_id"], r["n"], r["amount"] or Decimal("0.00")) for r in rows]


def _by_kind(event_ids: list[int]) -> list[dict[str, Any]]:
    """Participants (confirmed or checked in) by the kind of organisation they registered for."""
    from django.utils.translation import gettext

    from techmarket.orgs.models import Organization

    counts = {
        row["organization__kind"] or PERSON: row
        for row in Registration.objects.unscoped()
        .filter(event_id__in=event_ids, status__in=ACTIVE_REGISTRATION)
        .values("organization__kind")
        .annotate(n=Count("pk"), attended=Count("pk", filter=Q(status=Registration.Status.ATTENDED)))
        .order_by("organization__kind")
    }
    kinds = [*Organization.Kind.choices, (PERSON, gettext("个人"))]
    return [
        {
            "kind": kind,
            "label": str(label),
            "registrations": counts[kind]["n"],
            "attended": counts[kind]["attended"],
        }
        for kind, label in kinds
        if kind in counts
    ]


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

    if not apps.is_installed("techmarket.contracts"):
        return

    def from_events() -> Any:
        return MeetingRequest.objects.filter(engagement_id__isnull=False).values("engagement_id")

    def contracts() -> Any:
        model = apps.get_model("contracts", "TechContract")
        return model.objects.unscoped().filter(status="registered", engagement_id__in=from_events())

    register(
        Indicator(
            "events.contracts",
            _("活动促成登记合同"),
            _("项"),
            contracts,
            "registered_on",
            order=14,
            group="events",
            help=_("期间内登记的、来自活动洽谈所建对接项目的技术合同"),
        )
    )
    register(
        Indicator(
            "events.contract_amount",
            _("活动促成合同成交额"),
            _("万元"),
            contracts,
            "registered_on",
            order=15,
            group="events",
            sum_field="total_amount",
            scale=10000,
            help=_("期间内登记的、来自活动洽谈所建对接项目的技术合同成交额"),
        )
    )


_register_indicators()
