"""The facilities' indicators (analytics.indicators) and the "facility" evaluation subject with its metrics
(analytics.evaluations), so 绩效评价 can rank centres on what they move on."""

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.analytics.evaluations import Metric, Subject, count_by, register_metric, register_subject
from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Booking, Facility, Project

register_group(Group("facilities", _("概念验证与中试"), 40))

# A facility has several industry codes and chain links (many-to-many). The indicators count distinct rows
# (Indicator.aggregate), so in a breakdown a facility — or a booking or project through its facility — counts
# once per GB/T 4754 division, once per chain, once per chain link and once per segment (上游/中游/下游) it
# serves, and once in the total. The rows of a breakdown can therefore add up to more than the total.
# Such fan-out paths are computed from the live rows, not the pre-aggregated facts (analytics.facts).
FACILITY_PATHS: dict[str, Any] = {
    "group": "facilities",
    "region_field": "region__code",
    "industry_field": "industries__code",
    "chain_node_field": "chain_nodes",
}
VIA_FACILITY: dict[str, Any] = {
    "group": "facilities",
    "region_field": "facility__region__code",
    "industry_field": "facility__industries__code",
    "chain_node_field": "facility__chain_nodes",
}


def _facilities() -> Any:
    return Facility.objects.unscoped()


def _recognised() -> Any:
    return _facilities().filter(recognised_at__isnull=False).exclude(status=Facility.Status.REVOKED)


def _bookings() -> Any:
    return Booking.objects.unscoped()


def _accepted() -> Any:
    return _bookings().filter(accepted_at__isnull=False)


def _verified() -> Any:
    return Project.objects.unscoped().filter(verified_at__isnull=False)


def _transferred() -> Any:
    return Project.objects.unscoped().filter(transferred_at__isnull=False)


register(
    Indicator(
        "facilities.registered",
        _("新登记服务平台"),
        _("个"),
        _facilities,
        "created_at",
        order=10,
        help=_("期间内登记的概念验证中心、中试基地和共享仪器（试点）"),
        list_url=lambda params: reverse("facilities:list") + "?" + urlencode(params),
        **FACILITY_PATHS,
    )
)
register(
    Indicator(
        "facilities.recognised",
        _("新认定服务平台"),
        _("个"),
        _recognised,
        "recognised_at",
        order=11,
        help=_("期间内认定、且未撤销的服务平台"),
        **FACILITY_PATHS,
    )
)
register(
    Indicator(
        "facilities.bookings",
        _("服务预约"),
        _("次"),
        _bookings,
        "created_at",
        order=20,
        help=_("期间内提交的服务与仪器预约"),
        **VIA_FACILITY,
    )
)
register(
    Indicator(
        "facilities.bookings_accepted",
        _("接受报价的预约"),
        _("次"),
        _accepted,
        "accepted_at",
        order=21,
        help=_("期间内申请单位接受了服务平台报价的预约（订单）"),
        **VIA_FACILITY,
    )
)
register(
    Indicator(
        "facilities.projects_verified",
        _("通过验证的项目"),
        _("项"),
        _verified,
        "verified_at",
        order=30,
        help=_("期间内通过概念验证或中试的项目"),
        **VIA_FACILITY,
    )
)
register(
    Indicator(
        "facilities.projects_transferred",
        _("验证后转化的项目"),
        _("项"),
        _transferred,
        "transferred_at",
        order=31,
        help=_("期间内登记为已转化的验证、中试项目"),
        **VIA_FACILITY,
    )
)

register_subject(
    Subject(
        "facility",
        _("概念验证中心与中试基地"),
        lambda: _facilities().exclude(status=Facility.Status.REVOKED).order_by("name"),
    )
)


def _in_period(qs: Any, field: str, period: Any) -> Any:
    start, end = period.bounds(dates=False)
    return qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})


def _verified_by(period: Any) -> dict[int, int]:
    return count_by(_in_period(_verified(), "verified_at", period), "facility_id")


def _transferred_by(period: Any) -> dict[int, int]:
    return count_by(_in_period(_transferred(), "transferred_at", period), "facility_id")


def _served_by(period: Any) -> dict[int, int]:
    return count_by(_in_period(_accepted(), "accepted_at", period), "facility_id")


register_metric(
    Metric(
        "facilities.verified",
        "facility",
        _("通过验证的项目"),
        _("项"),
        _verified_by,
        help=_("期间内通过验证的项目"),
    )
)
register_metric(
    Metric(
        "facilities.transferred",
        "facility",
        _("验证后转化的项目"),
        _("项"),
        _transferred_by,
        help=_("期间内登记为已转化的项目"),
    )
)
register_metric(
    Metric(
        "facilities.bookings_accepted",
        "facility",
        _("接受报价的预约"),
        _("次"),
        _served_by,
        help=_("期间内申请单位接受报价的服务与仪器预约"),
    )
)


def _utilisation_by(period: Any) -> dict[int, Any]:
    from .selectors import utilisation

    start, end = period.bounds(dates=False)
    return {
        row["facility"].pk: row["utilisation"]
        for row in utilisation(_facilities().exclude(status=Facility.Status.REVOKED), start, end)
        if row["utilisation"] is not None
    }


register_metric(
    Metric(
        "facilities.utilisation",
        "facility",
        _("能力利用率"),
        "%",
        _utilisation_by,
        help=_("期间内已排期（接受报价后）的服务时长 ÷ 开放时间内可预约的时长 × 同时可承接数"),
    )
)


def _delivered() -> Any:
    return _bookings().filter(delivered_at__isnull=False)


register(
    Indicator(
        "facilities.services_delivered",
        _("交付的服务"),
        _("次"),
        _delivered,
        "delivered_at",
        order=22,
        help=_("期间内服务平台交付报告的预约"),
        **VIA_FACILITY,
    )
)
