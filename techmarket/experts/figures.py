"""The experts' indicator (analytics.indicators): the talent pool as it grows."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, count_by, register_metric
from techmarket.analytics.indicators import Indicator, register

from .models import Expert


def _active() -> Any:
    return Expert.objects.unscoped().filter(is_active=True)


register(
    Indicator(
        "experts.registered",
        _("入库专家人才"),
        _("人"),
        _active,
        date_field="created_at",
        order=30,
        region_field="affiliation__region__code",
        industry_field="industries__code",
        help=_("期间内入库的有效专家（按入库时间归期；地区为所在单位的地区）"),
    )
)


def _experts_by_affiliation(period: Any) -> dict[int, int]:
    _start, end = period.bounds(dates=False)
    return count_by(_active().filter(created_at__lt=end), "affiliation_id")


register_metric(
    Metric(
        "experts.by_affiliation",
        "research",
        _("入库专家"),
        _("人"),
        _experts_by_affiliation,
        help=_("截至期末本单位的有效入库专家数"),
    )
)
