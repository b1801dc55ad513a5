"""GET /api/statistics/…: every figure behind the dashboards, with the same filters and the same rule
(bureau and platform operators only). Counts are integers; amounts are decimal strings (never floats)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema

from techmarket.reference.models import IndustryChain

from . import compute, indicators, selectors
from .forms import FiltersForm

router = Router(tags=["统计分析"])


class FilterParams(Schema):
    start: str = Field("", description="开始月份 YYYY-MM，默认本年 1 月")
    end: str = Field("", description="结束月份 YYYY-MM（含），默认本月")
    region: str = Field("", description="GB/T 2260 地区代码：370000 全省、371300 临沂市、371302 兰山区")
    chain: int | None = Field(None, description="产业链编号")


class IndicatorOut(Schema):
    key: str
    label: str
    unit: str
    group: str
    help: str
    amount: bool = Field(..., description="true：金额（万元），值为十进制字符串；false：计数，值为整数")
    breakdowns: list[str] = Field(
        ...,
        description="可用的分解维度：region / industry / chain，以及指标自有的（如合同的 type / buyer_kind / seller_kind）",
    )


class HeadlineOut(Schema):
    key: str
    label: str
    unit: str
    total: int | str
    previous: int | str = Field(..., description="上一个等长期间（环比基期）")
    year_before: int | str = Field(..., description="上年同期（同比基期）")
    mom: float | None = Field(..., description="环比变化（%），基期为 0 时为 null")
    yoy: float | None = Field(..., description="同比变化（%），基期为 0 时为 null")
    cumulative: int | str = Field(..., description="截至期末累计")
    applies: bool = Field(..., description="false：该指标不按所选地区或产业链统计")


class PointOut(Schema):
    key: str
    label: str
    value: int | str


class RatioOut(Schema):
    key: str
    label: str
    numerator: str = Field(..., description="分子指标")
    denominator: str = Field(..., description="分母指标")
    total: str | None = Field(..., description="本期比例（%，一位小数）；分母为 0 时为 null")
    previous: str | None
    year_before: str | None
    mom: str | None = Field(..., description="环比变化（百分点）")
    yoy: str | None = Field(..., description="同比变化（百分点）")
    cumulative: str | None
    applies: bool


class FiguresOut(Schema):
    period: str
    filters: dict[str, str]
    headlines: list[HeadlineOut]
    funnel: list[PointOut]
    ratios: list[RatioOut] = Field(..., description="比例指标，如本地转化率")


class IndicatorFiguresOut(Schema):
    period: str
    filters: dict[str, str]
    headline: HeadlineOut
    series: list[PointOut]
    by_region: list[PointOut]
    by_industry: list[PointOut]
    by_chain: list[PointOut]
    by: dict[str, list[PointOut]] = Field(
        ...,
        description="指标自有的分解，如技术合同的 type（合同类别）、buyer_kind / seller_kind（买方 / 卖方类型）",
    )


class LeaderOut(Schema):
    name: str
    values: dict[str, str] = Field(..., description="指标键 → 数值（十进制字符串）")


class LeadersOut(Schema):
    subject: str
    label: str
    period: str
    filters: dict[str, str]
    metrics: dict[str, str] = Field(..., description="指标键 → 名称（单位）")
    rows: list[LeaderOut]


class ChainNodeOut(Schema):
    node_id: int
    name: str
    parent_id: int | None
    values: dict[str, int | str]
    gap: str = Field(..., description="no_supply：有需求无供给；no_demand：有供给无需求；空：无缺口")


class ChainMapOut(Schema):
    chain_id: int
    chain: str
    indicators: list[str]
    nodes: list[ChainNodeOut]


def _number(value: Any) -> int | str:
    return str(value) if isinstance(value, Decimal) else int(value)


def _filters(params: FilterParams) -> compute.Filters:
    form = FiltersForm(
        {"start": params.start, "end": params.end, "region": params.region, "chain": params.chain or ""}
    )
    if not form.is_valid() or "period" not in form.cleaned_data:
        raise ValidationError({name: [str(e) for e in errors] for name, errors in form.errors.items()})
    return form.filters()


def _headline(cell: dict[str, Any]) -> dict[str, Any]:
    ind = cell["indicator"]
    return {
        "key": ind.key,
        "label": str(ind.label),
        "unit": str(ind.unit),
        **{k: _number(cell[k]) for k in ("total", "previous", "year_before", "cumulative")},
        "mom": cell["mom"],
        "yoy": cell["yoy"],
        "applies": cell["applies"],
    }


@router.get("/indicators", response=list[IndicatorOut], summary="统计指标清单")
def indicator_list(request: HttpRequest) -> list[dict[str, Any]]:
    selectors.require_aggregates(request.user)
    return [
        {
            "key": ind.key,
            "label": str(ind.label),
            "unit": str(ind.unit),
            "group": ind.group,
            "help": str(ind.help),
            "amount": ind.is_amount,
            "breakdowns": [
                name
                for name, path in (
                    ("region", ind.region_field),
                    ("industry", ind.industry_field),
                    ("chain", ind.chain_node_field),
                )
                if path
            ]
            + [b.key for b in ind.breakdowns],
        }
        for ind in indicators.all_indicators()
    ]


@router.get("/figures", response=FiguresOut, summary="主要指标（本期、环比、同比、累计）与转化漏斗")
def figures(request: HttpRequest, params: Query[FilterParams]) -> dict[str, Any]:
    selectors.require_aggregates(request.user)
    flt = _filters(params)
    data = selectors.dashboard(request.user, flt)
    return {
        "period": flt.period.label,
        "filters": flt.as_query(),
        "headlines": [_headline(cell) for _group, cells in data["groups"] for cell in cells],
        "funnel": [
            {"key": ind.key, "label": str(ind.label), "value": _number(value)}
            for ind, value in data["funnel"]
        ],
        "ratios": [_ratio(cell) for cells in data["ratios"].values() for cell in cells],
    }


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _ratio(cell: dict[str, Any]) -> dict[str, Any]:
    ratio = cell["ratio"]
    return {
        "key": ratio.key,
        "label": str(ratio.label),
        "numerator": ratio.numerator,
        "denominator": ratio.denominator,
        **{k: _text(cell[k]) for k in ("total", "previous", "year_before", "mom", "yoy", "cumulative")},
        "applies": cell["applies"],
    }


@router.get(
    "/indicators/{key}", response=IndicatorFiguresOut, summary="单项指标：按月序列与地区、行业、产业链分解"
)
def indicator_figures(request: HttpRequest, key: str, params: Query[FilterParams]) -> dict[str, Any]:
    selectors.require_aggregates(request.user)
    try:
        ind = indicators.get(key)
    except indicators.UnknownIndicator:
        from django.http import Http404

        raise Http404 from None
    flt = _filters(params)
    return {
        "period": flt.period.label,
        "filters": flt.as_query(),
        "headline": _headline(compute.headline(ind, flt)),
        "series": [
            {"key": str(m), "label": m.label, "value": _number(v)} for m, v in compute.series(ind, flt)
        ],
        "by_region": [{"key": c, "label": n, "value": _number(v)} for c, n, v in compute.by_region(ind, flt)],
        "by_industry": [
            {"key": c, "label": n, "value": _number(v)} for c, n, v in compute.by_industry(ind, flt)
        ],
        "by_chain": [{"key": c, "label": n, "value": _number(v)} for c, n, v in compute.by_chain(ind, flt)],
        "by": {
            b.key: [
                {"key": c, "label": n, "value": _number(v)} for c, n, v in compute.by_breakdown(ind, b, flt)
            ]
            for b in ind.breakdowns
        },
    }


@router.get("/leaders/{subject}", response=LeadersOut, summary="技术经纪人与机构：期间内各项工作量居前的十名")
def leaders(request: HttpRequest, subject: str, params: Query[FilterParams]) -> dict[str, Any]:
    """subject: broker（技术经纪人）/ service（技术转移服务机构）/ research（高校与科研机构）。

    region：只列所在地区（机构的所在地区；技术经纪人为其所属服务机构的所在地区）在该地区内的；
    chain：只计该产业链上的需求、成果及其对接、合同，只列能按产业链统计的指标。"""
    from django.http import Http404

    from . import evaluations

    selectors.require_aggregates(request.user)
    who = evaluations.subject(subject)
    if subject not in evaluations.PANEL_SUBJECTS or who is None:
        raise Http404
    flt = _filters(params)
    metrics, rows = evaluations.leaders(subject, flt.period, region=flt.region, chain=flt.chain)
    return {
        "subject": subject,
        "label": str(who.label),
        "period": flt.period.label,
        "filters": flt.as_query(),
        "metrics": {m.key: f"{m.label}（{m.unit}）" for m in metrics},
        "rows": [
            {"name": r["name"], "values": {m.key: str(v) for m, v in zip(metrics, r["values"], strict=True)}}
            for r in rows
        ],
    }


@router.get("/chains/{chain_id}", response=ChainMapOut, summary="产业链创新图谱：各环节的需求、成果与缺口")
def chain_map(request: HttpRequest, chain_id: int) -> dict[str, Any]:
    selectors.require_aggregates(request.user)
    chain = get_object_or_404(IndustryChain, pk=chain_id, is_active=True)
    data = selectors.chain_map(request.user, chain)
    return {
        "chain_id": chain.pk,
        "chain": chain.name,
        "indicators": [ind.key for ind in data["columns"]],
        "nodes": [
            {
                "node_id": row["node"].pk,
                "name": row["node"].name,
                "parent_id": row["node"].parent_id,
                "values": {ind.key: _number(v) for ind, v in row["cells"]},
                "gap": row["gap"],
            }
            for row in data["rows"]
        ],
    }


class TargetOut(Schema):
    id: int
    indicator: str
    label: str
    year: int
    region: str
    value: str
    done: int | str | None
    share: float | None
    forecast: int | str | None = Field(..., description="按当前进度的全年预计值")
    status: str = Field(..., description="met / on_track / behind / missed_months / not_started / unknown")
    monthly_minimum: str | None = Field(None, description="每月至少（未设定为 null）")
    missed_months: list[str] = Field(
        default_factory=list, description="本年度已结束、未达到每月下限的月份（YYYY-MM）"
    )


class ReportOut(Schema):
    id: int
    kind: str
    title: str
    period_start: str
    period_end: str
    generated_at: str
    pdf_url: str
    xlsx_url: str


@router.get("/targets", response=list[TargetOut], summary="年度目标与完成进度")
def target_list(request: HttpRequest, year: int | None = None) -> list[dict[str, Any]]:
    from .periods import Month
    from .targets import year_progress

    selectors.require_aggregates(request.user)
    out = []
    for row in year_progress(year or Month.current().year):
        target = row["target"]
        out.append(
            {
                "id": target.pk,
                "indicator": target.indicator,
                "label": str(row["indicator"].label) if row["indicator"] else target.indicator,
                "year": target.year,
                "region": target.region,
                "value": str(target.value),
                "done": _number(row["done"]) if "done" in row else None,
                "share": row.get("share"),
                "forecast": _number(row["forecast"]) if row.get("forecast") is not None else None,
                "status": row["status"],
                "monthly_minimum": str(target.monthly_minimum)
                if target.monthly_minimum is not None
                else None,
                "missed_months": [str(m) for m in row.get("missed", [])],
            }
        )
    return out


@router.get("/reports", response=list[ReportOut], summary="已生成的统计报告（最近 50 份）")
def report_list(request: HttpRequest) -> list[dict[str, Any]]:
    from django.urls import reverse

    from .models import Report

    selectors.require_aggregates(request.user)
    return [
        {
            "id": r.pk,
            "kind": r.kind,
            "title": r.title,
            "period_start": r.period_start.isoformat(),
            "period_end": r.period_end.isoformat(),
            "generated_at": r.generated_at.isoformat(),
            "pdf_url": reverse("analytics:report_file", args=[r.pk, "pdf"]),
            "xlsx_url": reverse("analytics:report_file", args=[r.pk, "xlsx"]),
        }
        for r in Report.objects.all()[:50]
    ]


class EvaluationPartOut(Schema):
    metric: str
    label: str
    value: str
    best: str
    score: str = Field(..., description="本对象数值 ÷ 本期最好数值 × 100")
    weight: str
    contribution: str = Field(..., description="得分 × 权重 ÷ 权重合计")


class EvaluationRowOut(Schema):
    rank: int
    subject_id: int
    name: str
    score: str
    parts: list[EvaluationPartOut]


class EvaluationOut(Schema):
    scheme_id: int
    scheme: str
    subject: str
    period: str
    rows: list[EvaluationRowOut]


@router.get("/evaluations/{scheme_id}", response=EvaluationOut, summary="绩效评价：排名与每项得分")
def evaluation(request: HttpRequest, scheme_id: int, params: Query[FilterParams]) -> dict[str, Any]:
    from . import evaluations
    from .models import EvaluationScheme

    selectors.require_aggregates(request.user)
    scheme = get_object_or_404(EvaluationScheme, pk=scheme_id, is_active=True)
    flt = _filters(params)
    rows = evaluations.evaluate(scheme, flt.period)
    return {
        "scheme_id": scheme.pk,
        "scheme": scheme.name,
        "subject": scheme.subject,
        "period": flt.period.label,
        "rows": [
            {
                "rank": row["rank"],
                "subject_id": row["subject"].pk,
                "name": row["name"],
                "score": str(row["score"]),
                "parts": [
                    {
                        "metric": p["metric"].key,
                        "label": str(p["metric"].label),
                        **{k: str(p[k]) for k in ("value", "best", "score", "weight", "contribution")},
                    }
                    for p in row["parts"]
                ],
            }
            for row in rows
        ],
    }
