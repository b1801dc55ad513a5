"""The bureau's pages: the dashboard (headline figures with 同比 / 环比, the transfer funnel, one indicator's
monthly series and breakdowns, each chart with its table and an xlsx download) and the chain map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.core.forms import attach_errors
from techmarket.core.http import XLSX, attachment
from techmarket.reference.models import IndustryChain

from . import evaluations, facts, indicators, selectors, services, tables
from .compute import Filters
from .forms import FiltersForm, ReportForm, TargetForm
from .models import EvaluationScheme, Report, Target
from .periods import Month
from .targets import STATUS_LABELS, WARNINGS, year_progress


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
        for view in tables.views_for(selected):
            table = tables.indicator_table(selected, view, filters)
            if view != "series" and not table.rows:
                continue
            charts.append({"view": view, "table": table, "chart": table.chart()})
    ratios: list[dict[str, Any]] = [
        {"ratio": ratio, "table": tables.ratio_table(ratio, filters)} for ratio in indicators.all_ratios()
    ]
    # The broker / institution panel reads every metric of three subjects live: on request (?leaders=1), and
    # even then not here: one placeholder per subject loads its table from leaders_panel (htmx, or a link).
    panel_subjects = _panel_subjects(filters)
    show_leaders = request.GET.get("leaders") == "1"
    query = filters.as_query()
    leaders = (
        [
            {
                "subject": key,
                "label": evaluations.subject(key).label,  # type: ignore[union-attr]
                "url": f"{reverse('analytics:leaders_panel', args=[key])}?{urlencode(query)}",
            }
            for key in panel_subjects
        ]
        if show_leaders
        else []
    )
    behind = [row for row in year_progress(Month.current().year) if row["status"] in WARNINGS]
    built_at, refreshing = facts.as_of(indicators.all_indicators())
    context: dict[str, Any] = {
        "behind": behind,
        "facts_built_at": built_at,
        "facts_refreshing": refreshing,
        "form": form,
        "filters": filters,
        "filter_label": tables.describe(filters),
        "data": data,
        "panels": [(group, cells, data["ratios"].get(group.key, [])) for group, cells in data["groups"]],
        "funnel": tables.funnel_table(data, filters),
        "selected": selected,
        "charts": charts,
        "ratios": ratios,
        "leaders": leaders,
        "has_leaders": bool(panel_subjects),
        "show_leaders": show_leaders,
        "query": urlencode(query),
        "chart_data": {
            "charts": [{"id": f"chart-{c['view']}", "kind": c["view"], **c["chart"]} for c in charts]
            + [
                {"id": f"chart-{r['ratio'].anchor}", "kind": "series", **_without_total(r["table"].chart())}
                for r in ratios
            ],
            "funnel": tables.funnel_table(data, filters).chart(),
        },
    }
    return render(request, "analytics/dashboard.html", context)


def _panel_subjects(filters: Filters) -> list[str]:
    """The subjects of the leaders panel: those registered with a metric that the chain filter can count."""
    return [
        key
        for key in evaluations.PANEL_SUBJECTS
        if evaluations.subject(key) is not None and evaluations.panel_metrics(key, filters.chain)
    ]


@login_required
def leaders_panel(request: HttpRequest, subject: str) -> HttpResponse:
    """One subject's leaders table with the dashboard's filters: the card alone for htmx (the dashboard's
    placeholder), otherwise a page of its own, so the panel also works without JavaScript."""
    selectors.require_aggregates(request.user)
    form = FiltersForm(request.GET or None)
    filters = form.filters()
    if subject not in _panel_subjects(filters):
        raise Http404
    query = urlencode(filters.as_query())
    context = {
        "subject": subject,
        "label": evaluations.subject(subject).label,  # type: ignore[union-attr]
        "table": tables.leaders_table(subject, filters),
        "filter_label": tables.describe(filters),
        "query": query,
    }
    fragment = request.headers.get("HX-Request") == "true"
    response = render(
        request, "analytics/_leaders_card.html" if fragment else "analytics/leaders_panel.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


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
    elif which == "ratio":
        try:
            ratio = indicators.get_ratio(request.GET.get("ratio", ""))
        except indicators.UnknownIndicator:
            raise Http404 from None
        table = tables.ratio_table(ratio, filters)
    elif which == "leaders":
        subject = request.GET.get("subject", "")
        if subject not in evaluations.PANEL_SUBJECTS or evaluations.subject(subject) is None:
            raise Http404
        table = tables.leaders_table(subject, filters)
    elif which:
        selected = _selected(request)
        if selected is None or which not in tables.views_for(selected):
            raise Http404
        table = tables.indicator_table(selected, which, filters)
    elif which == "chain_map" and request.GET.get("chain", "").isdigit():
        chain = get_object_or_404(IndustryChain, pk=int(request.GET["chain"]), is_active=True)
        table = tables.chain_map_table(selectors.chain_map(request.user, chain))
        described = None  # the map counts everything listed so far: no period to describe
    else:
        raise Http404
    audit_record(actor=request.user, action="analytics.export", note=table.title[:200], request=request)
    return attachment(tables.to_xlsx(table, described), XLSX, _file_name(table.title))


def _without_total(chart: dict[str, Any]) -> dict[str, Any]:
    """A ratio's chart: the months, not the 合计 row its table ends with."""
    return {**chart, "labels": chart["labels"][:-1], "values": chart["values"][:-1]}


