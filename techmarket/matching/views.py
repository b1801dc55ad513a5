"""Pages of matching: the suggestions panel (htmx), the broker workbench and the operator health page."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.catalog import registry
from techmarket.catalog.registry import CatalogueType
from techmarket.outbox.services import outbox_enqueue

from . import embedding, services, tasks
from .documents import MODE_FILTERS
from .models import MatchFeedback
from .presentation import suggestion_views
from .selectors import suggestions_for


def parse_filters(params: Any) -> dict[str, Any]:
    """?min_trl=6&region=37&mode=license -> keyword arguments of suggestions_for (bad values ignored)."""
    raw_trl = (params.get("min_trl") or "").strip()
    min_trl = int(raw_trl) if raw_trl.isdigit() and 1 <= int(raw_trl) <= 9 else None
    region = (params.get("region") or "").strip()
    region = region if region.isdigit() and len(region) <= 6 else ""
    modes = (
        tuple(m for m in params.getlist("mode") if m in MODE_FILTERS) if hasattr(params, "getlist") else ()
    )
    return {"min_trl": min_trl, "region": region, "modes": modes}


def platform_region() -> tuple[str, str]:
    """(GB/T 2260 prefix, name) of the platform's home region from PLATFORM_REGION_PREFIXES (first one)."""
    from techmarket.reference.models import Region

    prefixes = [p for p in getattr(settings, "PLATFORM_REGION_PREFIXES", []) if p.isdigit()]
    if not prefixes:
        return "", ""
    prefix = prefixes[0]
    region = Region.objects.filter(code=prefix.ljust(6, "0")).only("name").first()
    return prefix, (region.name if region else prefix)


def latest_feedback(source: Any, target_model: str) -> dict[int, MatchFeedback]:
    """The newest decision per suggested item of ``source`` (a need), by target id."""
    decided: dict[int, MatchFeedback] = {}
    for f in MatchFeedback.objects.filter(
        source_type__model=source._meta.model_name, source_id=source.pk, target_type__model=target_model
    ).order_by("created_at", "pk"):
        decided[f.target_id] = f
    return decided


def _toggle_url(base: str, current: dict[str, Any], key: str, value: Any, target: str) -> str:
    params: dict[str, Any] = {"target": target}
    if current["min_trl"]:
        params["min_trl"] = current["min_trl"]
    if current["region"]:
        params["region"] = current["region"]
    if current["modes"]:
        params["mode"] = current["modes"][0]
    if key in ("min_trl", "region"):
        if params.get(key) == value:
            params.pop(key)
        else:
            params[key] = value
    elif key == "mode":
        if params.get("mode") == value:
            params.pop("mode")
        else:
            params["mode"] = value
    return f"{base}?{urlencode(params)}"


