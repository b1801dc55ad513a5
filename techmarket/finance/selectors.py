"""Reads of the finance domain: the one place that decides who sees what.

- Products: open products are public; closed ones only to their provider's staff and operators.
- Loan applications: the applying enterprise, the staff of the product's provider (its own products only)
  and operators. The bureau sees totals (figures), never single applications.
- The enterprise's data behind an application (profile, points, certificates) reaches the provider only
  for the items the enterprise consented to, and only while the consent stands (``shared_data``).
- Points and their history: the enterprise's members, operators and the bureau; declarations: the
  enterprise and operators; the ranking: operators and the bureau.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.orgs.models import Organization

from .models import (
    PROVIDER_KINDS,
    ConsentItem,
    DataConsent,
    Declaration,
    FinanceProduct,
    Loan,
    LoanApplication,
    PointsSnapshot,
)


def _authenticated(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _orgs(user: Any) -> list[Organization]:
    from techmarket.accounts import roles

    return roles.user_organizations(user) if _authenticated(user) else []


def is_operator(user: Any) -> bool:
    from techmarket.accounts import roles

    return _authenticated(user) and roles.is_operator(user)


def sees_totals(user: Any) -> bool:
    from techmarket.accounts import roles

    return _authenticated(user) and (roles.is_operator(user) or roles.is_bureau(user))


def provider_orgs(user: Any) -> list[Organization]:
    """Banks and guarantors the user works for."""
    return [o for o in _orgs(user) if o.kind in PROVIDER_KINDS]


def enterprise_orgs(user: Any) -> list[Organization]:
    return [o for o in _orgs(user) if o.kind == Organization.Kind.ENTERPRISE]


def publisher_orgs(user: Any) -> list[Organization]:
    """Providers whose products the user may publish and edit: their administrators."""
    from techmarket.accounts import roles

    return [o for o in provider_orgs(user) if roles.is_org_admin(user, o)]


def may_manage_product(user: Any, product: FinanceProduct) -> bool:
    return any(o.pk == product.provider_id for o in publisher_orgs(user))


# ---------------------------------------------------------------- products


def _product_q(user: Any) -> Q:
    if is_operator(user):
        return Q()
    q = Q(status=FinanceProduct.Status.OPEN)
    mine = [o.pk for o in provider_orgs(user)]
    if mine:
        q |= Q(provider_id__in=mine)
    return q


def product_list_visible_to(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    provider: int | None = None,
    provider_kind: str = "",
    amount: Decimal | None = None,
    status: str = "",
    **_ignored: Any,
) -> QuerySet[FinanceProduct]:
    qs = FinanceProduct.objects.scoped(_product_q(user)).select_related("provider")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(conditions__icontains=q) | Q(provider__name__icontains=q))
    if kind:
        qs = qs.filter(kind=kind)
    if provider:
        qs = qs.filter(provider_id=provider)
    if provider_kind:
        qs = qs.filter(provider__kind=provider_kind)
    if amount is not None:
        qs = qs.filter(min_amount__lte=amount, max_amount__gte=amount)
    if status:
        qs = qs.filter(status=status)
    return qs


def product_get_visible(user: Any, pk: int) -> FinanceProduct:
    product = product_list_visible_to(user).filter(pk=pk).first()
    if product is None:
        raise Http404("金融产品不存在或您无权查看。")
    return product


# ---------------------------------------------------------------- applications


def _application_q(user: Any) -> Q:
    if is_operator(user):
        return Q()
    if not _authenticated(user):
        return Q(pk__in=[])
    enterprises = [o.pk for o in enterprise_orgs(user)]
    providers = [o.pk for o in provider_orgs(user)]
    return Q(organization_id__in=enterprises) | Q(product__provider_id__in=providers)


def applications_visible_to(
    user: Any,
    *,
    status: str = "",
    product: FinanceProduct | None = None,
    side: str = "",
) -> QuerySet[LoanApplication]:
    """``side``: "received" (my bank's products) or "made" (my enterprise's applications)."""
    qs = LoanApplication.objects.scoped(_application_q(user)).select_related(
        "product", "product__provider", "organization", "consent", "loan"
    )
    if status:
        qs = qs.filter(status=status)
    if product is not None:
        qs = qs.filter(product=product)
    if side == "received":
        qs = qs.filter(product__provider_id__in=[o.pk for o in provider_orgs(user)])
    elif side == "made":
        qs = qs.filter(organization_id__in=[o.pk for o in enterprise_orgs(user)])
    return qs


def application_get_visible(user: Any, pk: int) -> LoanApplication:
    application = applications_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise Http404("融资申请不存在或您无权查看。")
    return application


def shared_data(user: Any, application: LoanApplication) -> dict[str, Any]:
    """What of the enterprise's data this user may see on this application.

    The enterprise itself and operators see everything it shared; the provider's staff see only the items of
    a standing consent. Nobody else gets here (the application is not visible to them).
    """
    consent = application.consent
    own = any(o.pk == application.organization_id for o in enterprise_orgs(user))
    if not (own or is_operator(user)) and not any(
        o.pk == application.product.provider_id for o in provider_orgs(user)
    ):
        return {}
    items = set(consent.items) if consent.is_active or own or is_operator(user) else set()
    data: dict[str, Any] = {}
    org = application.organization
    if ConsentItem.PROFILE in items:
        from techmarket.orgs.profile_selectors import enterprise_profile_get

        data["profile"] = enterprise_profile_get(org)
    if ConsentItem.POINTS in items:
        data["points"] = application.points_snapshot
    if ConsentItem.CERTIFICATIONS in items:
        data["certifications"] = list(org.certifications.select_related("tag"))
    return data


def consents_visible_to(user: Any) -> QuerySet[DataConsent]:
    q = Q() if is_operator(user) else Q(organization_id__in=[o.pk for o in enterprise_orgs(user)])
    return DataConsent.objects.scoped(q).select_related("recipient", "granted_by")


def loans_visible_to(user: Any) -> QuerySet[Loan]:
    return Loan.objects.scoped(Q(application__in=applications_visible_to(user).values("pk"))).select_related(
        "application", "application__product", "application__organization"
    )


# ---------------------------------------------------------------- points


def may_see_points(user: Any, org: Organization) -> bool:
    """An enterprise's own points and history: its members, operators and the bureau (as for the profile's
    figures); banks only through the enterprise's consent on an application."""
    return sees_totals(user) or any(o.pk == org.pk for o in _orgs(user))


