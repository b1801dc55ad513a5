"""Reads on enterprise profiles: who sees the business figures (staff, revenue, R&D ratio)."""

from typing import Any

from techmarket.accounts import roles

from .models import EnterpriseProfile, Organization


def can_see_enterprise_figures(user: Any, organization: Organization) -> bool:
    """Products, capabilities and certificates are public; the figures go to members, operators and the bureau."""
    return roles.is_org_member(user, organization) or roles.is_operator(user) or roles.is_bureau(user)


def enterprise_profile_get(organization: Organization) -> EnterpriseProfile | None:
    return EnterpriseProfile.objects.filter(organization=organization).first()