def suggestions_panel(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The panel on a detail page, loaded by htmx; filters are toggles that reload the panel."""
    ctype = registry.for_kind(kind)
    if ctype is None or ctype.matching is None:
        raise Http404
    item = ctype.get_visible(request.user, pk)
    targets = [t for t in ctype.matching.suggests if registry.find(t) is not None]
    if not targets:
        raise Http404
    target = request.GET.get("target") or targets[0]
    if target not in targets:
        target = targets[0]
    flt = parse_filters(request.GET)
    more = request.GET.get("more") == "1"
    found = suggestions_for(request.user, item, target=target, k=30 if more else 10, **flt)
    base = reverse("matching:suggestions", args=[kind, pk])
    target_spec = registry.get(target).matching
    region_prefix, region_name = platform_region()
    toggles = [
        {
            "label": _("只看 TRL≥6"),
            "active": flt["min_trl"] == 6,
            "url": _toggle_url(base, flt, "min_trl", 6, target),
            "show": bool(target_spec and target_spec.trl_filter),
        },
        {
            "label": _("只看%(region)s") % {"region": region_name},
            "active": bool(region_prefix) and flt["region"] == region_prefix,
            "url": _toggle_url(base, flt, "region", region_prefix, target),
            "show": bool(region_prefix),
        },
        {
            "label": _("只看可许可"),
            "active": "license" in flt["modes"],
            "url": _toggle_url(base, flt, "mode", "license", target),
            "show": bool(target_spec and target_spec.mode_filter),
        },
    ]
    tabs = [
        {
            "target": t,
            "label": _tab_label(registry.get(t)),
            "active": t == target,
            "url": f"{base}?{urlencode({'target': t})}",
        }
        for t in targets
    ]
    source = registry.workbench_source()
    rows = suggestion_views(found)
    if source is not None and source.key == ctype.key:
        # What a broker decided shows to everyone who sees the panel: recommended items are marked and
        # come first, items judged unrelated are set apart at the end with the reason.
        decided = latest_feedback(item, str(registry.get(target).model._meta.model_name))
        for row in rows:
            row["feedback"] = decided.get(row["obj"].pk)
        order = {"recommend": 0, "accept": 1, None: 1, "reject": 2}
        rows.sort(
            key=lambda r: (order.get(r["feedback"].decision if r.get("feedback") else None, 1), r["rank"])
        )
    more_url = _toggle_url(base, flt, "", None, target) + "&more=1"
    context = {
        "kind": kind,
        "item": item,
        "target": target,
        "tabs": tabs,
        "toggles": [t for t in toggles if t["show"]],
        "suggestions": rows,
        "nothing_good": found.nothing_good,
        "more_url": more_url if not more and len(rows) >= 10 else "",
        "can_workbench": source is not None and source.key == ctype.key and _is_matcher(request.user),
    }
    return render(request, "matching/_suggestions.html", context)


def _tab_label(ctype: CatalogueType) -> str:
    return str(ctype.matching.tab_label if ctype.matching and ctype.matching.tab_label else ctype.label)


def _workbench_types() -> tuple[CatalogueType, CatalogueType]:
    source = registry.workbench_source()
    if source is None or source.matching is None:
        raise Http404
    return source, registry.get(source.matching.workbench_target)


def _is_matcher(user: Any) -> bool:
    return roles.is_broker_or_operator(user)


def _require_matcher(user: Any) -> None:
    if not _is_matcher(user):
        raise PermissionDenied(_("匹配工作台仅对技术经理人和平台运营开放。"))


WORKBENCH_STATUSES = [
    ("listed", gettext_lazy("在架（已发布、对接中）")),
    ("published", gettext_lazy("已发布")),
    ("in_progress", gettext_lazy("对接中")),
    ("pending", gettext_lazy("待审核")),
]


def _workbench_targets(source_type: CatalogueType) -> list[CatalogueType]:
    """The workbench target (achievements) first, then experts when that type is installed."""
    main = source_type.matching.workbench_target  # type: ignore[union-attr]
    keys = [main] + [k for k in ("experts",) if k != main and registry.find(k) is not None]
    return [registry.get(k) for k in keys]


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Pick a need (paged list with status, organisation, date and candidate count), then review its
    candidate achievements or experts with the evidence and decide."""
    from django.core.paginator import Paginator

    from techmarket.catalog.models import LISTED_STATUSES
    from techmarket.catalog.visibility import owner_label

    _require_matcher(request.user)
    source_type, _target_type = _workbench_types()
    spec = source_type.matching
    assert spec is not None  # the workbench source is a matchable type (registry.workbench_source)
    param = spec.kind
    q = request.GET.get("q", "").strip()
    source_id = request.GET.get(param, "")
    source = source_type.get_visible(request.user, int(source_id)) if source_id.isdigit() else None
    flt = parse_filters(request.GET)
    status = request.GET.get("status", "listed")
    status = status if status in dict(WORKBENCH_STATUSES) else "listed"
    targets = _workbench_targets(source_type)
    context: dict[str, Any] = {
        "q": q,
        "source": source,
        "need": source,
        "filters": flt,
        "source_param": param,
        "status": status,
        "statuses": [(k, str(v)) for k, v in WORKBENCH_STATUSES],
        "source_card": spec.workbench_card,
    }  # type: ignore[union-attr]
    context["region_prefix"], context["region_name"] = platform_region()
    if source is None:
        qs = source_type.list_visible(request.user, q=q)
        qs = qs.filter(status__in=LISTED_STATUSES) if status == "listed" else qs.filter(status=status)
        page = Paginator(qs, 20).get_page(request.GET.get("page"))
        decided_counts = _decided_counts(source_type, [n.pk for n in page.object_list])
        rows = []
        for n in page.object_list:
            found = suggestions_for(request.user, n, target=targets[0].key, k=10) if n.is_listed else None
            rows.append(
                {
                    "need": n,
                    "owner": owner_label(request.user, n),
                    "candidates": len(found) if found is not None else None,
                    "decided": decided_counts.get(n.pk, 0),
                }
            )
        context.update(
            {
                "page": page,
                "rows": rows,
                "page_query": urlencode({k: v for k, v in (("q", q), ("status", status)) if v}),
            }
        )
    else:
        by_key = {t.key: t for t in targets}
        target = request.GET.get("target", "")
        target_type = by_key.get(target, targets[0])
        found = suggestions_for(request.user, source, target=target_type.key, k=10, **flt)
        decided = latest_feedback(source, str(target_type.model._meta.model_name))
        rows = suggestion_views(found)
        for row in rows:
            row["feedback"] = decided.get(row["obj"].pk)
        base = f"{reverse('matching:workbench')}?{urlencode({param: source.pk})}"
        context.update(
            {
                "candidates": rows,
                "nothing_good": found.nothing_good,
                "target": target_type.key,
                "need_owner": owner_label(request.user, source),
                "need_url": source_type.detail_url(source),
                "tabs": [
                    {
                        "target": t.key,
                        "label": _tab_label(t),
                        "active": t.key == target_type.key,
                        "url": f"{base}&target={t.key}",
                    }
                    for t in targets
                ],
            }
        )
    return render(request, "matching/workbench.html", context)


def _decided_counts(source_type: CatalogueType, ids: list[int]) -> dict[int, int]:
    from django.db.models import Count

    rows = (
        MatchFeedback.objects.filter(source_type__model=source_type.model._meta.model_name, source_id__in=ids)
        .values("source_id")
        .annotate(n=Count("target_id", distinct=True))
    )
    return {r["source_id"]: r["n"] for r in rows}


@login_required
@require_POST
def workbench_feedback(request: HttpRequest) -> HttpResponse:
    _require_matcher(request.user)
    source_type, _target_type = _workbench_types()
    spec = source_type.matching
    assert spec is not None  # the workbench source is a matchable type (registry.workbench_source)
    param = spec.kind
    source_id = request.POST.get(param, "")
    target_id = request.POST.get("target", "")
    if not (source_id.isdigit() and target_id.isdigit()):
        raise Http404
    by_key = {t.key: t for t in _workbench_targets(source_type)}
    target_type = by_key.get(request.POST.get("target_kind", ""), _target_type)
    source = source_type.get_visible(request.user, int(source_id))
    target = target_type.get_visible(request.user, int(target_id))
    try:
        score = float(request.POST.get("score") or 0) or None
        rank = int(request.POST.get("rank") or 0) or None
    except ValueError:
        score = rank = None
    try:
        services.feedback_record(
            acting_user=request.user,
            source=source,
            target=target,
            decision=request.POST.get("decision", ""),
            reason=request.POST.get("reason", ""),
            score=score,
            rank=rank,
        )
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已记录：%(title)s") % {"title": target_type.title_of(target)})
    query = urlencode({param: source.pk, "target": target_type.key})
    return redirect(f"{reverse('matching:workbench')}?{query}#cand-{target.pk}")


def _require_operator(user: Any) -> None:
    if not roles.is_operator(user):
        raise PermissionDenied(_("索引状态仅对平台运营开放。"))


@login_required
def health(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    return render(
        request, "matching/health.html", {"info": services.index_health(), "dense": embedding.progress()}
    )


@login_required
@require_POST
def health_rebuild(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    audit_record(
        actor=request.user,
        action="matching.index.rebuild",
        note=_("运营人员手动重建匹配索引"),
        request=request,
    )
    outbox_enqueue(task=tasks.rebuild_index)
    messages.success(request, _("已开始重建索引；完成后本页显示新的索引版本。"))
    return redirect("matching:health")
