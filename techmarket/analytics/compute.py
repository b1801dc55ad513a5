"""Computing an indicator for a period, a region and an industry chain: the total with 同比 / 环比,
the monthly series, and the breakdowns by region, industry and chain.

Every function takes the indicator and a ``Filters`` and runs one aggregate query; nothing here knows a
domain. Callers check who may see aggregates (selectors.can_see_aggregates) before calling.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, Substr, TruncMonth

from techmarket.orgs.selectors import region_prefix
from techmarket.reference.models import ChainNode, Industry, IndustryChain, Region

from .indicators import Breakdown, Indicator, Ratio
from .periods import Month, Period, tz

Number = int | Decimal


@dataclass(frozen=True)
class Filters:
    period: Period = field(default_factory=Period.year_to_date)
    region: str = ""  # GB/T 2260 code: 370000 all of Shandong, 371300 Linyi, 371302 one county
    chain: int | None = None  # IndustryChain id

    def as_query(self) -> dict[str, str]:
        out = {"start": str(self.period.first), "end": str(self.period.last)}
        if self.region:
            out["region"] = self.region
        if self.chain:
            out["chain"] = str(self.chain)
        return out


def _field_at(model: type[models.Model], path: str) -> models.Field[Any, Any]:
    """The model field at the end of a ``a__b__c`` path."""
    current: Any = model
    found: Any = None
    for part in path.split("__"):
        found = current._meta.get_field(part)
        if found.is_relation and found.related_model is not None:
            current = found.related_model
    return found  # type: ignore[no-any-return]


def _is_date_only(indicator: Indicator, qs: QuerySet[Any]) -> bool:
    target = _field_at(qs.model, indicator.date_field)
    return isinstance(target, models.DateField) and not isinstance(target, models.DateTimeField)


def applies(indicator: Indicator, filters: Filters) -> bool:
    """False when a filter cannot apply (an indicator without regions filtered by region shows nothing)."""
    if filters.region and not indicator.region_field:
        return False
    return not (filters.chain and not indicator.chain_node_field)


def base_queryset(indicator: Indicator, filters: Filters) -> QuerySet[Any]:
    """The indicator's rows within the region and chain (not yet the period)."""
    qs = indicator.queryset()
    if filters.region and indicator.region_field:
        qs = qs.filter(**{f"{indicator.region_field}__startswith": region_prefix(filters.region)})
    if filters.chain and indicator.chain_node_field:
        qs = qs.filter(**{f"{indicator.chain_node_field}__chain_id": filters.chain})
    if not applies(indicator, filters):
        qs = qs.none()
    return qs


def _in_period(indicator: Indicator, qs: QuerySet[Any], period: Period) -> QuerySet[Any]:
    start, end = period.bounds(dates=_is_date_only(indicator, qs))
    return qs.filter(**{f"{indicator.date_field}__gte": start, f"{indicator.date_field}__lt": end})


def _value(indicator: Indicator, raw: Any) -> Number:
    if indicator.sum_field:
        return (Decimal(raw or 0) / indicator.scale).quantize(Decimal("0.01"))
    return int(raw or 0)


def _uses_facts(indicator: Indicator) -> bool:
    from . import facts

    return facts.enabled() and facts.factable(indicator)


def _fact_scope(indicator: Indicator, filters: Filters | None) -> QuerySet[Any]:
    from . import facts

    qs = facts.scope([indicator], filters)
    return qs if filters is None or applies(indicator, filters) else qs.none()


def _total_scope(indicator: Indicator, filters: Filters) -> QuerySet[Any]:
    """The indicator's whole-figure rows for the filters: the roll-up where it answers, else the fact rows."""
    from . import facts

    if facts.rolled_up(filters):
        qs = facts.totals([indicator], filters)
        return qs if applies(indicator, filters) else qs.none()
    return facts.whole(_fact_scope(indicator, filters))


def total(indicator: Indicator, filters: Filters, period: Period | None = None) -> Number:
    if _uses_facts(indicator):
        from . import facts

        qs = facts.in_months(_total_scope(indicator, filters), period or filters.period)
        return _value(indicator, qs.aggregate(v=Sum("value"))["v"])
    qs = _in_period(indicator, base_queryset(indicator, filters), period or filters.period)
    return _value(indicator, qs.aggregate(v=indicator.aggregate())["v"])


