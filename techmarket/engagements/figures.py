"""The engagements' indicators (analytics.indicators) and broker / institution metrics
(analytics.evaluations): deals opened, moved along the chain and closed."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, count_by, on_chain, register_metric
from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Engagement, Stage

register_group(Group("deals", _("对接与交易"), 20))

SHARED: dict[str, Any] = {
    "group": "deals",
    "region_field": "demand_org__region__code",
    "industry_field": "need__industry__code",
    "chain_node_field": "need__chain_node",
}


def _all() -> Any:
    return Engagement.objects.unscoped()


def _deals() -> Any:
    return _all().filter(stage=Stage.DEAL, closed_at__isnull=False)


def _terminated() -> Any:
    return _all().filter(stage=Stage.TERMINATED, closed_at__isnull=False)


register(
    Indicator(
        "engagements.opened",
        _("新开对接项目"),
        _("项"),
        _all,
        "created_at",
        order=10,
        funnel=3,
        help=_("期间内开启的对接项目（地区、行业、产业链取自需求方和需求）"),
        **SHARED,
    )
)
register(
    Indicator(
        "engagements.deals",
        _("成交对接项目"),
        _("项"),
        _deals,
        "closed_at",
        order=11,
        funnel=4,
        help=_("期间内以“成交”结束的对接项目"),
        **SHARED,
    )
)
register(
    Indicator(
        "engagements.terminated",
        _("终止对接项目"),
        _("项"),
        _terminated,
        "closed_at",
        order=12,
        help=_("期间内终止的对接项目（终止原因见对接项目）"),
        **SHARED,
    )
)


def _in_period(qs: Any, field: str, period: Any) -> Any:
    start, end = period.bounds(dates=False)
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def _led(period: Any, chain: int | None = None) -> dict[int, int]:
    return count_by(
        on_chain(_in_period(_all(), "created_at", period), "need__chain_node", chain), "lead_broker_id"
    )


def _deals_led(period: Any, chain: int | None = None) -> dict[int, int]:
    return count_by(
        on_chain(_in_period(_deals(), "closed_at", period), "need__chain_node", chain), "lead_broker_id"
    )


def _deals_by_org(period: Any, chain: int | None = None) -> dict[int, int]:
    from techmarket.orgs.models import Membership, Role

    org_of = dict(Membership.objects.filter(role=Role.BROKER).values_list("user_id", "organization_id"))
    out: dict[int, int] = {}
    for broker, n in _deals_led(period, chain).items():
        org = org_of.get(broker)
        if org:
            out[org] = out.get(org, 0) + n
    return out


register_metric(
    Metric(
        "engagements.led",
        "broker",
        _("牵头对接项目"),
        _("项"),
        _led,
        by_chain=True,
        help=_("期间内开启、本人牵头的对接项目"),
    )
)
register_metric(
    Metric(
        "engagements.deals_led",
        "broker",
        _("牵头成交项目"),
        _("项"),
        _deals_led,
        by_chain=True,
        help=_("期间内成交、本人牵头的对接项目"),
    )
)
register_metric(
    Metric(
        "engagements.deals_by_org",
        "service",
        _("成交对接项目"),
        _("项"),
        _deals_by_org,
        by_chain=True,
        help=_("本机构技术经纪人牵头、期间内成交的对接项目"),
    )
)
