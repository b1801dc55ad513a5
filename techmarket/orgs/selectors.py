"""Reads on organisations, with the permission rules in one place."""

from typing import Any

from django.db.models import Q, QuerySet

from techmarket.accounts import roles

from .models import JoinRequest, Membership, Organization, Role


def organization_list_visible_to(
    user: Any, *, q: str = "", kind: str = "", status: str = "", region: str = ""
) -> QuerySet[Organization]:
    """Approved organisations for everybody; operators also see pending, rejected and suspended ones."""
    qs = Organization.objects.select_related("region", "industry").prefetch_related("tags")
    if not roles.is_operator(user):
        mine = [o.pk for o in roles.user_organizations(user)]
        own = Membership.objects.filter(user=user).values("organization_id") if user.is_authenticated else []
        qs = qs.filter(Q(status=Organization.Status.APPROVED) | Q(pk__in=mine) | Q(pk__in=own))
    if status:
        qs = qs.filter(status=status)
    if q:
        qs = qs.filter(Q(name__icontains=q) | Q(short_name__icontains=q) | Q(uscc=q.upper()))
    if kind:
        qs = qs.filter(kind=kind)
    if region:
        qs = qs.filter(region__code__startswith=region_prefix(region))
    return qs


def region_prefix(code: str) -> str:
    """GB/T 2260 codes pad with "00" per level: 370000 → "37", 371000 → "3710", 371302 → "371302"."""
    code = code.strip()
    while len(code) > 2 and code.endswith("00"):
        code = code[:-2]
    return code


def organization_review_queue(user: Any) -> QuerySet[Organization]:
    if not roles.is_operator(user):
        return Organization.objects.none()
    return (
        Organization.objects.filter(status=Organization.Status.PENDING)
        .select_related("region", "industry", "created_by")
        .order_by("created_at")
    )


def memberships_of(user: Any) -> QuerySet[Membership]:
    """All of a user's memberships, including those of organisations still under review."""
    return Membership.objects.filter(user=user).select_related("organization", "organization__region")


def join_requests_to_decide(user: Any) -> QuerySet[JoinRequest]:
    """Pending requests to join organisations the user administers (broker requests: operators only)."""
    if not user.is_authenticated:
        return JoinRequest.objects.none()
    qs = JoinRequest.objects.filter(status=JoinRequest.Status.PENDING).select_related("user", "organization")
    if roles.is_operator(user):
        return qs
    admin_of = [m.organization_id for m in roles._memberships(user) if m.role == "org_admin"]
    return qs.filter(organization_id__in=admin_of).exclude(role=Role.BROKER).exclude(user=user)


def organization_members(user: Any, organization: Organization) -> QuerySet[Membership]:
    if not roles.is_member_or_operator(user, organization):
        return Membership.objects.none()
    return organization.memberships.select_related("user").order_by("role", "user__username")