def cumulative(indicator: Indicator, filters: Filters) -> Number:
    """Everything up to the end of the period (累计)."""
    if _uses_facts(indicator):
        _start, last = filters.period.bounds(dates=True)
        qs = _total_scope(indicator, filters).filter(month__lt=last)
        return _value(indicator, qs.aggregate(v=Sum("value"))["v"])
    qs = base_queryset(indicator, filters)
    _start, end = filters.period.bounds(dates=_is_date_only(indicator, qs))
    qs = qs.filter(**{f"{indicator.date_field}__lt": end})
    return _value(indicator, qs.aggregate(v=indicator.aggregate())["v"])


def change(current: Number, before: Number) -> float | None:
    """Percentage change, one decimal; None when there is nothing to compare with."""
    if not before:
        return None
    return round(float((Decimal(current) - Decimal(before)) / Decimal(before) * 100), 1)


def headlines(members: list[Indicator], filters: Filters) -> dict[str, dict[str, Any]]:
    """headline() of many indicators: those with facts in one query (from the roll-up where it answers), each
    live one in one query (the period, the previous one, a year before and the cumulative figure at once)."""
    from . import facts

    fact_members = [ind for ind in members if _uses_facts(ind)]
    fact_keys = {ind.key for ind in fact_members}
    out: dict[str, dict[str, Any]] = {}
    if fact_keys:
        period = filters.period
        _start, last = period.bounds(dates=True)
        scoped = (
            facts.totals(fact_members, filters)
            if facts.rolled_up(filters)
            else facts.whole(facts.scope(fact_members, filters))
        )
        rows = facts.summed(
            scoped.filter(month__lt=last),
            total=facts.total_filter(period),
            previous=facts.total_filter(period.previous()),
            year_before=facts.total_filter(period.year_before()),
            cumulative=Q(),
        )
        for ind in members:
            if ind.key not in fact_keys:
                continue
            row = rows.get(ind.key, {}) if applies(ind, filters) else {}
            current, previous, year_before = (
                _value(ind, row.get(k)) for k in ("total", "previous", "year_before")
            )
            out[ind.key] = {
                "indicator": ind,
                "total": current,
                "cumulative": _value(ind, row.get("cumulative")),
                "previous": previous,
                "year_before": year_before,
                "mom": change(current, previous),
                "yoy": change(current, year_before),
                "applies": applies(ind, filters),
            }
    for ind in members:
        if ind.key not in out:
            out[ind.key] = _live_headline(ind, filters)
    return out


def _distinct_counts(indicator: Indicator, qs: QuerySet[Any], within: Any, period: Period) -> dict[str, int]:
    """A distinct count's four headline figures from one grouped scan: per member, whether it has rows in the
    period, the previous one and the year before (the rows are already those before the period's end)."""
    rows = (
        qs.filter(**{f"{indicator.distinct_of}__isnull": False})
        .values(indicator.distinct_of)
        .annotate(
            total=Count("pk", filter=within(period)),
            previous=Count("pk", filter=within(period.previous())),
            year_before=Count("pk", filter=within(period.year_before())),
        )
        .order_by()
    )
    found = {"total": 0, "previous": 0, "year_before": 0, "cumulative": 0}
    for row in rows:
        found["cumulative"] += 1
        for key in ("total", "previous", "year_before"):
            found[key] += 1 if row[key] else 0
    return found


def _live_headline(indicator: Indicator, filters: Filters) -> dict[str, Any]:
    """headline() from the live rows in one query: every figure is a filtered aggregate of the rows dated
    before the period's end (the previous period and the year before both end no later)."""
    qs = base_queryset(indicator, filters)
    date_only = _is_date_only(indicator, qs)
    path = indicator.date_field

    def within(period: Period) -> Q:
        start, end = period.bounds(dates=date_only)
        return Q(**{f"{path}__gte": start, f"{path}__lt": end})

    period = filters.period
    _start, end = period.bounds(dates=date_only)
    if indicator.distinct_of and not indicator.sum_field:
        found = _distinct_counts(indicator, qs.filter(**{f"{path}__lt": end}), within, period)
    else:
        found = qs.filter(**{f"{path}__lt": end}).aggregate(
            total=indicator.aggregate(within(period)),
            previous=indicator.aggregate(within(period.previous())),
            year_before=indicator.aggregate(within(period.year_before())),
            cumulative=indicator.aggregate(),
        )
    current, previous, year_before = (
        _value(indicator, found[k]) for k in ("total", "previous", "year_before")
    )
    return {
        "indicator": indicator,
        "total": current,
        "cumulative": _value(indicator, found["cumulative"]),
        "previous": previous,
        "year_before": year_before,
        "mom": change(current, previous),  # 环比
        "yoy": change(current, year_before),  # 同比
        "applies": applies(indicator, filters),
    }


