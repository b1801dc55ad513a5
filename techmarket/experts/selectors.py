"""Reads on experts. Profiles are public when active; contact details follow can_see_expert_contact."""

from collections.abc import Iterable
from typing import Any, NamedTuple

from django.db.models import Exists, OuterRef, Q, QuerySet, Value
from django.http import Http404

from techmarket.accounts import roles
from techmarket.catalog.filters import industry_q, region_q
from techmarket.orgs.models import Membership, Organization, Role

from .models import ContactPermission, Expert


def _admin_org_ids(user: Any) -> QuerySet[Membership, Any]:
    """Organisations the user administers, with the same rules as roles.is_org_admin (active, approved)."""
    return Membership.objects.filter(
        user=user, role=Role.ORG_ADMIN, is_active=True, organization__status=Organization.Status.APPROVED
    ).values("organization_id")


def _accepted_q(user: Any) -> Exists:
    return Exists(
        ContactPermission.objects.filter(
            expert=OuterRef("pk"), user=user, status=ContactPermission.Status.ACCEPTED
        )
    )


def expert_list_visible_to(
    user: Any,
    *,
    q: str = "",
    discipline: str = "",
    industry: str = "",
    availability: str = "",
    panel_eligible: bool | None = None,
    region: str = "",
    affiliation: int | None = None,
) -> QuerySet[Expert]:
    """Active experts for everybody; inactive ones only for the expert, their affiliation's admins and operators."""
    authenticated = getattr(user, "is_authenticated", False)
    visible = Q()
    if not roles.is_operator(user):
        own = Q(user=user) | Q(affiliation_id__in=_admin_org_ids(user)) if authenticated else Q(pk__in=[])
        visible = Q(is_active=True) | own
    qs = (
        Expert.objects.scoped(visible)
        .select_related("affiliation", "affiliation__region")
        .prefetch_related("disciplines", "industries")
    )
    # Read by can_see_expert_contact so a page of experts costs no extra query per row.
    qs = qs.annotate(contact_accepted=_accepted_q(user) if authenticated else Value(False))
    if q:
        # Substring search finds 锂电池 inside 磷酸铁锂电池正极材料 without segmentation.
        for term in q.replace("\x00", "").split()[:5]:  # PostgreSQL text cannot hold NUL
            qs = qs.filter(
                Q(name__icontains=term) | Q(research_fields__icontains=term) | Q(bio__icontains=term)
            )
    # GB/T 13745 and GB/T 4754 codes nest by prefix (26 → 261 → 2611), so a prefix finds every sub-class.
    if discipline:
        qs = qs.filter(disciplines__code__startswith=discipline.strip())
    if industry:
        qs = qs.filter(industry_q(industry, field="industries"))
    if availability:
        # Values are validated against Availability on write, so the quoted token matches exactly one choice;
        # JSON "contains" is not available on SQLite.
        qs = qs.filter(availability__icontains=f'"{availability}"')
    if panel_eligible is not None:
        qs = qs.filter(panel_eligible=panel_eligible)
    if region:
        qs = qs.filter(region_q(region, field="affiliation__region"))
    if affiliation:
        qs = qs.filter(affiliation_id=affiliation)
    if discipline or industry:
        qs = qs.distinct()
    return qs.order_by("name", "pk")


def expert_get_visible(user: Any, pk: int) -> Expert:
    expert = expert_list_visible_to(user).filter(pk=pk).first()
    if expert is None:
        raise Http404
    return expert


def can_see_expert_contact(user: Any, expert: Expert) -> bool:
    """THE rule for e-mail and phone: brokers, operators, the expert, their affiliation's admins, accepted users."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.is_broker_or_operator(user):
        return True
    if expert.user_id is not None and expert.user_id == user.pk:
        return True
    if roles.is_org_admin(user, expert.affiliation):
        return True
    accepted = getattr(expert, "contact_accepted", None)
    if accepted is None:
        accepted = ContactPermission.objects.filter(
            expert=expert, user=user, status=ContactPermission.Status.ACCEPTED
        ).exists()
    return bool(accepted)


def can_manage_expert(user: Any, expert: Expert) -> bool:
    """Who may edit a profile: the expert (while a member of the affiliation), an admin of the affiliation,
    or an operator."""
    if not getattr(user, "is_authenticated", False):
        return False
    if roles.is_org_admin(user, expert.affiliation):
        return True
    # The expert themself, only while still a member of the affiliation the profile shows: a former
    # member must not keep publishing under the old organisation's name.
    return (
        expert.user_id is not None
        and expert.user_id == user.pk
        and roles.is_org_member(user, expert.affiliation)
    )


class Conflict(NamedTuple):
    organization: Organization
    reason: str  # "affiliation" or "declared"


def conflicts_of_interest(expert: Expert, organizations: Iterable[Organization]) -> list[Conflict]:
    """The organisations among `organizations` the expert must not review: own affiliation or declared relation."""
    declared = set(expert.related_organizations.values_list("pk", flat=True))
    conflicts = []
    for org in organizations:
        if org.pk == expert.affiliation_id:
            conflicts.append(Conflict(org, "affiliation"))
        elif org.pk in declared:
            conflicts.append(Conflict(org, "declared"))
    return conflicts


def related_expert_conflicts(expert: Expert, experts: Iterable[Expert]) -> list[Expert]:
    """Experts among `experts` the expert declared as collaborators (or who declared the expert: symmetrical)."""
    declared = set(expert.related_experts.values_list("pk", flat=True))
    return [other for other in experts if other.pk in declared]
