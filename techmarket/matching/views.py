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
from techmarket.achievements.selectors import achievement_get_visible
from techmarket.audit.services import audit_record
from techmarket.experts.selectors import expert_get_visible
from techmarket.needs.selectors import need_get_visible, need_list_visible_to
from techmarket.outbox.services import outbox_enqueue

from . import services, tasks
from .documents import MODE_FILTERS
from .models import MatchFeedback
from .presentation import suggestion_view
from .selectors import suggestions_for

GETTERS = {"need": need_get_visible, "achievement": achievement_get_visible, "expert": expert_get_visible}
# What each kind of page suggests, in tab order.
PANEL_TARGETS = {"need": ("achievements", "experts"), "achievement": ("needs",), "expert": ("needs",)}
TARGET_LABELS = {"achievements": "匹配的科技成果", "experts": "匹配的专家", "needs": "匹配的技术需求"}


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
    getter = GETTERS.get(kind)
    if getter is None:
        raise Http404
    item = getter(request.user, pk)
    targets = PANEL_TARGETS[kind]
    target = request.GET.get("target") or targets[0]
    if target not in targets:
        target = targets[0]
    flt = parse_filters(request.GET)
    found = suggestions_for(request.user, item, target=target, k=10, **flt)
    base = reverse("matching:suggestions", args=[kind, pk])
    toggles = [
        {"label": _("只看 TRL≥6"), "active": flt["min_trl"] == 6, "url": _toggle_url(base, flt, "min_trl", 6, target),
         "show": target == "achievements"},
        {"label": _("只看山东"), "active": flt["region"] == "37", "url": _toggle_url(base, flt, "region", "37", target),
         "show": True},
        {"label": _("只看可许可"), "active": "license" in flt["modes"],
         "url": _toggle_url(base, flt, "mode", "license", target), "show": target == "achievements"},
    ]
    tabs = [{"target": t, "label": _(TARGET_LABELS[t]), "active": t == target,
             "url": f"{base}?{urlencode({'target': t})}"} for t in targets]
    context = {
        "kind": kind, "item": item, "target": target, "tabs": tabs, "toggles": [t for t in toggles if t["show"]],
        "suggestions": [suggestion_view(s) for s in found], "nothing_good": found.nothing_good,
        "can_workbench": kind == "need" and _is_matcher(request.user),
    }
    return render(request, "matching/_suggestions.html", context)


def _is_matcher(user: Any) -> bool:
    return roles.is_broker(user) or roles.is_operator(user)


def _require_matcher(user: Any) -> None:
    if not _is_matcher(user):
        raise PermissionDenied(_("匹配工作台仅对技术经纪人和平台运营开放。"))


@login_required
def workbench(request: HttpRequest) -> HttpResponse:
    """Pick a need, review candidates side by side with the evidence, decide."""
    _require_matcher(request.user)
    q = request.GET.get("q", "").strip()
    need_id = request.GET.get("need", "")
    need = need_get_visible(request.user, int(need_id)) if need_id.isdigit() else None
    flt = parse_filters(request.GET)
    context: dict[str, Any] = {"q": q, "need": need, "filters": flt,
                               "needs": need_list_visible_to(request.user, q=q)[:20] if q or need is None else []}
    if need is not None:
        found = suggestions_for(request.user, need, target="achievements", k=10, **flt)
        decided = {f.target_id: f for f in MatchFeedback.objects.filter(
            source_type__model="need", source_id=need.pk, target_type__model="achievement")
            .order_by("created_at", "pk")}
        rows = [suggestion_view(s) for s in found]
        for row in rows:
            row["feedback"] = decided.get(row["obj"].pk)
        context.update({"candidates": rows, "nothing_good": found.nothing_good})
    return render(request, "matching/workbench.html", context)


@login_required
@require_POST
def workbench_feedback(request: HttpRequest) -> HttpResponse:
    _require_matcher(request.user)
    need_id = request.POST.get("need", "")
    target_id = request.POST.get("target", "")
    if not (need_id.isdigit() and target_id.isdigit()):
        raise Http404
    need = need_get_visible(request.user, int(need_id))
    target = achievement_get_visible(request.user, int(target_id))
    try:
        score = float(request.POST.get("score") or 0) or None
        rank = int(request.POST.get("rank") or 0) or None
    except ValueError:
        score = rank = None
    try:
        services.feedback_record(acting_user=request.user, source=need, target=target,
                                 decision=request.POST.get("decision", ""), reason=request.POST.get("reason", ""),
                                 score=score, rank=rank)
    except ValidationError as exc:
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.success(request, _("已记录：%(title)s") % {"title": target.title})
    return redirect(f"{reverse('matching:workbench')}?{urlencode({'need': need.pk})}#cand-{target.pk}")


def _require_operator(user: Any) -> None:
    if not roles.is_operator(user):
        raise PermissionDenied(_("索引状态仅对平台运营开放。"))


@login_required
def health(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    return render(request, "matching/health.html", {"info": services.index_health()})


@login_required
@require_POST
def health_rebuild(request: HttpRequest) -> HttpResponse:
    _require_operator(request.user)
    audit_record(actor=request.user, action="matching.index.rebuild", note=_("运营人员手动重建匹配索引"),
                 request=request)
    outbox_enqueue(task=tasks.rebuild_index)
    messages.success(request, _("已开始重建索引；完成后本页显示新的索引版本。"))
    return redirect("matching:health")
