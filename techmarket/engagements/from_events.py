"""Opening an engagement from a matchmaking-event meeting marked 已立项对接 (events.hooks).

The engagement is opened only by someone who may open engagements (a broker or an operator, e.g. the
event's organiser or the broker who attended): the demand side is the enterprise of the two, the supply
side the other organisation. Anyone else recording the outcome records it alone (the hook returns None),
and a broker opens the engagement later from the need or by hand.
"""

from typing import Any

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import Origin


def open_from_meeting(meeting: Any, acting_user: Any) -> int | None:
    from .services import engagement_open

    if not roles.is_broker_or_operator(acting_user):
        return None
    a, b = meeting.requester.organization, meeting.invitee.organization
    if a is None or b is None or a.pk == b.pk:
        return None
    demand, supply = (
        (a, b) if a.kind == Organization.Kind.ENTERPRISE or b.kind != Organization.Kind.ENTERPRISE else (b, a)
    )
    lead = acting_user if roles.is_broker(acting_user) else None
    engagement = engagement_open(
        acting_user=acting_user,
        title=f"{meeting.event.title}：{demand.name} × {supply.name}"[:120],
        demand_org=demand,
        supply_org=supply,
        lead_broker=lead,
        origin=Origin.EVENT,
        summary=(meeting.outcome_note or meeting.message or "")[:5000],
    )
    return engagement.pk
