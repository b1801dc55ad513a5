"""Progress towards yearly targets: done so far, the forecast at the current pace, and a warning when the
forecast falls short."""

from __future__ import annotations

import calendar
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import compute, indicators
from .compute import Filters
from .models import Target
from .periods import Month, Period, tz


def year_elapsed(year: int) -> Decimal:
    """Months of ``year`` gone by, with today's month counted by its elapsed days (0 for a future year)."""
    today = timezone.localtime(timezone.now(), tz()).date()
    if year < today.year:
        return Decimal(12)
    if year > today.year:
        return Decimal(0)
    days = calendar.monthrange(today.year, today.month)[1]
    return Decimal(today.month - 1) + Decimal(today.day) / Decimal(days)


def progress(target: Target) -> dict[str, Any]:
    try:
        indicator = indicators.get(target.indicator)
    except indicators.UnknownIndicator:
        return {"target": target, "indicator": None, "status": "unknown"}
    now = Month.current()
    elapsed = year_elapsed(target.year)
    done: Decimal = Decimal(0)
    if elapsed:
        last = Month(target.year, 12) if target.year < now.year else now
        done = Decimal(
            compute.total(
                indicator, Filters(period=Period(Month(target.year, 1), last), region=target.region)
            )
        )
    forecast = (done / elapsed * 12).quantize(Decimal("0.01")) if elapsed else None
    missed = missed_months(target, indicator)
    if missed:
        status = "missed_months"
    elif done >= target.value:
        status = "met"
    elif forecast is None:
        status = "not_started"
    elif forecast < target.value:
        status = "behind"
    else:
        status = "on_track"
    return {
        "target": target,
        "indicator": indicator,
        "done": done if indicator.is_amount else int(done),
        "share": round(float(done / target.value * 100), 1),
        "forecast": forecast if forecast is None or indicator.is_amount else int(forecast),
        "expected_by_now": (target.value * elapsed / 12).quantize(Decimal("0.01")),
        "status": status,
        "missed": missed,
    }


def missed_months(target: Target, indicator: indicators.Indicator) -> list[Month]:
    """The finished months of the target's year below its monthly minimum (the current month is still
    running and is not counted as missed)."""
    if target.monthly_minimum is None:
        return []
    now = Month.current()
    last = Month(target.year, 12) if target.year < now.year else now.shift(-1)
    if last.year < target.year:
        return []
    period = Period(Month(target.year, 1), last)
    values = compute.series(indicator, Filters(period=period, region=target.region))
    return [month for month, value in values if Decimal(value) < target.monthly_minimum]


WARNINGS = ("behind", "missed_months")


STATUS_LABELS = {
    "met": _("已完成"),
    "on_track": _("按当前进度可完成"),
    "behind": _("进度落后"),
    "missed_months": _("有月份未达到每月下限"),
    "not_started": _("未开始"),
    "unknown": _("指标已停用"),
}


def year_progress(year: int) -> list[dict[str, Any]]:
    from techmarket.reference.models import Region

    rows = [progress(t) for t in Target.objects.filter(year=year).order_by("indicator", "region")]
    names = dict(
        Region.objects.filter(code__in=[r["target"].region for r in rows]).values_list("code", "name")
    )
    for row in rows:
        row["region_name"] = names.get(row["target"].region, row["target"].region)
    return rows
