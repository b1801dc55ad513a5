"""Who manages policies and who decides 直达快享 applications: one place."""

from typing import Any


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def may_manage_policies(user: Any) -> bool:
    """Operators write, publish and withdraw policies."""
    from techmarket.accounts import roles

    return _authenticated(user) and roles.is_operator(user)


def may_decide_applications(user: Any) -> bool:
    """The bureau (and operators acting for it) reviews, approves and pays applications."""
    from techmarket.accounts import roles

    return _authenticated(user) and (roles.is_bureau(user) or roles.is_operator(user))


def enterprise_organisations(user: Any) -> list[Any]:
    """Approved enterprises the user belongs to: the ones policies are evaluated for."""
    from techmarket.accounts import roles
    from techmarket.orgs.models import Organization

    if not _authenticated(user):
        return []
    return [o for o in roles.user_organizations(user) if o.kind == Organization.Kind.ENTERPRISE]