def headline(indicator: Indicator, filters: Filters) -> dict[str, Any]:
    if not _uses_facts(indicator):
        return _live_headline(indicator, filters)
    current = total(indicator, filters)
    previous = total(indicator, filters, filters.period.previous())
    year_before = total(indicator, filters, filters.period.year_before())
    return {
        "indicator": indicator,
        "total": current,
        "cumulative": cumulative(indicator, filters),
        "previous": previous,
        "year_before": year_before,
        "mom": change(current, previous),  # 环比
        "yoy": change(current, year_before),  # 同比
        "applies": applies(indicator, filters),
    }


def series(indicator: Indicator, filters: Filters) -> list[tuple[Month, Number]]:
    """Monthly values, every month of the period present (zero where nothing happened)."""
    zero = _value(indicator, 0)
    if _uses_facts(indicator):
        from . import facts

        scoped = facts.in_months(_total_scope(indicator, filters), filters.period)
        months = scoped.values("month").annotate(v=Sum("value")).order_by("month")
        by_month = {Month.of(row["month"]): _value(indicator, row["v"]) for row in months}
        return [(month, by_month.get(month, zero)) for month in filters.period.month_list()]
    qs = _in_period(indicator, base_queryset(indicator, filters), filters.period)
    date_only = _is_date_only(indicator, qs)
    trunc = TruncMonth(indicator.date_field) if date_only else TruncMonth(indicator.date_field, tzinfo=tz())
    rows = qs.annotate(_m=trunc).values("_m").annotate(v=indicator.aggregate()).order_by("_m")
    found = {Month.of(row["_m"]): _value(indicator, row["v"]) for row in rows if row["_m"] is not None}
    return [(month, found.get(month, zero)) for month in filters.period.month_list()]


def _grouped(indicator: Indicator, qs: QuerySet[Any], path: str, length: int) -> dict[str, Number]:
    rows = (
        qs.annotate(_k=Substr(path, 1, length)).values("_k").annotate(v=indicator.aggregate()).order_by("_k")
    )
    return {row["_k"]: _value(indicator, row["v"]) for row in rows if row["_k"]}


def _fact_grouped(indicator: Indicator, filters: Filters, column: str, length: int) -> dict[str, Number]:
    """Fact rows of the period summed by the first ``length`` characters of a column; "industry" reads
    the per-division rows, everything else the whole-figure rows."""
    from . import facts

    if column == "industry":
        scoped = _fact_scope(indicator, filters).filter(breakdown="").exclude(industry="")
    elif column == "region" and facts.rolled_up(filters):
        scoped = facts.totals([indicator], filters, level=length)  # each area of that level
        scoped = scoped if applies(indicator, filters) else scoped.none()
        column = "area"
    else:
        scoped = facts.whole(_fact_scope(indicator, filters))
    rows = (
        facts.in_months(scoped, filters.period)
        .annotate(_k=Substr(column, 1, length))
        .values("_k")
        .annotate(v=Sum("value"))
        .order_by("_k")
    )
    return {row["_k"]: _value(indicator, row["v"]) for row in rows if row["_k"]}


def by_region(indicator: Indicator, filters: Filters) -> list[tuple[str, str, Number]]:
    """(code, name, value) one level below the region filter: cities of a province, counties of a city."""
    if not indicator.region_field:
        return []
    prefix = region_prefix(filters.region) if filters.region else ""
    length = {0: 4, 2: 4, 4: 6}.get(len(prefix), 6)
    if _uses_facts(indicator):
        values = _fact_grouped(indicator, filters, "region", length)
    else:
        qs = _in_period(indicator, base_queryset(indicator, filters), filters.period)
        values = _grouped(indicator, qs, indicator.region_field, length)
    codes = {key: key.ljust(6, "0") for key in values}
    names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
    out = [(codes[key], names.get(codes[key], codes[key]), value) for key, value in values.items()]
    return sorted(out, key=lambda row: (-row[2], row[0]))


def by_industry(indicator: Indicator, filters: Filters) -> list[tuple[str, str, Number]]:
    """(division code, name, value) by GB/T 4754 大类 (two digits)."""
    if not indicator.industry_field:
        return []
    if _uses_facts(indicator):
        values = _fact_grouped(indicator, filters, "industry", 2)
    else:
        qs = _in_period(indicator, base_queryset(indicator, filters), filters.period)
        values = _grouped(indicator, qs, indicator.industry_field, 2)
    names = dict(Industry.objects.filter(code__in=values.keys()).values_list("code", "name"))
    out = [(code, names.get(code, code), value) for code, value in values.items()]
    return sorted(out, key=lambda row: (-row[2], row[0]))