def _file_name(title: str) -> str:
    return f"{title.replace('/', '-').replace(' ', '')}.xlsx"


@login_required
def targets(request: HttpRequest) -> HttpResponse:
    """Yearly targets with progress and the forecast at the current pace; operators set them here."""
    selectors.require_aggregates(request.user)
    year_text = request.GET.get("year", "")
    year = int(year_text) if year_text.isdigit() and 2000 <= int(year_text) <= 2100 else Month.current().year
    form = TargetForm(initial={"year": year})
    if request.method == "POST":
        if not roles.is_operator(request.user):
            raise PermissionDenied
        if "delete" in request.POST:
            target = get_object_or_404(Target, pk=request.POST.get("delete"))
            services.target_delete(acting_user=request.user, target=target)
            messages.success(request, _("已删除目标。"))
            return redirect(f"{reverse('analytics:targets')}?year={target.year}")
        form = TargetForm(request.POST)
        if form.is_valid():
            try:
                target = services.target_set(acting_user=request.user, **form.cleaned_data)
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("已保存目标。"))
                return redirect(f"{reverse('analytics:targets')}?year={target.year}")
    rows = year_progress(year)
    for row in rows:
        row["status_label"] = STATUS_LABELS[row["status"]]
    return render(
        request,
        "analytics/targets.html",
        {
            "year": year,
            "rows": rows,
            "form": form,
            "can_edit": roles.is_operator(request.user),
            "years": range(year - 2, year + 2),
        },
    )


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    selectors.require_aggregates(request.user)
    form = ReportForm(initial={"kind": "month", "month": str(Month.current().shift(-1))})
    if request.method == "POST":
        form = ReportForm(request.POST)
        if form.is_valid():
            try:
                report = services.report_generate(
                    acting_user=request.user, kind=form.cleaned_data["kind"], month=form.cleaned_data["month"]
                )
            except ValidationError as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("已生成：%(t)s") % {"t": report.title})
                return redirect("analytics:reports")
    page = Paginator(Report.objects.select_related("generated_by"), 20).get_page(request.GET.get("page"))
    return render(request, "analytics/reports.html", {"form": form, "page": page})


@login_required
def report_file(request: HttpRequest, report_id: int, fmt: str) -> FileResponse:
    selectors.require_aggregates(request.user)
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    report = get_object_or_404(Report, pk=report_id)
    field = report.pdf if fmt == "pdf" else report.xlsx
    audit_record(
        actor=request.user, action="analytics.report.download", target=report, note=fmt, request=request
    )
    name = f"{report.title}.{fmt}"
    return FileResponse(field.open("rb"), as_attachment=True, filename=name)


@login_required
def evaluation(request: HttpRequest) -> HttpResponse:
    """Rankings of one scheme for a period, each score with its parts; ?format=xlsx downloads the table."""
    selectors.require_aggregates(request.user)
    schemes = list(EvaluationScheme.objects.filter(is_active=True).prefetch_related("items"))
    scheme_id = request.GET.get("scheme", "")
    scheme = next((s for s in schemes if str(s.pk) == scheme_id), schemes[0] if schemes else None)
    if scheme_id and scheme is not None and str(scheme.pk) != scheme_id:
        raise Http404
    form = FiltersForm(request.GET or None)
    filters = form.filters()
    rows = evaluations.evaluate(scheme, filters.period) if scheme else []
    if scheme is not None and request.GET.get("format") == "xlsx":
        table = tables.evaluation_table(scheme, rows, filters)
        audit_record(actor=request.user, action="analytics.export", note=table.title[:200], request=request)
        return attachment(tables.to_xlsx(table, filters), XLSX, _file_name(table.title))
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    query_args = filters.as_query()
    if scheme is not None:
        query_args["scheme"] = str(scheme.pk)
    query = urlencode(query_args)
    return render(
        request,
        "analytics/evaluation.html",
        {
            "schemes": schemes,
            "scheme": scheme,
            "page": page,
            "form": form,
            "filters": filters,
            "filter_label": filters.period.label,
            "query": query,
            "subject": evaluations.subject(scheme.subject) if scheme else None,
        },
    )
