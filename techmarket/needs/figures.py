"""The needs' indicators (analytics.indicators): what a bureau reports about collected demand."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, count_by, on_chain, register_metric
from techmarket.analytics.indicators import Indicator, register
from techmarket.catalog.models import ListingStatus

from .models import Need

# Published at some point and not sent back: listed, in progress, solved, closed or expired.
COUNTED = [
    ListingStatus.PUBLISHED,
    ListingStatus.IN_PROGRESS,
    ListingStatus.SOLVED,
    ListingStatus.CLOSED,
    ListingStatus.EXPIRED,
]
SHARED: dict[str, Any] = {
    "date_field": "published_at",
    "region_field": "region__code",
    "industry_field": "industry__code",
    "chain_node_field": "chain_node",
}


def _list_url(query: dict[str, str]) -> str:
    return f"{reverse('needs:list')}?{urlencode(query)}"


def _published() -> Any:
    return Need.objects.unscoped().filter(status__in=COUNTED, published_at__isnull=False)


def _taken_up() -> Any:
    return _published().filter(status__in=[ListingStatus.IN_PROGRESS, ListingStatus.SOLVED])


def _solved() -> Any:
    return _published().filter(status=ListingStatus.SOLVED)


register(
    Indicator(
        "needs.published",
        _("征集技术需求"),
        _("项"),
        _published,
        order=10,
        funnel=1,
        side="demand",
        list_url=_list_url,
        help=_("期间内审核发布的企业技术需求（不含草稿、待审核、被驳回的需求）"),
        **SHARED,
    )
)
register(
    Indicator(
        "needs.taken_up",
        _("进入对接的需求"),
        _("项"),
        _taken_up,
        order=11,
        funnel=2,
        help=_("期间内发布、目前处于对接中或已解决的需求（按发布时间归期）"),
        **SHARED,
    )
)
register(
    Indicator(
        "needs.solved",
        _("已解决需求"),
        _("项"),
        _solved,
        order=12,
        help=_("期间内发布、目前已解决的需求（按发布时间归期）"),
        **SHARED,
    )
)
register(
    Indicator(
        "needs.enterprises",
        _("提出需求的机构"),
        _("家"),
        _published,
        order=13,
        distinct_of="owner_id",
        side="demand",
        help=_("期间内有需求发布的机构数（同一机构只计一次）"),
        **SHARED,
    )
)


def _refinements(period: Any, chain: int | None = None) -> Any:
    from .models import NeedRevision

    start, end = period.bounds(dates=False)
    return on_chain(
        NeedRevision.objects.filter(created_at__gte=start, created_at__lt=end), "need__chain_node", chain
    )


def _refinements_by_broker(period: Any, chain: int | None = None) -> dict[int, int]:
    return count_by(_refinements(period, chain), "proposed_by_id")


def _refinements_accepted_by_broker(period: Any, chain: int | None = None) -> dict[int, int]:
    from .models import NeedRevision

    return count_by(_refinements(period, chain).filter(status=NeedRevision.Status.ACCEPTED), "proposed_by_id")


def _refinements_by_service_org(period: Any, chain: int | None = None) -> dict[int, int]:
    """Refinements proposed by the brokers of each transfer institution."""
    from django.db.models import Count

    from techmarket.orgs.models import Membership, Role

    brokers = Membership.objects.filter(role=Role.BROKER).values_list("user_id", "organization_id")
    org_of = dict(brokers)
    out: dict[int, int] = {}
    for row in _refinements(period, chain).values("proposed_by_id").annotate(n=Count("pk")).order_by():
        org = org_of.get(row["proposed_by_id"])
        if org:
            out[org] = out.get(org, 0) + row["n"]
    return out


register_metric(
    Metric(
        "needs.refinements",
        "broker",
        _("需求凝练建议"),
        _("条"),
        _refinements_by_broker,
        by_chain=True,
        help=_("期间内提出的需求凝练建议"),
    )
)
register_metric(
    Metric(
        "needs.refinements_accepted",
        "broker",
        _("被采纳的凝练建议"),
        _("条"),
        _refinements_accepted_by_broker,
        by_chain=True,
        help=_("期间内提出、已被需求方采纳的凝练建议"),
    )
)
register_metric(
    Metric(
        "needs.refinements_by_org",
        "service",
        _("需求凝练建议"),
        _("条"),
        _refinements_by_service_org,
        by_chain=True,
        help=_("本机构技术经纪人期间内提出的需求凝练建议"),
    )
)
