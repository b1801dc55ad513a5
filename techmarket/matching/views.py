"""Pages of matching: the suggestions panel (htmx), the broker workbench and the operator health page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.catalog import registry
from techmarket.catalog.registry import CatalogueType
from techmarket.outbox.services import outbox_enqueue

from . import embedding, services, tasks
from .documents import MODE_FILTERS
from .models import MatchFeedback
from .presentation import suggestion_view
from .selectors import suggestions_for


def parse_filters(params: Any) -> dict[str, Any]:
    """?min_trl=6&region=37&mode=license -> keyword arguments of suggestions_for (bad values ignored)."""
    raw_trl = (params.get("min_trl") or "").strip()
    min_trl = int(raw_trl) if raw_trl.isdigit() and 1 <= int(raw_trl) <= 9 else None
    region = (params.get("region") or "").strip()
    region = region if region.isdigit() and len(region) <= 6 else ""
    modes = tuple(m for m in params.getlist("mode") if m in MODE_FILTERS) if hasattr(params, "getlist") else ()
    return {"min_trl": min_trl, "region": region, "modes": modes}


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
    found = suggestions_for(request.user, item, target=target, k=10, **flt)
    base = reverse("matching:suggestions", args=[kind, pk])
    target_spec = registry.get(target).matching
    toggles = [
        {"label": _("只看 TRL≥6"), "active": flt["min_trl"] == 6, "url": _toggle_url(base, flt, "min_trl", 6, target),
         "show": bool(target_spec and target_spec.trl_filter)},
        {"label": _("只看山东"), "active": flt["region"] == "37", "url": _toggle_url(base, flt, "region", "37", target),
         "show": True},
        {"label": _("只看可许可"), "active": "license" in flt["modes"],
         "url": _toggle_url(base, flt, "mode", "license", target), "show": bool(target_spec and target_spec.mode_filter)},
    ]
    tabs = [{"target": t, "label": _tab_label(registry.get(t)), "active": t == target,
             "url": f"{base}?{urlencode({'target': t})}"} for t in targets]
    source = registry.workbench_source()
    context = {
        "kind": kind, "item": item, "target": target, "tabs": tabs, "toggles": [t for t in toggles if t["show"]],
        "suggestions": [suggestion_view(s) for s in found], "nothing_good": found.nothing_good,
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
        raise PermissionDenied(_("匹配工作台仅对技术经纪人和平台运营开放。"))


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Pick a need, review candidates side by side with the evidence, decide."""
    _require_matcher(request.user)
    source_type, target_type = _workbench_types()
    param = source_type.matching.kind  # type: ignore[union-attr]
    q = request.GET.get("q", "").strip()
    source_id = request.GET.get(param, "")
    source = source_type.get_visible(request.user, int(source_id)) if source_id.isdigit() else None
    flt = parse_filters(request.GET)
    context: dict[str, Any] = {
        "q": q, "source": source, "filters": flt, "source_param": param,
        "source_card": source_type.matching.workbench_card,  # type: ignore[union-attr]
        "sources": source_type.list_visible(request.user, q=q)[:20] if q or source is None else []}
    if source is not None:
        found = suggestions_for(request.user, source, target=target_type.key, k=10, **flt)
        decided = {f.target_id: f for f in MatchFeedback.objects.filter(
            source_type__model=source_type.model._meta.model_name, source_id=source.pk,
            target_type__model=target_type.model._meta.model_name).order_by("created_at", "pk")}
        rows = [suggestion_view(s) for s in found]
        for row in rows:
            row["feedback"] = decided.get(row["obj"].pk)
        context.update({"candidates": rows, "nothing_good": found.nothing_good})
    return render(request, "matching/workbench.html", context)


@login_required
@require_POST
def workbench_feedback(request: HttpRequest) -> HttpResponse:
    _require_matcher(request.user)
    source_type, target_type = _workbench_types()
    param = source_type.matching.kind  # type: ignore[union-attr]
    source_id = request.POST.get(param, "")
    target_id = request.POST.get("target", "")
    if not (source_id.isdigit() and target_id.isdigit()):
        raise Http404
    source = source_type.get_visible(request.user, int(source_id))
    target = target_type.get_visible(request.user, int(target_id))
    try:
        score = float(request.POST.get("score") or 0) or None
        rank = int(request.POST.get("rank") or 0) or None
    except ValueError:
        score = rank = None
    try:
        services.feedback_record(acting_user=request.user, source=source, target=target,
                                 decision=request.POST.get("decision", ""), reason=request.POST.get("reason", ""),
                                 score=score, rank=rank)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已记录：%(title)s") % {"title": target_type.title_of(target)})
    return redirect(f"{reverse('matching:workbench')}?{urlencode({param: source.pk})}#cand-{target.pk}")


def _require_operator(user: Any) -> None:
    if not roles.is_operator(user):
        raise PermissionDenied(_("索引状态仅对平台运营开放。"))


@login_required
def health(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    return render(request, "matching/health.html", {"info": services.index_health(),
                                                    "dense": embedding.progress()})


@login_required
@require_POST
def health_rebuild(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    audit_record(actor=request.user, action="matching.index.rebuild", note=_("运营人员手动重建匹配索引"),
                 request=request)
    outbox_enqueue(task=tasks.rebuild_index)
    messages.success(request, _("已开始重建索引；完成后本页显示新的索引版本。"))
    return redirect("matching:health")
