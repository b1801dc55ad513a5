"""Every chart's table: the same rows feed the HTML table beside the chart, the chart data and the xlsx
download, so the three never disagree."""

from __future__ import annotations

import io
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from techmarket.imports.export import neutralise

from . import compute
from .compute import Filters
from .indicators import Indicator, Ratio

VIEWS = ("series", "region", "industry", "chain")


def views_for(indicator: Indicator) -> tuple[str, ...]:
    """The charts of one indicator: the common views, then its own breakdowns (type, buyer kind…)."""
    return VIEWS + tuple(b.key for b in indicator.breakdowns)


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]

    def chart(self) -> dict[str, Any]:
        """Labels and values for ECharts (first column labels, last column values)."""
        return {
            "title": self.title,
            "labels": [str(row[0]) for row in self.rows],
            "values": [float(row[-1]) if isinstance(row[-1], Decimal) else row[-1] for row in self.rows],
        }


def _value_label(indicator: Indicator) -> str:
    return f"{indicator.label}（{indicator.unit}）"


def indicator_table(indicator: Indicator, view: str, filters: Filters) -> Table:
    period = filters.period.label
    if view == "series":
        rows: list[list[Any]] = [[month.label, value] for month, value in compute.series(indicator, filters)]
        return Table(
            _("%(i)s · 按月 · %(p)s") % {"i": indicator.label, "p": period},
            [_("月份"), _value_label(indicator)],
            rows,
        )
    if view == "region":
        rows = [[name, code, value] for code, name, value in compute.by_region(indicator, filters)]
        return Table(
            _("%(i)s · 按地区 · %(p)s") % {"i": indicator.label, "p": period},
            [_("地区"), _("代码"), _value_label(indicator)],
            rows,
        )
    if view == "industry":
        rows = [[name, code, value] for code, name, value in compute.by_industry(indicator, filters)]
        return Table(
            _("%(i)s · 按行业（国民经济行业大类） · %(p)s") % {"i": indicator.label, "p": period},
            [_("行业"), _("代码"), _value_label(indicator)],
            rows,
        )
    if view == "chain":
        rows = [[name, value] for _pk, name, value in compute.by_chain(indicator, filters)]
        return Table(
            _("%(i)s · 按产业链 · %(p)s") % {"i": indicator.label, "p": period},
            [_("产业链"), _value_label(indicator)],
            rows,
        )
    for breakdown in indicator.breakdowns:
        if breakdown.key == view:
            found = compute.by_breakdown(indicator, breakdown, filters)
            return Table(
                f"{indicator.label} · {breakdown.label} · {period}",
                [str(breakdown.label).removeprefix("按"), _value_label(indicator)],
                [[name, value] for _key, name, value in found],
            )
    raise ValueError(view)


def ratio_table(ratio: Ratio, filters: Filters) -> Table:
    """The ratio month by month with its two parts, and the whole period last (合计)."""
    from . import indicators

    num, den = indicators.get(ratio.numerator), indicators.get(ratio.denominator)
    rows: list[list[Any]] = []
    num_sum: Any = 0
    den_sum: Any = 0
    for month, n, d, pct in compute.ratio_series(ratio, filters):
        rows.append([month.label, n, d, pct])
        num_sum, den_sum = num_sum + n, den_sum + d
    rows.append([_("合计"), num_sum, den_sum, compute.share(num_sum, den_sum)])
    return Table(
        _("%(i)s · 按月 · %(p)s") % {"i": ratio.label, "p": filters.period.label},
        [_("月份"), _value_label(num), _value_label(den), f"{ratio.label}（%）"],
        rows,
    )


def leaders_table(subject_key: str, filters: Filters) -> Table:
    """The leading brokers / institutions of the period on every metric of their subject, within the
    filters' region (where they are) and chain (their work on its items; the metrics that can tell)."""
    from . import evaluations

    who = evaluations.subject(subject_key)
    if who is None:
        raise ValueError(subject_key)
    metrics, found = evaluations.leaders(
        subject_key, filters.period, region=filters.region, chain=filters.chain
    )
    return Table(
        f"{who.label} · {_('前十名')} · {describe(filters)}",
        [_("名称"), *[f"{m.label}（{m.unit}）" for m in metrics]],
        [[row["name"], *row["values"]] for row in found],
    )


