"""Investor indicators (analytics.indicators): interests expressed, engagements and roadshow slots arranged,
and finance sought by enterprises; region and industry are the target organisation's."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import FinanceSeeking, Interest

register_group(Group("vouchers", _("创新券与投资"), 45))

TARGET: dict[str, Any] = {
    "group": "vouchers",
    "region_field": "target__region__code",
    "industry_field": "target__industry__code",
}


def _interests() -> Any:
    return Interest.objects.unscoped()


def _arranged() -> Any:
    return Interest.objects.unscoped().filter(
        status__in=[Interest.Status.ENGAGED, Interest.Status.ROADSHOW], decided_at__isnull=False
    )


def _seekings() -> Any:
    return FinanceSeeking.objects.unscoped()


register(
    Indicator("investors.interests", _("投资意向"), _("项"), _interests, "created_at", order=20, **TARGET)
)
register(
    Indicator(
        "investors.arranged",
        _("投资意向促成对接或路演"),
        _("项"),
        _arranged,
        "decided_at",
        order=21,
        **TARGET,
    )
)
register(
    Indicator(
        "investors.finance_sought",
        _("企业拟融资额"),
        _("万元"),
        _seekings,
        "created_at",
        order=22,
        sum_field="amount",
        scale=10000,
        group="vouchers",
        region_field="organization__region__code",
        industry_field="organization__industry__code",
    )
)


def interests_by_fund(interests: Any) -> list[dict[str, Any]]:
    """Interests per fund and how many became an engagement or a roadshow slot (for the API and the page)."""
    from django.db.models import Count, Q

    rows = (
        interests.order_by()
        .values("fund_id", "fund__name", "fund__manager__name")
        .annotate(
            interests=Count("pk"),
            engaged=Count("pk", filter=Q(status=Interest.Status.ENGAGED)),
            roadshow=Count("pk", filter=Q(status=Interest.Status.ROADSHOW)),
        )
        .order_by("-interests", "fund__name")
    )
    return [
        {
            "fund_id": r["fund_id"],
            "fund": r["fund__name"],
            "manager": r["fund__manager__name"],
            "interests": r["interests"],
            "engaged": r["engaged"],
            "roadshow": r["roadshow"],
        }
        for r in rows
    ]
