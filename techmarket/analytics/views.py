"""The bureau's pages: the dashboard (headline figures with 同比 / 环比, the transfer funnel, one indicator's
monthly series and breakdowns, each chart with its table and an xlsx download) and the chain map."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import urlencode

from techmarket.audit.services import audit_record
from techmarket.reference.models import IndustryChain

from . import indicators, selectors, tables
from .forms import FiltersForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _selected(request: HttpRequest) -> indicators.Indicator | None:
    key = request.GET.get("indicator", "")
    if key:
        try:
            return indicators.get(key)
        except indicators.UnknownIndicator:
            raise Http404 from None
    first = indicators.funnel() or indicators.all_indicators()
    return first[0] if first else None


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    selectors.require_aggregates(request.user)
    form = FiltersForm(request.GET or None)
    filters = form.filters()
    data = selectors.dashboard(request.user, filters)
    selected = _selected(request)
    charts: list[dict[str, Any]] = []
    if selected is not None:
        for view in tables.VIEWS:
            table = tables.indicator_table(selected, view, filters)
            if view != "series" and not table.rows:
                continue
            charts.append({"view": view, "table": table, "chart": table.chart()})
    query = filters.as_query()
    context: dict[str, Any] = {
        "form": form,
        "filters": filters,
        "filter_label": tables.describe(filters),
        "data": data,
        "funnel": tables.funnel_table(data, filters),
        "selected": selected,
        "charts": charts,
        "query": urlencode(query),
        "chart_data": {
            "charts": [{"id": f"chart-{c['view']}", "kind": c["view"], **c["chart"]} for c in charts],
            "funnel": tables.funnel_table(data, filters).chart(),
        },
    }
    return render(request, "analytics/dashboard.html", context)


@login_required
def chain_map(request: HttpRequest) -> HttpResponse:
    selectors.require_aggregates(request.user)
    chains = selectors.active_chains()
    chain_id = request.GET.get("chain", "")
    chain = None
    if chain_id.isdigit():
        chain = get_object_or_404(IndustryChain, pk=int(chain_id), is_active=True)
    elif chains:
        chain = chains[0]
    data = selectors.chain_map(request.user, chain) if chain else None
    if data:
        for row in data["rows"]:
            row["links"] = [
                (value, ind.list_url({"chain_node": str(row["node"].pk)}) if ind.list_url and value else "")
                for ind, value in row["cells"]
            ]
    return render(request, "analytics/chain_map.html", {"chains": chains, "chain": chain, "data": data})


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """One chart's table as xlsx: ?table=headline|funnel|series|region|industry|chain|chain_map + filters."""
    selectors.require_aggregates(request.user)
    which = request.GET.get("table", "")
    form = FiltersForm(request.GET or None)
    filters = form.filters()
    described: Any = filters
    if which in ("headline", "funnel"):
        data = selectors.dashboard(request.user, filters)
        table = (
            tables.headline_table(data, filters)
            if which == "headline"
            else tables.funnel_table(data, filters)
        )
    elif which in tables.VIEWS:
        selected = _selected(request)
        if selected is None:
            raise Http404
        table = tables.indicator_table(selected, which, filters)
    elif which == "chain_map" and request.GET.get("chain", "").isdigit():
        chain = get_object_or_404(IndustryChain, pk=int(request.GET["chain"]), is_active=True)
        table = tables.chain_map_table(selectors.chain_map(request.user, chain))
        described = None  # the map counts everything listed so far: no period to describe
    else:
        raise Http404
    audit_record(actor=request.user, action="analytics.export", note=table.title[:200], request=request)
    response = HttpResponse(tables.to_xlsx(table, described), content_type=XLSX)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{_quote(table.title)}.xlsx"
    return response


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name.replace("/", "-").replace(" ", ""))
