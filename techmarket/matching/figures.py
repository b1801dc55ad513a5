"""The brokers' matching work as evaluation metrics (analytics.evaluations)."""

from typing import Any

from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, count_by, register_metric
from techmarket.orgs.models import Membership, Role

from .models import Decision, MatchFeedback


def _feedback(period: Any, *decisions: str) -> Any:
    start, end = period.bounds(dates=False)
    return MatchFeedback.objects.filter(created_at__gte=start, created_at__lt=end, decision__in=decisions)


def _recommendations(period: Any) -> dict[int, int]:
    return count_by(_feedback(period, Decision.RECOMMEND), "user_id")


def _reviews(period: Any) -> dict[int, int]:
    return count_by(_feedback(period, Decision.ACCEPT, Decision.REJECT, Decision.RECOMMEND), "user_id")


def _recommendations_by_org(period: Any) -> dict[int, int]:
    org_of = dict(Membership.objects.filter(role=Role.BROKER).values_list("user_id", "organization_id"))
    out: dict[int, int] = {}
    rows = _feedback(period, Decision.RECOMMEND).values("user_id").annotate(n=Count("pk")).order_by()
    for row in rows:
        org = org_of.get(row["user_id"])
        if org:
            out[org] = out.get(org, 0) + row["n"]
    return out


register_metric(
    Metric(
        "matching.recommendations",
        "broker",
        _("向企业推荐"),
        _("次"),
        _recommendations,
        help=_("期间内推荐给需求方的匹配结果"),
    )
)
register_metric(
    Metric(
        "matching.reviews",
        "broker",
        _("审阅匹配结果"),
        _("条"),
        _reviews,
        help=_("期间内采纳、排除或推荐的匹配结果"),
    )
)
register_metric(
    Metric(
        "matching.recommendations_by_org",
        "service",
        _("向企业推荐"),
        _("次"),
        _recommendations_by_org,
        help=_("本机构技术经纪人期间内推荐给需求方的匹配结果"),
    )
)
