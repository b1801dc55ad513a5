"""Reads on engagements. Who sees an engagement is decided here, once: its parties and the operators.

Parties: members of the demand organisation, of the supply organisation and of every service provider,
the experts of the supply side (through their platform account), the lead broker and the assisting
brokers. Operators see every engagement.
"""

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.accounts import roles

from .models import OPEN_STAGES, Engagement


def engagement_visible_q(user: Any) -> Q:
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if roles.is_operator(user):
        return Q()
    org_ids = [o.pk for o in roles.user_organizations(user)]
    q = Q(lead_broker=user) | Q(assisting_brokers=user) | Q(experts__user=user)
    if org_ids:
        q |= Q(demand_org_id__in=org_ids) | Q(supply_org_id__in=org_ids)
        q |= Q(provider_links__organization_id__in=org_ids)
    # The joins over many-valued relations can repeat a row; the pk subquery keeps it one row per engagement.
    return Q(pk__in=Engagement.objects.unscoped().filter(q).values("pk"))


def engagement_list_visible_to(
    user: Any,
    *,
    stage: str = "",
    status: str = "",
    broker: int | None = None,
    organization: int | None = None,
    q: str = "",
) -> QuerySet[Engagement]:
    """The engagements ``user`` may see, with the parties loaded; optional filters."""
    qs = Engagement.objects.scoped(engagement_visible_q(user)).select_related(
        "demand_org", "supply_org", "lead_broker", "need", "achievement"
    )
    if stage:
        qs = qs.filter(stage=stage)
    if status == "open":
        qs = qs.filter(stage__in=OPEN_STAGES)
    elif status in {"deal", "terminated"}:
        qs = qs.filter(stage=status)
    if broker:
        qs = qs.filter(Q(lead_broker_id=broker) | Q(assisting_brokers__id=broker)).distinct()
    if organization:
        qs = qs.filter(
            Q(demand_org_id=organization)
            | Q(supply_org_id=organization)
            | Q(provider_links__organization_id=organization)
        ).distinct()
    if q:
        qs = qs.filter(
            Q(title__icontains=q) | Q(demand_org__name__icontains=q) | Q(supply_org__name__icontains=q)
        )
    return qs


def engagement_get_visible(user: Any, pk: Any) -> Engagement:
    """One engagement ``user`` may see, else 404 (never 403: existence is not revealed)."""
    try:
        return engagement_list_visible_to(user).get(pk=pk)
    except (Engagement.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def engagement_party_org_ids(engagement: Engagement) -> set[int]:
    """The organisations taking part: demand, supply, the experts' affiliations and the service providers."""
    ids = {engagement.demand_org_id}
    if engagement.supply_org_id:
        ids.add(engagement.supply_org_id)
    ids.update(engagement.experts.values_list("affiliation_id", flat=True))
    ids.update(engagement.provider_links.values_list("organization_id", flat=True))
    return ids


def is_party_organization(engagement: Engagement, organization: Any) -> bool:
    """Whether ``organization`` (an Organization or its pk) is a party of ``engagement``."""
    pk = getattr(organization, "pk", organization)
    return pk in engagement_party_org_ids(engagement)


def is_party_user(user: Any, engagement: Engagement) -> bool:
    """Whether ``user`` takes part (broker, expert or member of a party organisation); operators are not parties."""
    if not getattr(user, "is_authenticated", False):
        return False
    if engagement.lead_broker_id == user.pk or engagement.assisting_brokers.filter(pk=user.pk).exists():
        return True
    if engagement.experts.filter(user=user).exists():
        return True
    org_ids = {o.pk for o in roles.user_organizations(user)}
    return bool(org_ids & engagement_party_org_ids(engagement))


# --- caseloads -------------------------------------------------------------------------------------------


def assigned_brokers(need_ids: Any) -> dict[int, Any]:
    """need id → the broker whose caseload holds it (system read: for notices, not for display)."""
    from .models import Assignment

    rows = Assignment.objects.filter(need_id__in=list(need_ids), broker__is_active=True).select_related(
        "broker"
    )
    return {a.need_id: a.broker for a in rows}


def party_users(engagement: Engagement) -> list[Any]:
    """Active people taking part: brokers, experts with accounts, members of the party organisations."""
    from django.contrib.auth import get_user_model

    from techmarket.orgs.models import Organization

    User = get_user_model()
    org_ids = engagement_party_org_ids(engagement)
    return list(
        User.objects.filter(is_active=True)
        .filter(
            Q(pk=engagement.lead_broker_id)
            | Q(assisting_engagements=engagement)
            | Q(expert_profile__engagements=engagement)
            | Q(
                memberships__organization_id__in=org_ids,
                memberships__is_active=True,
                memberships__organization__status=Organization.Status.APPROVED,
            )
        )
        .distinct()
        .order_by("pk")
    )


# --- answers to recommendations ------------------------------------------------------------------------


def answer_visible_q(user: Any) -> Q:
    """Both sides of a recommendation see both answers (a refusal's reason included), with the broker and
    the operators."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if roles.is_operator(user):
        return Q()
    org_ids = [o.pk for o in roles.user_organizations(user)]
    return (
        Q(broker=user)
        | Q(expert__user=user)
        | Q(need__owner_id__in=org_ids)
        | Q(achievement__owner_id__in=org_ids)
        | Q(expert__affiliation_id__in=org_ids)
    )


def answers_visible_to(user: Any, *, need: Any = None) -> QuerySet[Any]:
    from .models import RecommendationAnswer

    qs = RecommendationAnswer.objects.scoped(answer_visible_q(user)).select_related(
        "need", "achievement", "expert", "organization", "broker", "recommendation", "engagement"
    )
    if need is not None:
        qs = qs.filter(need=need)
    return qs.order_by("status", "-created_at", "-pk")


def answer_get_visible(user: Any, pk: Any) -> Any:
    from .models import RecommendationAnswer

    try:
        return answers_visible_to(user).get(pk=pk)
    except (RecommendationAnswer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
