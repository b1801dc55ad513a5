"""Reads of funds, finance seekings and interests: the one place that decides who sees what.

- Fund profiles are public (investors want to be found).
- An enterprise's finance seeking: its own members, investors (members of an organisation of kind 投资机构),
  brokers, the bureau and operators.
- An interest: the fund's investor, the target organisation, brokers, the bureau and operators.
- An investment made: each record only by the fund's organisation and the enterprise (the amounts are
  theirs); operators and the bureau see totals (``investment_totals_visible_to``, ``figures.py``).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from techmarket.accounts import roles
from techmarket.orgs.models import Organization

from .models import FinanceSeeking, Fund, Interest, Investment


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _org_ids(user: Any) -> list[int]:
    return [o.pk for o in roles.user_organizations(user)]


def is_platform_side(user: Any) -> bool:
    """Operators, the bureau and brokers see every seeking and interest (they arrange the meetings)."""
    return _signed_in(user) and (roles.is_operator(user) or roles.is_bureau(user) or roles.is_broker(user))


def investor_organisations(user: Any) -> list[Organization]:
    return [o for o in roles.user_organizations(user) if o.kind == Organization.Kind.INVESTOR]


def enterprise_organisations(user: Any) -> list[Organization]:
    return [o for o in roles.user_organizations(user) if o.kind == Organization.Kind.ENTERPRISE]


def fund_list_visible_to(
    user: Any, *, q: str = "", stage: str = "", manager: int | None = None, **_ignored: Any
) -> QuerySet[Fund]:
    qs = Fund.objects.filter(manager__status=Organization.Status.APPROVED).select_related("manager")
    if not (is_platform_side(user) or manager in _org_ids(user)):
        qs = qs.filter(is_active=True)
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(name__icontains=q) | Q(manager__name__icontains=q) | Q(summary__icontains=q))
    if stage:
        qs = qs.filter(stages__icontains=f'"{stage}"')  # a JSON list of stage values
    if manager:
        qs = qs.filter(manager_id=manager)
    return qs.prefetch_related("industries", "chain_nodes", "regions")


def fund_get_visible(user: Any, pk: int) -> Fund:
    fund = fund_list_visible_to(user).filter(pk=pk).first()
    if fund is None:
        fund = Fund.objects.filter(pk=pk, manager_id__in=_org_ids(user)).first() if _signed_in(user) else None
    if fund is None:
        raise Http404("基金不存在或您无权查看。")
    return fund


def may_manage_fund(user: Any, fund: Fund) -> bool:
    return roles.is_org_admin(user, fund.manager) or roles.is_org_member(user, fund.manager)


def seeking_visible_q(user: Any) -> Q:
    if not _signed_in(user):
        return Q(pk__in=[])
    if is_platform_side(user) or investor_organisations(user):
        return Q()
    return Q(organization_id__in=_org_ids(user))


def seeking_list_visible_to(
    user: Any, *, q: str = "", stage: str = "", status: str = "", organization: int | None = None, **_: Any
) -> QuerySet[FinanceSeeking]:
    qs = FinanceSeeking.objects.scoped(seeking_visible_q(user)).select_related(
        "organization", "organization__region", "organization__industry", "chain_node"
    )
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(title__icontains=q) | Q(organization__name__icontains=q) | Q(summary__icontains=q))
    if stage:
        qs = qs.filter(stage=stage)
    if status:
        qs = qs.filter(status=status)
    if organization:
        qs = qs.filter(organization_id=organization)
    return qs


def seeking_get_visible(user: Any, pk: int) -> FinanceSeeking:
    seeking = seeking_list_visible_to(user).filter(pk=pk).first()
    if seeking is None:
        raise Http404("融资需求不存在或您无权查看。")
    return seeking


def interest_visible_q(user: Any) -> Q:
    if not _signed_in(user):
        return Q(pk__in=[])
    if is_platform_side(user):
        return Q()
    orgs = _org_ids(user)
    return Q(fund__manager_id__in=orgs) | Q(target_id__in=orgs)


def interests_visible_to(
    user: Any, *, status: str = "", fund: Fund | None = None, **_: Any
) -> QuerySet[Interest]:
    qs = Interest.objects.scoped(interest_visible_q(user)).select_related(
        "fund", "fund__manager", "target", "achievement", "seeking", "engagement", "event"
    )
    if status:
        qs = qs.filter(status=status)
    if fund is not None:
        qs = qs.filter(fund=fund)
    return qs


def interest_get_visible(user: Any, pk: int) -> Interest:
    interest = interests_visible_to(user).filter(pk=pk).first()
    if interest is None:
        raise Http404("投资意向不存在或您无权查看。")
    return interest


def matches_for(user: Any, fund: Fund, *, limit: int = 20) -> dict[str, list[tuple[Any, Any]]]:
    """Achievements and finance seekings the user may see, scored against the fund, best first."""
    from techmarket.achievements.selectors import achievement_list_visible_to

    from .matching import achievement_fit, prefs, seeking_fit

    p = prefs(fund)
    achievements = (
        achievement_list_visible_to(user)
        .filter(status__in=("published", "in_progress"))
        .prefetch_related("industries")
        .order_by("-pk")[:400]
    )
    scored_a = [(a, achievement_fit(p, a)) for a in achievements]
    seekings = seeking_list_visible_to(user, status=FinanceSeeking.Status.OPEN)[:400]
    scored_s = [(s, seeking_fit(p, s)) for s in seekings]
    return {
        "achievements": sorted([x for x in scored_a if x[1].relevant], key=lambda x: (-x[1].score, -x[0].pk))[
            :limit
        ],
        "seekings": sorted([x for x in scored_s if x[1].relevant], key=lambda x: (-x[1].score, -x[0].pk))[
            :limit
        ],
    }


def may_record_investment(user: Any, interest: Interest) -> bool:
    """Only members of the fund's organisation record its investments (not operators: it is their money)."""
    return _signed_in(user) and roles.is_org_member(user, interest.fund.manager)


def investment_visible_q(user: Any) -> Q:
    if not _signed_in(user):
        return Q(pk__in=[])
    orgs = _org_ids(user)
    return Q(fund__manager_id__in=orgs) | Q(target_id__in=orgs)


def investments_visible_to(user: Any, *, interest: Interest | None = None) -> QuerySet[Investment]:
    qs = Investment.objects.scoped(investment_visible_q(user)).select_related(
        "fund", "fund__manager", "target", "interest", "created_by"
    )
    if interest is not None:
        qs = qs.filter(interest=interest)
    return qs


def may_see_investment_totals(user: Any) -> bool:
    return _signed_in(user) and (roles.is_operator(user) or roles.is_bureau(user))


def investment_totals_visible_to(user: Any) -> QuerySet[Investment]:
    """The rows the figures by fund and by stage are computed from: every investment for operators and the
    bureau, else those the user may see one by one."""
    if may_see_investment_totals(user):
        return Investment.objects.unscoped().select_related("fund", "fund__manager")
    return investments_visible_to(user)
