"""Who is who for a facility: the owner organisation's administrators manage it, operators recognise it."""

from typing import Any

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import Facility


def may_manage(user: Any, facility: Facility) -> bool:
    """An administrator of the owner organisation, or a platform operator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return roles.is_operator(user) or roles.is_org_admin(user, facility.owner)


def owner_organisations(user: Any) -> list[Organization]:
    """Approved organisations in which the user may create a facility (administrators; operators: any of
    their own organisations)."""
    if not getattr(user, "is_authenticated", False):
        return []
    orgs = [o for o in roles.user_organizations(user) if o.status == Organization.Status.APPROVED]
    if roles.is_operator(user):
        return orgs
    return [o for o in orgs if roles.is_org_admin(user, o)]


def booking_organisations(user: Any) -> list[Organization]:
    """Approved organisations the user may book for (any member)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return [o for o in roles.user_organizations(user) if o.status == Organization.Status.APPROVED]
