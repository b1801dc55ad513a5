"""Who is who for an event: organiser staff, operators, participants. Used by selectors and workflows."""

from typing import Any

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import Event


def is_organiser(user: Any, event: Event) -> bool:
    """A member of the organiser organisation, or a platform operator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return roles.is_operator(user) or roles.is_org_member(user, event.organiser)


def organisations_that_may_organise(user: Any) -> list[Organization]:
    """Approved organisations in which the user is an administrator (operators may use any of theirs)."""
    if not getattr(user, "is_authenticated", False):
        return []
    orgs = [o for o in roles.user_organizations(user) if o.status == Organization.Status.APPROVED]
    if roles.is_operator(user):
        return orgs
    return [o for o in orgs if roles.is_org_admin(user, o)]


def may_create_event(user: Any) -> bool:
    return bool(organisations_that_may_organise(user))