def by_chain(indicator: Indicator, filters: Filters) -> list[tuple[str, str, Number]]:
    """(chain id, chain name, value) over the active industry chains."""
    if not indicator.chain_node_field:
        return []
    if _uses_facts(indicator):
        from . import facts

        scoped: QuerySet[Any]
        if facts.rolled_up(filters):
            scoped = facts.chain_totals([indicator], filters)
            scoped = facts.in_months(scoped if applies(indicator, filters) else scoped.none(), filters.period)
        else:
            scoped = facts.in_months(facts.whole(_fact_scope(indicator, filters)), filters.period)
        rows = scoped.filter(chain_id__isnull=False).values("chain_id").annotate(v=Sum("value")).order_by()
        values: dict[int, Number] = {row["chain_id"] or 0: _value(indicator, row["v"]) for row in rows}
    else:
        qs = _in_period(indicator, base_queryset(indicator, filters), filters.period)
        path = f"{indicator.chain_node_field}__chain_id"
        rows = (
            qs.filter(**{f"{path}__isnull": False})
            .values(path)
            .annotate(v=indicator.aggregate())
            .order_by(path)
        )
        values = {row[path]: _value(indicator, row["v"]) for row in rows}
    names = dict(IndustryChain.objects.filter(pk__in=values.keys()).values_list("pk", "name"))
    out = [(str(pk), names.get(pk, str(pk)), value) for pk, value in values.items()]
    return sorted(out, key=lambda row: (-row[2], row[0]))


def by_chain_node(
    indicator: Indicator, chain: IndustryChain, filters: Filters | None = None
) -> dict[int, Number]:
    """Values per node of one chain (the chain map). A segment (上游/中游/下游) counts its sub-nodes' rows
    too, distinct over the whole subtree (one enterprise in two sub-nodes is one enterprise of the segment)."""
    if not indicator.chain_node_field:
        return {}
    if _uses_facts(indicator):
        from . import facts

        scoped = facts.whole(_fact_scope(indicator, filters)).filter(chain_id=chain.pk)
        leaf_rows = scoped.values("chain_node_id").annotate(v=Sum("value")).order_by()
        top_rows = scoped.values("segment_id").annotate(v=Sum("value")).order_by()
        found: dict[int, Number] = {r["chain_node_id"]: _value(indicator, r["v"]) for r in leaf_rows}
        found.update({r["segment_id"]: _value(indicator, r["v"]) for r in top_rows})
        return found
    qs = base_queryset(indicator, filters) if filters is not None else indicator.queryset()
    node = indicator.chain_node_field
    qs = qs.filter(**{f"{node}__chain_id": chain.pk})
    if indicator.distinct_of and not indicator.sum_field:
        return _distinct_by_node(indicator, qs)
    agg = indicator.aggregate()
    leaf = qs.annotate(_n=F(f"{node}__id")).values("_n").annotate(v=agg).order_by()
    top = (
        qs.annotate(_n=Coalesce(f"{node}__parent_id", f"{node}__id")).values("_n").annotate(v=agg).order_by()
    )
    out: dict[int, Number] = {row["_n"]: _value(indicator, row["v"]) for row in leaf}
    out.update({row["_n"]: _value(indicator, row["v"]) for row in top})
    return out


def _distinct_by_node(indicator: Indicator, qs: QuerySet[Any]) -> dict[int, Number]:
    """Distinct counts per node and per segment from one scan: the distinct (node, member) pairs, counted per
    node and, distinct again, per segment (PostgreSQL hashes the pairs; two COUNT(DISTINCT)s sort twice)."""
    node = indicator.chain_node_field
    pairs = (
        qs.filter(**{f"{indicator.distinct_of}__isnull": False})
        .annotate(
            _n=F(f"{node}__id"), _s=Coalesce(f"{node}__parent_id", f"{node}__id"), _o=F(indicator.distinct_of)
        )
        .values("_n", "_s", "_o")
        .order_by()
        .distinct()
    )
    leaf: dict[int, int] = {}
    segments: dict[int, set[Any]] = {}
    for row in pairs:
        leaf[row["_n"]] = leaf.get(row["_n"], 0) + 1
        segments.setdefault(row["_s"], set()).add(row["_o"])
    out: dict[int, Number] = dict(leaf)
    out.update({pk: len(found) for pk, found in segments.items()})
    return out


