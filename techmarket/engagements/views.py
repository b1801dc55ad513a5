"""Engagement pages: the broker board, an engagement's page, the caseload, the answers to recommendations
and broker performance. Thin: parse, call a service or selector, render."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.core.http import local_next
from techmarket.events.selectors import event_of_engagement

from . import answers, board, selectors, services
from .forms import (
    ActivityForm,
    AssistantsForm,
    EngagementCreateForm,
    EngagementFilterForm,
    EngagementUpdateForm,
    TerminateForm,
)
from .models import ChecklistItem, Origin, ProviderRole
from .workflow import ENGAGEMENT


def _errors(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


@login_required
def engagement_board(request: HttpRequest) -> HttpResponse:
    """My engagements by stage, overdue first; operators see every broker's (filter by broker)."""
    form = EngagementFilterForm(request.GET or None)
    filters: dict[str, Any] = dict(form.selector_filters()) if request.GET else {}
    broker = request.GET.get("broker", "")
    if roles.is_operator(request.user) and broker.isdigit():
        filters["broker"] = int(broker)
    elif (
        not roles.is_operator(request.user)
        and roles.is_broker(request.user)
        and request.GET.get("all") != "1"
    ):
        filters["broker"] = request.user.pk
    qs = selectors.engagement_list_visible_to(request.user, **filters)
    columns = board.columns(qs)
    return render(
        request,
        "engagements/board.html",
        {
            "form": form,
            "columns": columns,
            "total": sum(len(c["cards"]) for c in columns),
            "brokers": board.broker_choices() if roles.is_operator(request.user) else [],
            "broker": broker,
            "can_open": roles.is_broker_or_operator(request.user),
            "can_see_performance": roles.is_broker(request.user)
            or roles.is_operator(request.user)
            or roles.is_bureau(request.user),
        },
    )


@login_required
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = selectors.engagement_get_visible(request.user, pk)
    may_run = services._may_run(request.user, engagement)
    ticks = {t.item_id: t for t in engagement.ticks.select_related("done_by")}
    checklist = [
        (item, ticks.get(item.pk))
        for item in ChecklistItem.objects.filter(stage=engagement.stage, is_active=True)
    ]
    actions = ENGAGEMENT.available(request.user, engagement)
    return render(
        request,
        "engagements/detail.html",
        {
            "engagement": engagement,
            "source_event": (
                event_of_engagement(request.user, engagement.pk)
                if engagement.origin == Origin.EVENT
                else None
            ),
            "may_run": may_run,
            "checklist": checklist,
            "advance_actions": [(n, a) for n, a in actions if n not in {"deal", "terminate"}],
            "can_deal": any(n == "deal" for n, _a in actions),
            "can_terminate": any(n == "terminate" for n, _a in actions),
            "timeline": board.timeline(engagement),
            "providers": engagement.provider_links.select_related("organization"),
            "experts": engagement.experts.all(),
            "assistants": engagement.assisting_brokers.all(),
            "update_form": EngagementUpdateForm(
                initial={
                    "version": engagement.version,
                    "title": engagement.title,
                    "summary": engagement.summary,
                    "next_step": engagement.next_step,
                    "next_step_on": engagement.due_at.date() if engagement.due_at else None,
                }
            ),
            "activity_form": ActivityForm(),
            "assistants_form": (
                AssistantsForm(
                    lead_broker_id=engagement.lead_broker_id,
                    initial={"brokers": [b.pk for b in engagement.assisting_brokers.all()]},
                )
                if engagement.is_open
                and (roles.is_operator(request.user) or engagement.lead_broker_id == request.user.pk)
                else None
            ),
            "terminate_form": TerminateForm(),
            "provider_roles": ProviderRole.choices,
            "provider_orgs": board.provider_choices() if may_run and engagement.is_open else [],
        },
    )


@login_required
@require_POST
def engagement_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    engagement = selectors.engagement_get_visible(request.user, pk)
    try:
        services.engagement_move(
            engagement=engagement,
            action=action,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            termination_reason=request.POST.get("termination_reason", ""),
            expected_state=request.POST.get("expected_state") or None,
            request=request,
        )
        messages.success(request, _("项目已进入“%(s)s”。") % {"s": engagement.get_stage_display()})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=engagement.pk)


