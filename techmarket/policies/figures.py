"""The policies' indicators (analytics.indicators): policies published, pushes, applications, amounts
approved and paid. Found automatically by analytics; ``totals()`` serves /api/policies/figures."""

from decimal import Decimal
from typing import Any

from django.db.models import Count, Sum
from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Policy, PolicyApplication, PolicyPush

register_group(Group("policies", _("政策直达"), 45))

S = PolicyApplication.Status
VIA_ORG: dict[str, Any] = {
    "group": "policies",
    "region_field": "organization__region__code",
    "industry_field": "organization__industry__code",
}


def published_policies() -> Any:
    return Policy.objects.unscoped().filter(published_at__isnull=False)


def pushes() -> Any:
    return PolicyPush.objects.unscoped()


def applications() -> Any:
    return PolicyApplication.objects.unscoped().exclude(status=S.WITHDRAWN)


def approved() -> Any:
    return PolicyApplication.objects.unscoped().filter(
        status__in=[S.APPROVED, S.PAID], decided_at__isnull=False
    )


def paid() -> Any:
    return PolicyApplication.objects.unscoped().filter(status=S.PAID, paid_at__isnull=False)


INDICATORS = [
    Indicator(
        "policies.published", _("发布政策"), _("项"), published_policies, "published_at", group="policies",
        order=10, region_field="region__code", help=_("期间内发布的政策（含其后停止的）"),
    ),
    Indicator(
        "policies.pushed", _("政策推送企业"), _("次"), pushes, "created_at", order=11,
        help=_("按企业画像精准推送的次数（每项政策每个版本每家企业一次）"), **VIA_ORG,
    ),
    Indicator(
        "policies.applications", _("直达快享申请"), _("件"), applications, "created_at", order=12,
        help=_("企业在线提交的政策申请（不含撤回）"), **VIA_ORG,
    ),
    Indicator(
        "policies.approved_amount", _("核定支持金额"), _("万元"), approved, "decided_at", order=13,
        sum_field="approved_amount", scale=10000, help=_("科技局核定的直达快享金额"), **VIA_ORG,
    ),
    Indicator(
        "policies.paid_amount", _("拨付资金"), _("万元"), paid, "paid_at", order=14,
        sum_field="paid_amount", scale=10000, help=_("已拨付到企业的资金"), **VIA_ORG,
    ),
]  # fmt: skip
for indicator in INDICATORS:
    register(indicator)


def totals() -> dict[str, Any]:
    """Running totals from the same querysets as the indicators (the bureau's headline figures)."""
    by_status = dict(
        PolicyApplication.objects.unscoped().order_by().values_list("status").annotate(n=Count("pk"))
    )
    return {
        "policies_published": published_policies().count(),
        "policies_live": Policy.objects.unscoped().filter(status=Policy.Status.PUBLISHED).count(),
        "pushes": pushes().count(),
        "enterprises_reached": pushes().values("organization_id").distinct().count(),
        "applications": applications().count(),
        "applications_by_status": {value: by_status.get(value, 0) for value in S.values},
        "approved_amount": approved().aggregate(s=Sum("approved_amount"))["s"] or Decimal("0"),
        "paid_amount": paid().aggregate(s=Sum("paid_amount"))["s"] or Decimal("0"),
    }
