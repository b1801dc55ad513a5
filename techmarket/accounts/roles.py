"""Every role check of the platform lives here; views, selectors and the API call these.

Roles are held through organisation memberships (orgs.Membership). Platform roles:
- operator (平台运营): a membership with role ``operator`` in an approved organisation marked
  ``is_platform_operator``; Django superusers count as operators;
- bureau (科技局用户): a ``bureau`` membership in an approved government organisation.
Only memberships in approved organisations count.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from techmarket.orgs.models import Membership, Organization, Role

_CACHE_ATTR = "_techmarket_roles"


def _memberships(user: Any) -> list[Membership]:
    if not getattr(user, "is_authenticated", False):
        return []
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is None:
        cached = list(
            Membership.objects.filter(
                user=user, is_active=True, organization__status=Organization.Status.APPROVED
            ).select_related("organization")
        )
        setattr(user, _CACHE_ATTR, cached)
    return cached


def forget_roles(user: Any) -> None:
    """Drop the per-request cache after a membership change."""
    if hasattr(user, _CACHE_ATTR):
        delattr(user, _CACHE_ATTR)


def user_roles(user: Any) -> set[str]:
    roles = {m.role for m in _memberships(user) if _counts(m)}
    if getattr(user, "is_superuser", False) and getattr(user, "is_active", False):
        roles.add(Role.OPERATOR)
    return roles


def _counts(m: Membership) -> bool:
    if m.role == Role.OPERATOR:
        return m.organization.is_platform_operator
    if m.role == Role.BUREAU:
        return m.organization.kind == Organization.Kind.GOVERNMENT
    return True


def has_role(user: Any, *roles: str) -> bool:
    return bool(user_roles(user) & set(roles))


def is_operator(user: Any) -> bool:
    return has_role(user, Role.OPERATOR)


def is_bureau(user: Any) -> bool:
    return has_role(user, Role.BUREAU)


def is_broker(user: Any) -> bool:
    return has_role(user, Role.BROKER)


def is_broker_or_operator(user: Any) -> bool:
    """Brokers and operators: refine needs, run the matching workbench, see anonymous owners and contacts."""
    return has_role(user, Role.BROKER, Role.OPERATOR)


def user_organizations(user: Any) -> list[Organization]:
    """Approved organisations the user belongs to (any role), without duplicates."""
    seen: dict[int, Organization] = {}
    for m in _memberships(user):
        seen.setdefault(m.organization_id, m.organization)
    return list(seen.values())


def is_org_admin(user: Any, organization: Organization) -> bool:
    if is_operator(user):
        return True
    return any(m.organization_id == organization.pk and m.role == Role.ORG_ADMIN for m in _memberships(user))


def is_org_member(user: Any, organization: Organization) -> bool:
    return any(m.organization_id == organization.pk for m in _memberships(user))


def is_member_or_operator(user: Any, organization: Organization) -> bool:
    """Members of the organisation act for it; operators may act for any organisation."""
    return is_operator(user) or is_org_member(user, organization)


def administers_any_organization(user: Any) -> bool:
    """Operators, and admins of at least one approved organisation (bulk work on others' profiles)."""
    return is_operator(user) or any(m.role == Role.ORG_ADMIN for m in _memberships(user))


R = TypeVar("R", bound=HttpResponseBase)


def role_required(*roles: str) -> Callable[[Callable[..., R]], Callable[..., R]]:
    """View decorator: login, then at least one of the roles, else 403."""

    def decorator(view: Callable[..., R]) -> Callable[..., R]:
        @login_required
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> R:
            if not has_role(request.user, *roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


operator_required = role_required(Role.OPERATOR)
broker_or_operator_required = role_required(Role.BROKER, Role.OPERATOR)
