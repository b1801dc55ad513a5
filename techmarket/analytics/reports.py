"""Monthly, half-year and yearly reports in the layout a bureau circulates: headline figures with 同比 /
环比, the transfer funnel, monthly trends, breakdowns by region and industry, progress against targets
and notable items. The figures are frozen in a snapshot when the report is generated; the PDF
(WeasyPrint, Noto CJK fonts) and the xlsx are rendered from that snapshot and kept."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from techmarket.audit.services import audit_record
from techmarket.imports.export import neutralise

from . import compute, indicators
from .compute import Filters
from .models import Report
from .periods import Month, Period
from .targets import STATUS_LABELS, year_progress

TREND_MONTHS = 12
BREAKDOWN_ROWS = 10


def period_of(kind: str, month: Month) -> Period:
    if kind == Report.Kind.MONTH:
        return Period(month, month)
    if kind == Report.Kind.HALF:
        first = Month(month.year, 1 if month.month <= 6 else 7)
        return Period(first, first.shift(5))
    if kind == Report.Kind.YEAR:
        return Period(Month(month.year, 1), Month(month.year, 12))
    raise ValueError(kind)


def title_of(kind: str, period: Period, platform: str) -> str:
    if kind == Report.Kind.MONTH:
        return f"{platform}科技成果转化月报（{period.first.year}年{period.first.month}月）"
    if kind == Report.Kind.HALF:
        half = "上半年" if period.first.month == 1 else "下半年"
        return f"{platform}科技成果转化半年报（{period.first.year}年{half}）"
    return f"{platform}科技成果转化年报（{period.first.year}年）"


def _plain(value: Any) -> Any:
    return str(value) if isinstance(value, Decimal) else value


def snapshot(kind: str, period: Period) -> dict[str, Any]:
    """Every figure of the report, as JSON-ready values (amounts as decimal strings)."""
    flt = Filters(period=period)
    headlines = []
    heads: dict[str, dict[str, Any]] = {}
    for group, members in indicators.groups():
        for ind in members:
            cell = heads[ind.key] = compute.headline(ind, flt)
            headlines.append(
                {
                    "group": str(group.label),
                    "key": ind.key,
                    "label": str(ind.label),
                    "unit": str(ind.unit),
                    **{k: _plain(cell[k]) for k in ("total", "previous", "year_before", "cumulative")},
                    "mom": cell["mom"],
                    "yoy": cell["yoy"],
                }
            )
        for ratio in indicators.all_ratios():
            if ratio.group != group.key:
                continue
            for key in (ratio.numerator, ratio.denominator):
                heads.setdefault(key, compute.headline(indicators.get(key), flt))
            share = compute.ratio_headline(ratio, heads)
            headlines.append(
                {
                    "group": str(group.label),
                    "key": ratio.key,
                    "label": str(ratio.label),
                    "unit": "%",
                    "points": True,  # 环比 / 同比 in percentage points
                    **{k: _plain(share[k]) for k in ("total", "previous", "year_before", "cumulative")},
                    "mom": None if share["mom"] is None else float(share["mom"]),
                    "yoy": None if share["yoy"] is None else float(share["yoy"]),
                }
            )
    trend_period = Period(period.last.shift(-(TREND_MONTHS - 1)), period.last)
    trends = []
    for ind in indicators.all_indicators()[:6]:
        points = compute.series(ind, Filters(period=trend_period))
        trends.append(
            {
                "label": str(ind.label),
                "unit": str(ind.unit),
                "points": [(m.label, _plain(v)) for m, v in points],
            }
        )
    breakdowns = []
    for ind in indicators.funnel()[:1] + [i for i in indicators.all_indicators() if i.is_amount][:2]:
        breakdowns.append(
            {
                "label": str(ind.label),
                "unit": str(ind.unit),
                "by_region": [(n, _plain(v)) for _c, n, v in compute.by_region(ind, flt)[:BREAKDOWN_ROWS]],
                "by_industry": [
                    (n, _plain(v)) for _c, n, v in compute.by_industry(ind, flt)[:BREAKDOWN_ROWS]
                ],
            }
        )
    # Further breakdowns (a contract's type, its buyer's and seller's kind) of the funnel's indicators that have
    # them and of the first amount that has them.
    with_more = [i for i in indicators.funnel() if i.breakdowns][-1:] + [
        i for i in indicators.all_indicators() if i.breakdowns and i.is_amount
    ][:1]
    more = [
        {
            "label": f"{ind.label} · {b.label}",
            "unit": str(ind.unit),
            "rows": [(n, _plain(v)) for _c, n, v in compute.by_breakdown(ind, b, flt)[:BREAKDOWN_ROWS]],
        }
        for ind in with_more
        for b in ind.breakdowns
    ]
    targets = [
        {
            "label": str(p["indicator"].label) if p["indicator"] else p["target"].indicator,
            "region": p["target"].region,
            "value": _plain(p["target"].value),
            "done": _plain(p.get("done", "")),
            "share": p.get("share"),
            "status": str(STATUS_LABELS[p["status"]]),
        }
        for p in year_progress(period.last.year)
    ]
    return {
        "kind": kind,
        "period": period.label,
        "start": str(period.first),
        "end": str(period.last),
        "headlines": headlines,
        "funnel": [(str(ind.label), _plain(compute.total(ind, flt))) for ind in indicators.funnel()],
        "trends": trends,
        "breakdowns": breakdowns,
        "more": more,
        "targets": targets,
        "highlights": [h for provider in indicators.highlight_providers() for h in provider(period)],
    }


def _bars(points: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """Bar geometry for the PDF's inline SVG (WeasyPrint runs no JavaScript)."""
    values = [float(v or 0) for _label, v in points]
    top = max(values) if values and max(values) > 0 else 1.0
    bars = []
    for index, ((label, _raw), value) in enumerate(zip(points, values, strict=True)):
        height = round(value / top * 85, 1)
        x = index * 40 + 6
        short = label.split("年", 1)[-1]  # "2026年3月" → "3月"
        bars.append(
            {
                "label": label,
                "short": short,
                "value": value,
                "height": height,
                "x": x,
                "y": 100 - height,
                "cx": x + 14,
                "ty": 100 - height - 2,
            }
        )
    return bars


