"""Reads of policies, pushes and applications: the one place that decides who sees what.

- Policies: published and stopped ones are public; drafts only to operators.
- Pushes and "policies I qualify for": members of the enterprise (operators see all pushes).
- Applications: members of the applying enterprise, the bureau and operators.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from .models import Policy, PolicyApplication, PolicyPush
from .permissions import enterprise_organisations, may_decide_applications, may_manage_policies
from .rules import Evaluation, evaluate

PUBLIC_STATUSES = (Policy.Status.PUBLISHED, Policy.Status.WITHDRAWN)


def today() -> datetime.date:
    """Asia/Shanghai's date: validity and ages turn over at local midnight."""
    return timezone.localdate()


def policy_visible_q(user: Any) -> Q:
    if may_manage_policies(user):
        return Q()
    return Q(status__in=PUBLIC_STATUSES)


def policy_list_visible_to(
    user: Any,
    *,
    q: str = "",
    level: str = "",
    support_type: str = "",
    region: str = "",
    validity: str = "",
    status: str = "",
    applicable: bool = False,
    **_ignored: Any,
) -> QuerySet[Policy]:
    qs = Policy.objects.scoped(policy_visible_q(user)).select_related("region")
    if q:
        q = q.strip()[:100]
        qs = qs.filter(
            Q(title__icontains=q)
            | Q(summary__icontains=q)
            | Q(issuer__icontains=q)
            | Q(document_number__icontains=q)
        )
    if level:
        qs = qs.filter(level=level)
    if support_type:
        qs = qs.filter(support_type=support_type)
    if region:
        from .rules import region_prefix

        qs = qs.filter(
            Q(region__isnull=True)
            | Q(region__code__startswith=region_prefix(region))
            | Q(region_id__in=_ancestors(region))
        )
    day = today()
    if validity == "open":
        qs = qs.filter(status=Policy.Status.PUBLISHED).filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )
    elif validity == "expired":
        qs = qs.filter(Q(valid_until__lt=day) | Q(status=Policy.Status.WITHDRAWN))
    if status:
        qs = qs.filter(status=status)
    if applicable:
        qs = qs.filter(allows_application=True)
    return qs


def _ancestors(code: str) -> list[str]:
    """A county's policies include its city's and province's."""
    return [code[:2] + "0000", code[:4] + "00"]


def policy_get_visible(user: Any, pk: int) -> Policy:
    policy = policy_list_visible_to(user).filter(pk=pk).first()
    if policy is None:
        raise Http404("政策不存在或您无权查看。")
    return policy


def policy_get_managed(user: Any, pk: int) -> Policy:
    if not may_manage_policies(user):
        raise Http404("政策不存在或您无权管理。")
    return policy_get_visible(user, pk)


def live_policies() -> QuerySet[Policy]:
    """Published policies open today (system read: the push and the "I qualify" page start here)."""
    day = today()
    return (
        Policy.objects.unscoped()
        .filter(status=Policy.Status.PUBLISHED)
        .filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )
        .prefetch_related("rules")
    )


def enterprises_to_evaluate() -> QuerySet[Any]:
    from techmarket.orgs.models import Organization

    return Organization.objects.filter(
        kind=Organization.Kind.ENTERPRISE, status=Organization.Status.APPROVED
    ).select_related("region", "industry")


def evaluate_policy(policy: Policy, organization: Any, day: datetime.date | None = None) -> Evaluation:
    return evaluate(policy.rule_list(), organization, day or today())


def matching_enterprises(policy: Policy, rules: list[Any] | None = None) -> dict[str, list[Any]]:
    """Current enterprises that meet every rule, and the near misses (all but one rule met)."""
    day = today()
    rules = policy.rule_list() if rules is None else rules
    out: dict[str, list[Any]] = {"eligible": [], "near": []}
    for org in enterprises_to_evaluate():
        ev = evaluate(rules, org, day)
        if ev.eligible:
            out["eligible"].append((org, ev))
        elif ev.near_miss:
            out["near"].append((org, ev))
    return out


def policies_for(user: Any, organization: Any) -> dict[str, list[tuple[Policy, Evaluation]]]:
    """The "符合条件的政策" page: live policies the enterprise meets, and those it nearly meets."""
    if organization not in enterprise_organisations(user) and not may_manage_policies(user):
        raise Http404("您不是该企业的成员。")
    day = today()
    out: dict[str, list[tuple[Policy, Evaluation]]] = {"eligible": [], "near": []}
    for policy in live_policies():
        ev = evaluate(policy.rule_list(), organization, day)
        if ev.eligible:
            out["eligible"].append((policy, ev))
        elif ev.near_miss:
            out["near"].append((policy, ev))
    return out


def pushes_visible_to(user: Any) -> QuerySet[PolicyPush]:
    if may_manage_policies(user):
        q = Q()
    else:
        q = Q(organization_id__in=[o.pk for o in enterprise_organisations(user)])
    return PolicyPush.objects.scoped(q).select_related("policy", "organization")


def _application_q(user: Any) -> Q:
    if may_decide_applications(user):
        return Q()
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    from techmarket.accounts import roles

    return Q(organization_id__in=[o.pk for o in roles.user_organizations(user)])


def applications_visible_to(
    user: Any, *, status: str = "", policy: int | None = None, organization: int | None = None, q: str = ""
) -> QuerySet[PolicyApplication]:
    qs = PolicyApplication.objects.scoped(_application_q(user)).select_related(
        "policy", "organization", "requested_by"
    )
    if status:
        qs = qs.filter(status=status)
    if policy:
        qs = qs.filter(policy_id=policy)
    if organization:
        qs = qs.filter(organization_id=organization)
    if q:
        q = q.strip()[:100]
        qs = qs.filter(Q(policy__title__icontains=q) | Q(organization__name__icontains=q))
    return qs


def application_get_visible(user: Any, pk: int) -> PolicyApplication:
    application = applications_visible_to(user).filter(pk=pk).first()
    if application is None:
        raise Http404("申请不存在或您无权查看。")
    return application


def application_totals(qs: QuerySet[PolicyApplication]) -> dict[str, Any]:
    """Counts per state and the amounts approved and paid over the applications given."""
    S = PolicyApplication.Status
    counts = dict(qs.order_by().values_list("status").annotate(n=Count("pk")))
    sums = qs.aggregate(
        approved=Sum("approved_amount", filter=Q(status__in=[S.APPROVED, S.PAID])),
        paid=Sum("paid_amount", filter=Q(status=S.PAID)),
        requested=Sum("requested_amount"),
    )
    return {
        "counts": [(value, label, counts.get(value, 0)) for value, label in S.choices],
        "total": sum(counts.values()),
        "approved": sums["approved"] or Decimal("0"),
        "paid": sums["paid"] or Decimal("0"),
        "requested": sums["requested"] or Decimal("0"),
    }
