"""Opening an engagement from a matchmaking-event meeting marked 已立项对接 (events.hooks).

Either side of the meeting (or the organiser) may mark it; the engagement opens at once, led by the first
broker of this list (docs/events.md):

1. the person marking it, when they are a broker;
2. the broker whose caseload holds a need the enterprise brought to the event (``Assignment``);
3. a broker of the event's organiser (the organisation that ran the meeting);
4. a broker whose declared service regions cover the enterprise's region (``BrokerFields``).

Ties go to the broker registered first (deterministic). The demand side is the enterprise of the two, the
supply side the other organisation; the need the enterprise brought and the achievement the other side
brought are linked when they are listed. With no broker at all (or a meeting without two organisations)
nothing is opened: the outcome is recorded and the operators are told to assign a broker.
"""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from techmarket.orgs.models import Membership, Organization, Role

from .models import Assignment, Origin

LISTED = ("published", "in_progress")


def _brokers() -> Any:
    """Active brokers, in registration order."""
    return (
        Membership.objects.filter(
            role=Role.BROKER,
            is_active=True,
            user__is_active=True,
            organization__status=Organization.Status.APPROVED,
        )
        .order_by("user_id")
        .values_list("user_id", flat=True)
    )


def lead_broker_for(*, acting_user: Any, demand: Organization, demand_need_ids: list[int], event: Any) -> Any:
    """The broker who leads an engagement opened from an event meeting (the rule in the module docstring)."""
    from django.contrib.auth import get_user_model

    from techmarket.accounts import roles

    if roles.is_broker(acting_user):
        return acting_user
    brokers = _brokers()
    candidates = [
        Assignment.objects.filter(need_id__in=demand_need_ids, broker_id__in=brokers)
        .order_by("assigned_at", "pk")
        .values_list("broker_id", flat=True)
        .first(),
        brokers.filter(organization_id=event.organiser_id).first(),
    ]
    region = demand.region_id or ""
    if region:
        prefixes = {region[:n] + "0" * (6 - n) for n in (2, 4, 6)}
        candidates.append(
            brokers.filter(user__broker_fields__regions__code__in=prefixes).first()
            if len(region) == 6
            else None
        )
    for pk in candidates:
        if pk is not None:
            return get_user_model().objects.get(pk=pk)
    return None


def _brought(registration: Any, field: str, owner: Organization) -> list[Any]:
    """The listed items of ``owner`` the registration brought (the platform reads for itself)."""
    relation = type(registration)._meta.get_field(field)
    model = relation.related_model
    through = relation.remote_field.through
    ids = through.objects.filter(registration_id=registration.pk).values_list(
        f"{model._meta.model_name}_id", flat=True
    )
    return list(
        model.objects.unscoped().filter(pk__in=list(ids), owner=owner, status__in=LISTED).order_by("pk")
    )


def open_from_meeting(meeting: Any, acting_user: Any) -> int | None:
    from .services import open_engagement_record

    regs = (meeting.requester, meeting.invitee)
    a, b = regs[0].organization, regs[1].organization
    if a is None or b is None or a.pk == b.pk:
        return None
    if a.kind == Organization.Kind.ENTERPRISE or b.kind != Organization.Kind.ENTERPRISE:
        (demand, demand_reg), (supply, supply_reg) = (a, regs[0]), (b, regs[1])
    else:
        (demand, demand_reg), (supply, supply_reg) = (b, regs[1]), (a, regs[0])
    needs = _brought(demand_reg, "needs", demand)
    achievements = _brought(supply_reg, "achievements", supply)
    lead = lead_broker_for(
        acting_user=acting_user, demand=demand, demand_need_ids=[n.pk for n in needs], event=meeting.event
    )
    if lead is None:
        _ask_operators(meeting)
        return None
    engagement = open_engagement_record(
        acting_user=acting_user,
        title=f"{meeting.event.title}：{demand.name} × {supply.name}"[:120],
        demand_org=demand,
        supply_org=supply,
        lead_broker=lead,
        need=needs[0] if needs else None,
        achievement=achievements[0] if achievements else None,
        origin=Origin.EVENT,
        summary=(meeting.outcome_note or meeting.message or "")[:5000],
    )
    return engagement.pk


def _ask_operators(meeting: Any) -> None:
    from django.db import transaction

    from techmarket.notifications.services import notify_users
    from techmarket.workflow.selectors import operator_users

    def tell() -> None:
        notify_users(
            users=list(operator_users()),
            title=_("“%(e)s”的洽谈已立项对接，但没有可主办的经纪人，请分派经纪人创建对接项目")
            % {"e": meeting.event.title},
            body=str(meeting),
            url=reverse("events:manage", args=[meeting.event_id]),
            item_key=f"events.meeting:{meeting.pk}:needs_broker",
        )

    transaction.on_commit(tell)
