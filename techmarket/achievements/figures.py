"""The achievements' indicators (analytics.indicators): published supply."""

from typing import Any

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, count_by, on_chain, register_metric
from techmarket.analytics.indicators import Indicator, register
from techmarket.catalog.models import ListingStatus

from .models import Achievement

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
    "industry_field": "industries__code",
    "chain_node_field": "chain_node",
}


def _list_url(query: dict[str, str]) -> str:
    return f"{reverse('achievements:list')}?{urlencode(query)}"


def _published() -> Any:
    return Achievement.objects.unscoped().filter(status__in=COUNTED, published_at__isnull=False)


register(
    Indicator(
        "achievements.published",
        _("发布科技成果"),
        _("项"),
        _published,
        order=20,
        side="supply",
        list_url=_list_url,
        help=_("期间内审核发布的高校院所和企业科技成果"),
        **SHARED,
    )
)
register(
    Indicator(
        "achievements.suppliers",
        _("发布成果的机构"),
        _("家"),
        _published,
        order=21,
        distinct_of="owner_id",
        side="supply",
        help=_("期间内有成果发布的机构数（同一机构只计一次）"),
        **SHARED,
    )
)


def _published_by_org(period: Any, chain: int | None = None) -> dict[int, int]:
    start, end = period.bounds(dates=False)
    published = _published().filter(published_at__gte=start, published_at__lt=end)
    return count_by(on_chain(published, "chain_node", chain), "owner_id")


def _taken_up_by_org(period: Any, chain: int | None = None) -> dict[int, int]:
    start, end = period.bounds(dates=False)
    taken = on_chain(_published(), "chain_node", chain).filter(
        published_at__lt=end,
        status__in=[ListingStatus.IN_PROGRESS, ListingStatus.SOLVED],
        updated_at__gte=start,
    )
    return count_by(taken, "owner_id")


register_metric(
    Metric(
        "achievements.published_by_org",
        "research",
        _("发布科技成果"),
        _("项"),
        _published_by_org,
        by_chain=True,
        help=_("期间内审核发布的成果数"),
    )
)
register_metric(
    Metric(
        "achievements.taken_up_by_org",
        "research",
        _("成果进入对接或转化"),
        _("项"),
        _taken_up_by_org,
        by_chain=True,
        help=_("期间内有进展、目前处于对接中或已转化的成果数"),
    )
)