def headline_table(data: dict[str, Any], filters: Filters) -> Table:
    rows = []
    for group, cells in data["groups"]:
        for cell in cells:
            ind = cell["indicator"]
            rows.append(
                [
                    str(group.label),
                    str(ind.label),
                    str(ind.unit),
                    cell["total"],
                    cell["previous"],
                    "" if cell["mom"] is None else cell["mom"],
                    cell["year_before"],
                    "" if cell["yoy"] is None else cell["yoy"],
                    cell["cumulative"],
                ]
            )
        for ratio in data.get("ratios", {}).get(group.key, []):
            rows.append(
                [
                    str(group.label),
                    str(ratio["ratio"].label),
                    _("%（环比、同比为百分点）"),
                    _blank(ratio["total"]),
                    _blank(ratio["previous"]),
                    _blank(ratio["mom"]),
                    _blank(ratio["year_before"]),
                    _blank(ratio["yoy"]),
                    _blank(ratio["cumulative"]),
                ]
            )
    return Table(
        f"{_('主要指标')} · {filters.period.label}",
        [
            _("板块"),
            _("指标"),
            _("单位"),
            _("本期"),
            _("上期"),
            _("环比%"),
            _("上年同期"),
            _("同比%"),
            _("累计"),
        ],
        rows,
    )


def _blank(value: Any) -> Any:
    return "" if value is None else value


def funnel_table(data: dict[str, Any], filters: Filters) -> Table:
    rows = [[str(ind.label), value] for ind, value in data["funnel"]]
    return Table(f"{_('转化漏斗')} · {filters.period.label}", [_("环节"), _("数量")], rows)


def chain_map_table(data: dict[str, Any]) -> Table:
    columns = [_("环节"), *[str(ind.label) for ind in data["columns"]], _("缺口")]
    gaps = {"no_supply": _("有需求、无供给"), "no_demand": _("有供给、无需求"), "": ""}
    rows = []
    for row in data["rows"]:
        name = row["node"].name if row["node"].parent_id is None else f"　{row['node'].name}"
        rows.append([name, *[value for _ind, value in row["cells"]], gaps[row["gap"]]])
    return Table(f"{data['chain'].name} · {_('产业链创新图谱')}", columns, rows)


def to_xlsx(table: Table, filters: Filters | None = None) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("数据")[:31]
    sheet.append([neutralise(table.title)])
    sheet["A1"].font = Font(bold=True, size=13)
    if filters is not None:
        sheet.append([_("筛选条件"), neutralise(describe(filters))])
    sheet.append([])
    sheet.append(table.columns)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in row])
    for index, _column in enumerate(table.columns):
        sheet.column_dimensions[get_column_letter(index + 1)].width = 18 if index else 28
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def describe(filters: Filters) -> str:
    from techmarket.reference.models import IndustryChain, Region

    parts = [filters.period.label]
    if filters.region:
        region = Region.objects.filter(code=filters.region).first()
        parts.append(region.full_name if region else filters.region)
    if filters.chain:
        chain = IndustryChain.objects.filter(pk=filters.chain).first()
        parts.append(chain.name if chain else str(filters.chain))
    return " · ".join(parts)


def evaluation_table(scheme: Any, rows: list[dict[str, Any]], filters: Filters) -> Table:
    metrics = [part["metric"] for part in rows[0]["parts"]] if rows else []
    columns = [
        _("名次"),
        _("评价对象"),
        _("综合得分"),
        *[f"{m.label}（{m.unit}）" for m in metrics],
        *[_("%(m)s得分") % {"m": m.label} for m in metrics],
    ]
    body = [
        [
            row["rank"],
            row["name"],
            row["score"],
            *[part["value"] for part in row["parts"]],
            *[part["score"] for part in row["parts"]],
        ]
        for row in rows
    ]
    return Table(f"{scheme.name} · {filters.period.label}", columns, body)