def by_chain_nodes(
    members: list[Indicator], chain: IndustryChain, filters: Filters | None = None
) -> dict[str, dict[int, Number]]:
    """by_chain_node() of many indicators: those with facts in two queries (nodes, segments)."""
    from . import facts

    out: dict[str, dict[int, Number]] = {}
    batched = [
        ind
        for ind in members
        if ind.chain_node_field and _uses_facts(ind) and (filters is None or applies(ind, filters))
    ]
    if batched:
        by_key = {ind.key: ind for ind in batched}
        out.update({key: {} for key in by_key})
        scoped = facts.whole(facts.scope(batched, filters)).filter(chain_id=chain.pk)
        # One scan: the sum per node (a node has one segment), each segment the sum of its nodes' sums.
        leaf: dict[tuple[str, int], Any] = {}
        segment: dict[tuple[str, int], Any] = {}
        rows = scoped.values("indicator", "chain_node_id", "segment_id").annotate(v=Sum("value")).order_by()
        for row in rows:
            node_key = (row["indicator"], row["chain_node_id"])
            segment_key = (row["indicator"], row["segment_id"])
            leaf[node_key] = leaf.get(node_key, 0) + (row["v"] or 0)
            segment[segment_key] = segment.get(segment_key, 0) + (row["v"] or 0)
        for found in (leaf, segment):  # segments last: a segment's figure is its subtree's
            for (key, pk), value in found.items():
                out[key][pk] = _value(by_key[key], value)
    for ind in members:
        if ind.key not in out:
            out[ind.key] = by_chain_node(ind, chain, filters)
    return out


def chain_nodes(chain: IndustryChain) -> list[ChainNode]:
    """Top-level segments first, each followed by its sub-nodes."""
    nodes = list(chain.nodes.all())
    tops = [n for n in nodes if n.parent_id is None]
    ordered: list[ChainNode] = []
    for top in tops:
        ordered.append(top)
        ordered.extend(n for n in nodes if n.parent_id == top.pk)
    return ordered


def by_breakdown(
    indicator: Indicator, breakdown: Breakdown, filters: Filters
) -> list[tuple[str, str, Number]]:
    """(value, name, figure) of one further breakdown (a contract's type, its buyer's kind), largest first;
    from the facts' per-breakdown rows, or the live rows. Rows without a value are named "未填写"."""
    names = breakdown.labels() if breakdown.labels else {}
    values: dict[str, Number] = {}
    if _uses_facts(indicator):
        from . import facts

        scoped = facts.in_months(
            _fact_scope(indicator, filters).filter(breakdown=breakdown.key), filters.period
        )
        for row in scoped.values("bucket").annotate(v=Sum("value")).order_by():
            values[row["bucket"]] = _value(indicator, row["v"])
    else:
        qs = _in_period(indicator, base_queryset(indicator, filters), filters.period)
        rows = qs.values(breakdown.path).annotate(v=indicator.aggregate()).order_by(breakdown.path)
        for row in rows:
            key = str(row[breakdown.path] or "")
            values[key] = _value(indicator, row["v"])
    from django.utils.translation import gettext

    out = [
        (key, str(names.get(key, key)) if key else gettext("未填写"), value) for key, value in values.items()
    ]
    return sorted(out, key=lambda row: (-row[2], row[0]))


PERCENT = Decimal("0.1")


def share(numerator: Number, denominator: Number) -> Decimal | None:
    """numerator ÷ denominator in per cent, one decimal; None when the denominator is zero."""
    if not denominator:
        return None
    return (Decimal(numerator) / Decimal(denominator) * 100).quantize(PERCENT)


def points(current: Decimal | None, before: Decimal | None) -> Decimal | None:
    """The change of a share in percentage points; None when either side is missing."""
    if current is None or before is None:
        return None
    return current - before


def ratio_headline(ratio: Ratio, heads: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The ratio for the period, the previous one, a year before and cumulatively, from the headlines of its
    two indicators (compute.headlines); 环比 / 同比 in percentage points."""
    num, den = heads[ratio.numerator], heads[ratio.denominator]
    out: dict[str, Any] = {
        "ratio": ratio,
        "numerator": num,
        "denominator": den,
        "applies": num["applies"] and den["applies"],
    }
    for key in ("total", "previous", "year_before", "cumulative"):
        out[key] = share(num[key], den[key])
    out["mom"] = points(out["total"], out["previous"])
    out["yoy"] = points(out["total"], out["year_before"])
    return out


def ratio_series(ratio: Ratio, filters: Filters) -> list[tuple[Month, Number, Number, Decimal | None]]:
    """(month, numerator, denominator, share) for every month of the period."""
    from . import indicators

    num = dict(series(indicators.get(ratio.numerator), filters))
    den = dict(series(indicators.get(ratio.denominator), filters))
    return [(m, num[m], den[m], share(num[m], den[m])) for m in filters.period.month_list()]
