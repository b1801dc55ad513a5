"""Investor indicators (analytics.indicators): interests expressed, engagements and roadshow slots arranged,
finance sought by enterprises, and investments made (number and amount, by round); region and industry are
the target organisation's."""

from datetime import date
from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Breakdown, Group, Indicator, register, register_group

from .models import FinanceSeeking, Interest, Investment, Stage

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


def _investments() -> Any:
    return Investment.objects.unscoped()


def _stage_labels() -> dict[str, Any]:
    return dict(Stage.choices)


INVESTMENT: dict[str, Any] = {
    **TARGET,
    "breakdowns": (Breakdown("stage", _("按投资轮次"), "stage", _stage_labels),),
}
register(
    Indicator(
        "investors.investments",
        _("投资机构完成投资"),
        _("笔"),
        _investments,
        "invested_on",
        order=23,
        **INVESTMENT,
    )
)
register(
    Indicator(
        "investors.invested",
        _("投资机构投资额"),
        _("万元"),
        _investments,
        "invested_on",
        order=24,
        sum_field="amount",
        scale=10000,
        **INVESTMENT,
    )
)


def _in_period(investments: Any, start: date | None, end: date | None) -> Any:
    if start is not None:
        investments = investments.filter(invested_on__gte=start)
    if end is not None:
        investments = investments.filter(invested_on__lte=end)
    return investments


def investments_by_fund(
    investments: Any, *, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """Number and amount (元) of investments per fund in the period (both ends included), largest first."""
    from django.db.models import Count, Sum

    rows = (
        _in_period(investments, start, end)
        .order_by()
        .values("fund_id", "fund__name", "fund__manager__name")
        .annotate(investments=Count("pk"), amount=Sum("amount"))
        .order_by("-amount", "fund__name")
    )
    return [
        {
            "fund_id": r["fund_id"],
            "fund": r["fund__name"],
            "manager": r["fund__manager__name"],
            "investments": r["investments"],
            "amount": r["amount"],
        }
        for r in rows
    ]


def investments_by_stage(
    investments: Any, *, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """Number and amount (元) of investments per round in the period, in the order of the rounds."""
    from django.db.models import Count, Sum

    found = {
        r["stage"]: r
        for r in _in_period(investments, start, end)
        .order_by()
        .values("stage")
        .annotate(investments=Count("pk"), amount=Sum("amount"))
    }
    return [
        {
            "stage": v,
            "label": str(label),
            "investments": found[v]["investments"],
            "amount": found[v]["amount"],
        }
        for v, label in Stage.choices
        if v in found
    ]


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
