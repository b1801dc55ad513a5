"""The one place that knows how a contract relates to an engagement (techmarket.engagements)."""

from typing import Any

from django.db.models import Q


def engagement_org_ids(engagement: Any) -> set[int]:
    """Organisations taking part in the engagement (demand side, supply side, experts' units, providers)."""
    from techmarket.engagements.selectors import engagement_party_org_ids

    return engagement_party_org_ids(engagement)


def brokered_by_q(user: Any) -> Q:
    """Contracts of engagements ``user`` runs as lead or assisting broker."""
    from techmarket.engagements.models import Engagement

    mine = Engagement.objects.unscoped().filter(Q(lead_broker=user) | Q(assisting_brokers=user)).values("pk")
    return Q(engagement_id__in=mine)


def is_engagement_broker(user: Any, engagement: Any) -> bool:
    if engagement is None or not getattr(user, "is_authenticated", False):
        return False
    return engagement.lead_broker_id == user.pk or engagement.assisting_brokers.filter(pk=user.pk).exists()