class PdfUnavailable(RuntimeError):
    pass


def render_pdf(data: dict[str, Any], title: str, generated_at: Any) -> bytes:
    try:
        from weasyprint import HTML
    except OSError as exc:  # the Pango system library is missing
        raise PdfUnavailable(
            "无法生成 PDF：服务器缺少 Pango 库（sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0）"
        ) from exc

    trends = [{**t, "bars": _bars(t["points"])} for t in data["trends"]]
    html = render_to_string(
        "analytics/report_pdf.html",
        {"data": data, "title": title, "trends": trends, "generated_at": generated_at},
    )
    return HTML(string=html).write_pdf()  # type: ignore[no-any-return]  # weasyprint has no type hints


def render_xlsx(data: dict[str, Any], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "主要指标"
    sheet.append([neutralise(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append(["统计期间", data["period"]])
    sheet.append([])
    sheet.append(["板块", "指标", "单位", "本期", "上期", "环比%", "上年同期", "同比%", "累计"])
    for h in data["headlines"]:
        sheet.append(
            [
                h["group"],
                h["label"],
                h["unit"],
                h["total"],
                h["previous"],
                h["mom"],
                h["year_before"],
                h["yoy"],
                h["cumulative"],
            ]
        )
    trends = workbook.create_sheet("近12个月")
    if data["trends"]:
        trends.append(["月份", *[f"{t['label']}（{t['unit']}）" for t in data["trends"]]])
        for index, (label, _v) in enumerate(data["trends"][0]["points"]):
            trends.append([label, *[t["points"][index][1] for t in data["trends"]]])
    regions = workbook.create_sheet("地区与行业")
    for b in data["breakdowns"]:
        regions.append([f"{b['label']}（{b['unit']}）· 按地区"])
        for name, value in b["by_region"]:
            regions.append([neutralise(name), value])
        regions.append([f"{b['label']}（{b['unit']}）· 按行业"])
        for name, value in b["by_industry"]:
            regions.append([neutralise(name), value])
        regions.append([])
    if data.get("more"):
        more = workbook.create_sheet("合同类别与主体")
        for b in data["more"]:
            more.append([f"{b['label']}（{b['unit']}）"])
            for name, value in b["rows"]:
                more.append([neutralise(name), value])
            more.append([])
    targets = workbook.create_sheet("目标考核")
    targets.append(["指标", "地区", "年度目标", "已完成", "完成率%", "状态"])
    for t in data["targets"]:
        targets.append([t["label"], t["region"] or "全平台", t["value"], t["done"], t["share"], t["status"]])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def generate(*, kind: str, month: Month, acting_user: Any = None) -> Report:
    """Freeze the figures of the period containing ``month`` and keep the PDF and xlsx. A new row every
    time: earlier generations stay as they were."""
    from django.conf import settings

    period = period_of(kind, month)
    title = title_of(kind, period, getattr(settings, "REPORT_PLATFORM_NAME", "") or settings.SITE_NAME)
    data = snapshot(kind, period)
    now = timezone.now()
    pdf = render_pdf(data, title, now)
    xlsx = render_xlsx(data, title)
    stamp = timezone.localtime(now).strftime("%Y%m%d%H%M%S")
    with transaction.atomic():
        report = Report(
            kind=kind,
            period_start=period.first.first_day(),
            period_end=period.last.first_day(),
            title=title,
            snapshot=data,
            generated_by=acting_user if getattr(acting_user, "is_authenticated", False) else None,
        )
        report.pdf.save(f"{kind}-{period.first}-{stamp}.pdf", ContentFile(pdf), save=False)
        report.xlsx.save(f"{kind}-{period.first}-{stamp}.xlsx", ContentFile(xlsx), save=False)
        report.save()
        audit_record(actor=acting_user, action="analytics.report.generate", target=report, note=title)
    return report


def due_reports(today_month: Month | None = None) -> list[tuple[str, Month]]:
    """The reports that should exist for the month just ended (and its half-year and year when it closes
    one) but do not yet."""
    last = (today_month or Month.current()).shift(-1)
    wanted = [(Report.Kind.MONTH, last)]
    if last.month in (6, 12):
        wanted.append((Report.Kind.HALF, last))
    if last.month == 12:
        wanted.append((Report.Kind.YEAR, last))
    return [
        (kind, month)
        for kind, month in wanted
        if not Report.objects.filter(
            kind=kind, period_start=period_of(kind, month).first.first_day()
        ).exists()
    ]