def points_history(user: Any, org: Organization) -> QuerySet[PointsSnapshot]:
    q = Q(organization=org) if may_see_points(user, org) else Q(pk__in=[])
    return PointsSnapshot.objects.scoped(q)


def declarations_visible_to(
    user: Any, *, org: Organization | None = None, status: str = ""
) -> QuerySet[Declaration]:
    q = Q() if is_operator(user) else Q(organization_id__in=[o.pk for o in enterprise_orgs(user)])
    qs = Declaration.objects.scoped(q).select_related("organization", "requested_by")
    if org is not None:
        qs = qs.filter(organization=org)
    if status:
        qs = qs.filter(status=status)
    return qs


def declaration_get_visible(user: Any, pk: int) -> Declaration:
    d = declarations_visible_to(user).filter(pk=pk).first()
    if d is None:
        raise Http404("申报不存在或您无权查看。")
    return d


def ranking(user: Any) -> list[PointsSnapshot]:
    """The latest snapshot of every enterprise, highest first (operators and the bureau)."""
    if not sees_totals(user):
        return []
    latest: dict[int, PointsSnapshot] = {}
    for snap in (
        PointsSnapshot.objects.unscoped()
        .select_related("organization", "organization__region")
        .filter(organization__status=Organization.Status.APPROVED)
        .order_by("organization_id", "-computed_at", "-pk")
    ):
        latest.setdefault(snap.organization_id, snap)
    return sorted(latest.values(), key=lambda s: (-s.total, s.organization.name))


def rank_of(org: Organization) -> tuple[int, int] | None:
    """(position, of how many) of an enterprise's latest points, for its own page."""
    latest: dict[int, Decimal] = {}
    for org_id, total in (
        PointsSnapshot.objects.unscoped()
        .filter(organization__status=Organization.Status.APPROVED)
        .order_by("organization_id", "-computed_at", "-pk")
        .values_list("organization_id", "total")
    ):
        latest.setdefault(org_id, total)
    if org.pk not in latest:
        return None
    mine = latest[org.pk]
    return 1 + sum(1 for v in latest.values() if v > mine), len(latest)