@login_required
@require_POST
def engagement_update(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = selectors.engagement_get_visible(request.user, pk)
    form = EngagementUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查填写内容：%(e)s") % {"e": "；".join(str(m) for ms in form.errors.values() for m in ms)},
        )
        return redirect("engagements:detail", pk=pk)
    data = form.cleaned_data
    try:
        services.engagement_update(
            engagement=engagement,
            acting_user=request.user,
            expected_version=data["version"],
            title=data["title"],
            summary=data["summary"],
            next_step=data["next_step"],
            next_step_on=data["next_step_on"],
        )
        messages.success(request, _("已保存。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=pk)


@login_required
@require_POST
def engagement_tick(request: HttpRequest, pk: int, check_id: int) -> HttpResponse:
    engagement = selectors.engagement_get_visible(request.user, pk)
    item = get_object_or_404(ChecklistItem, pk=check_id, is_active=True)
    try:
        services.checklist_tick(
            engagement=engagement,
            item=item,
            acting_user=request.user,
            done=request.POST.get("done") == "1",
            note=request.POST.get("note", ""),
        )
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=pk)


@login_required
@require_POST
def activity_create(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = selectors.engagement_get_visible(request.user, pk)
    form = ActivityForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查活动记录：%(e)s") % {"e": "；".join(str(m) for ms in form.errors.values() for m in ms)},
        )
        return redirect("engagements:detail", pk=pk)
    try:
        services.activity_log(engagement=engagement, acting_user=request.user, **form.cleaned_data)
        messages.success(request, _("活动已记录。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=pk)


@login_required
@require_POST
def assistants_set(request: HttpRequest, pk: int) -> HttpResponse:
    """The lead broker or an operator sets the assisting brokers (the service checks who may)."""
    engagement = selectors.engagement_get_visible(request.user, pk)
    form = AssistantsForm(request.POST, lead_broker_id=engagement.lead_broker_id)
    if not form.is_valid():
        messages.error(
            request,
            _("请检查协办经纪人：%(e)s")
            % {"e": "；".join(str(m) for ms in form.errors.values() for m in ms)},
        )
        return redirect("engagements:detail", pk=pk)
    try:
        services.engagement_set_assistants(
            engagement=engagement, acting_user=request.user, brokers=list(form.cleaned_data["brokers"])
        )
        messages.success(request, _("协办经纪人已更新。"))
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=pk)


@login_required
@require_POST
def provider_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a service provider (concept-verification centre, pilot base, evaluator, investor, bank)."""
    from techmarket.orgs.models import Organization

    engagement = selectors.engagement_get_visible(request.user, pk)
    org = Organization.objects.filter(
        pk=request.POST.get("organization") or 0, status=Organization.Status.APPROVED
    ).first()
    try:
        if org is None:
            raise ValidationError(_("请选择已通过审核的服务机构。"))
        services.engagement_add_provider(
            engagement=engagement,
            acting_user=request.user,
            organization=org,
            role=request.POST.get("role", ""),
        )
        messages.success(request, _("已加入服务机构：%(o)s。") % {"o": org.name})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:detail", pk=pk)


@login_required
def engagement_create(request: HttpRequest) -> HttpResponse:
    """Open an engagement by hand, or from a need / achievement page (?need= / ?achievement=)."""
    if not roles.is_broker_or_operator(request.user):
        raise PermissionDenied
    from techmarket.achievements.selectors import achievement_get_visible
    from techmarket.needs.selectors import need_get_visible

    need = (
        need_get_visible(request.user, int(request.GET["need"]))
        if request.GET.get("need", "").isdigit()
        else None
    )
    achievement = (
        achievement_get_visible(request.user, int(request.GET["achievement"]))
        if request.GET.get("achievement", "").isdigit()
        else None
    )
    initial: dict[str, Any] = {}
    if need is not None:
        initial.update(title=need.title, demand_org=need.owner_id)
    if achievement is not None:
        initial.update(title=initial.get("title") or achievement.title, supply_org=achievement.owner_id)
    form = EngagementCreateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            engagement = services.engagement_open(
                acting_user=request.user,
                title=data["title"],
                demand_org=data["demand_org"],
                supply_org=data["supply_org"],
                need=need,
                achievement=achievement,
                summary=data["summary"],
                origin="need" if need else "achievement" if achievement else "manual",
            )
            messages.success(request, _("对接项目已创建。"))
            return redirect("engagements:detail", pk=engagement.pk)
        except ValidationError as exc:
            for field, errs in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errs)
    return render(
        request, "engagements/create.html", {"form": form, "need": need, "achievement": achievement}
    )


@login_required
def answer_list(request: HttpRequest) -> HttpResponse:
    """Recommendations waiting for my organisation's answer, and the answers given."""
    rows = list(selectors.answers_visible_to(request.user)[:400])
    page = Paginator(board.group_recommendations(request.user, rows), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "engagements/answers.html",
        {
            "page": page,
            "recs": page.object_list,
            "answerable": board.answerable_ids(request.user, rows),
            "next": request.get_full_path(),
        },
    )


@login_required
@require_POST
def answer_decide(request: HttpRequest, answer_id: int) -> HttpResponse:
    answer = selectors.answer_get_visible(request.user, answer_id)
    try:
        answers.recommendation_answer(
            answer=answer,
            acting_user=request.user,
            interested=request.POST.get("interested") == "1",
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
        if answer.engagement_id:
            messages.success(request, _("双方均有意向，对接项目已创建。"))
            if selectors.engagement_list_visible_to(request.user).filter(pk=answer.engagement_id).exists():
                return redirect("engagements:detail", pk=answer.engagement_id)
        else:
            messages.success(request, _("已答复，经纪人会收到您的意见。"))
    except ValidationError as exc:
        _errors(request, exc)
    return redirect(local_next(request, reverse("engagements:answers")))


@login_required
def caseload(request: HttpRequest) -> HttpResponse:
    """A broker's caseload: needs assigned or claimed, with what is new, waiting and overdue; needs in the
    broker's fields nobody has claimed. Operators see the unassigned needs and assign them."""
    if not roles.is_broker_or_operator(request.user):
        raise PermissionDenied
    context = board.caseload_context(request.user)
    return render(request, "engagements/caseload.html", context)


@login_required
@require_POST
def need_claim(request: HttpRequest, need_id: int) -> HttpResponse:
    from techmarket.needs.selectors import need_get_visible

    need = need_get_visible(request.user, need_id)
    try:
        services.need_claim(need=need, acting_user=request.user)
        messages.success(request, _("已认领“%(t)s”。") % {"t": need.title})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:caseload")


@login_required
@require_POST
def need_assign(request: HttpRequest, need_id: int) -> HttpResponse:
    from django.contrib.auth import get_user_model

    from techmarket.needs.selectors import need_get_visible

    need = need_get_visible(request.user, need_id)
    broker = get_user_model().objects.filter(pk=request.POST.get("broker") or 0).first()
    try:
        if broker is None:
            raise ValidationError(_("请选择经纪人。"))
        services.need_assign(need=need, broker=broker, acting_user=request.user)
        messages.success(request, _("已分派给 %(b)s。") % {"b": broker.display_name})
    except ValidationError as exc:
        _errors(request, exc)
    return redirect("engagements:caseload")


@login_required
def performance(request: HttpRequest) -> HttpResponse:
    """Broker performance: engagements by stage, conversion, median days per stage; per broker,
    organisation and period. Brokers see their own line; operators and bureau users see everyone."""
    from . import performance as perf

    everyone = roles.is_operator(request.user) or roles.is_bureau(request.user)
    if not everyone and not roles.is_broker(request.user):
        raise PermissionDenied
    form = perf.PerformanceForm(request.GET or None)
    params = form.params() if form.is_valid() else perf.PerformanceParams()
    report = perf.broker_performance(params, only_broker=None if everyone else request.user)
    return render(request, "engagements/performance.html", {"form": form, "report": report})
