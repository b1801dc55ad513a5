"""The organisations' indicators (analytics.indicators): who joined the platform."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Indicator, register

from .models import Organization


def _approved() -> Any:
    return Organization.objects.filter(status=Organization.Status.APPROVED)


def _enterprises() -> Any:
    return _approved().filter(kind=Organization.Kind.ENTERPRISE)


SHARED: dict[str, Any] = {
    "date_field": "created_at",
    "region_field": "region__code",
    "industry_field": "industry__code",
}

register(
    Indicator(
        "orgs.approved",
        _("入驻机构"),
        _("家"),
        _approved,
        order=40,
        help=_("期间内注册并通过审核的机构（按注册时间归期）"),
        **SHARED,
    )
)
register(
    Indicator(
        "orgs.enterprises",
        _("入驻企业"),
        _("家"),
        _enterprises,
        order=41,
        help=_("其中企业"),
        **SHARED,
    )
)
