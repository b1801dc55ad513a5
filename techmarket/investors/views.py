"""Pages of the investors domain: thin — parse, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.core.http import query_without_page

from . import selectors, services
from .forms import FundFilterForm, FundForm, InterestForm, InvestmentForm, SeekingFilterForm, SeekingForm
from .models import Interest
from .workflow import INTEREST


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    for m in getattr(exc, "messages", None) or [str(exc) or _("您无权执行此操作。")]:
        messages.error(request, m)


def fund_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = FundFilterForm(request.GET or None)
    qs = selectors.fund_list_visible_to(user, **form.selector_filters())
    return render(
        request,
        "investors/fund_list.html",
        {
            "form": form,
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "investor_orgs": selectors.investor_organisations(user),
            "enterprise_orgs": selectors.enterprise_organisations(user),
            "platform": selectors.is_platform_side(user),
        },
    )


def fund_detail(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = selectors.fund_get_visible(request.user, fund_id)
    mine = request.user.is_authenticated and selectors.may_manage_fund(request.user, fund)
    return render(
        request,
        "investors/fund_detail.html",
        {
            "fund": fund,
            "mine": mine,
            "matches": selectors.matches_for(request.user, fund) if mine else None,
            "interests": selectors.interests_visible_to(request.user, fund=fund)[:50] if mine else [],
            "kinds": Interest.Kind.choices,
        },
    )


def _fund_data(form: FundForm) -> dict[str, Any]:
    return dict(form.cleaned_data)


@login_required
def fund_create(request: HttpRequest) -> HttpResponse:
    orgs = selectors.investor_organisations(request.user)
    if not orgs:
        raise PermissionDenied
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            fund = services.fund_save(acting_user=request.user, manager=orgs[0], data=_fund_data(form))
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("基金已登记，下面是与它匹配的成果和融资需求。"))
            return redirect("investors:fund_detail", fund.pk)
    return render(request, "investors/fund_form.html", {"form": form, "manager": orgs[0]})


@login_required
def fund_edit(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = selectors.fund_get_visible(request.user, fund_id)
    if not selectors.may_manage_fund(request.user, fund):
        raise PermissionDenied
    initial = {
        "name": fund.name,
        "stages": fund.stages,
        "industries": list(fund.industries.all()),
        "chain_nodes": list(fund.chain_nodes.all()),
        "ticket_min": fund.ticket_min,
        "ticket_max": fund.ticket_max,
        "regions": list(fund.regions.all()),
        "size": fund.size,
        "summary": fund.summary,
        "is_active": fund.is_active,
    }
    form = FundForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_save(
                acting_user=request.user, manager=fund.manager, data=_fund_data(form), fund=fund
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("基金资料已保存。"))
            return redirect("investors:fund_detail", fund.pk)
    return render(request, "investors/fund_form.html", {"form": form, "manager": fund.manager, "fund": fund})


@login_required
@require_POST
def interest_express(request: HttpRequest, fund_id: int) -> HttpResponse:
    fund = selectors.fund_get_visible(request.user, fund_id)
    form = InterestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择意向类型并检查填写的内容。"))
        return redirect("investors:fund_detail", fund.pk)
    d = form.cleaned_data
    achievement = seeking = None
    try:
        if d.get("achievement"):
            from techmarket.achievements.selectors import achievement_get_visible

            achievement = achievement_get_visible(request.user, d["achievement"])
        elif d.get("seeking"):
            seeking = selectors.seeking_get_visible(request.user, d["seeking"])
    except Http404:
        messages.error(request, _("该项目不存在或您无权查看。"))
        return redirect("investors:fund_detail", fund.pk)
    try:
        interest = services.interest_express(
            acting_user=request.user,
            fund=fund,
            achievement=achievement,
            seeking=seeking,
            kind=d["kind"],
            note=d.get("note") or "",
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
        return redirect("investors:fund_detail", fund.pk)
    messages.success(request, _("意向已提交，平台经纪人将在 5 个工作日内安排对接或路演。"))
    return redirect("investors:interest_detail", interest.pk)


@login_required
def seeking_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = SeekingFilterForm(request.GET or None)
    qs = selectors.seeking_list_visible_to(user, **form.selector_filters())
    orgs = selectors.enterprise_organisations(user)
    create_form = SeekingForm(request.POST or None) if orgs else None
    if request.method == "POST":
        if create_form is None:
            raise PermissionDenied
        if create_form.is_valid():
            d = create_form.cleaned_data
            try:
                seeking = services.seeking_create(acting_user=user, organization=orgs[0], **d)
            except ValidationError as exc:
                _attach(create_form, exc)
            else:
                messages.success(request, _("融资需求已发布，匹配的投资机构可以看到它。"))
                return redirect("investors:seeking_detail", seeking.pk)
    return render(
        request,
        "investors/seeking_list.html",
        {
            "form": form,
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "create_form": create_form,
            "organization": orgs[0] if orgs else None,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def seeking_detail(request: HttpRequest, seeking_id: int) -> HttpResponse:
    seeking = selectors.seeking_get_visible(request.user, seeking_id)
    from techmarket.accounts import roles

    own = roles.is_org_member(request.user, seeking.organization)
    funds = [
        f for o in selectors.investor_organisations(request.user) for f in o.funds.filter(is_active=True)
    ]
    return render(
        request,
        "investors/seeking_detail.html",
        {
            "seeking": seeking,
            "own": own,
            "funds": funds,
            "kinds": Interest.Kind.choices,
            "interests": selectors.interests_visible_to(request.user).filter(seeking=seeking),
            "investments": selectors.investments_visible_to(request.user).filter(interest__seeking=seeking),
        },
    )


@login_required
@require_POST
def seeking_close(request: HttpRequest, seeking_id: int) -> HttpResponse:
    seeking = selectors.seeking_get_visible(request.user, seeking_id)
    try:
        services.seeking_close(seeking=seeking, acting_user=request.user)
    except PermissionDenied as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("融资需求已结束。"))
    return redirect("investors:seeking_detail", seeking.pk)


@login_required
def interest_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    if status not in Interest.Status.values:
        status = ""
    qs = selectors.interests_visible_to(request.user, status=status)
    return render(
        request,
        "investors/interest_list.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "status": status,
            "statuses": Interest.Status.choices,
            "query": query_without_page(request),
        },
    )


def _investment_form(request: HttpRequest, interest: Interest, form: Any = None) -> Any:
    """The form to record an investment: the fund's staff, once the interest was arranged."""
    if not selectors.may_record_investment(request.user, interest) or interest.status not in services.AGREED:
        return None
    return form or InvestmentForm(initial={"stage": interest.seeking.stage if interest.seeking_id else ""})  # type: ignore[union-attr]


@login_required
def interest_detail(request: HttpRequest, interest_id: int, investment_form: Any = None) -> HttpResponse:
    interest = selectors.interest_get_visible(request.user, interest_id)
    actions = INTEREST.available(request.user, interest)
    return render(
        request,
        "investors/interest_detail.html",
        {
            "interest": interest,
            "actions": actions,
            "roadshows": list(services.upcoming_roadshows()[:20])
            if any(name == "schedule_roadshow" for name, _a in actions)
            else [],
            "investments": selectors.investments_visible_to(request.user, interest=interest),
            "investment_form": _investment_form(request, interest, investment_form),
        },
        status=422 if investment_form is not None else 200,
    )


@login_required
@require_POST
def investment_record(request: HttpRequest, interest_id: int) -> HttpResponse:
    interest = selectors.interest_get_visible(request.user, interest_id)
    if _investment_form(request, interest) is None:
        raise PermissionDenied
    form = InvestmentForm(request.POST)
    if form.is_valid():
        try:
            services.investment_record(acting_user=request.user, interest=interest, **form.cleaned_data)
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("投资已登记，企业可以看到这条记录。"))
            return redirect("investors:interest_detail", interest.pk)
    return interest_detail(request, interest.pk, investment_form=form)


@login_required
@require_POST
def interest_action(request: HttpRequest, interest_id: int, action: str) -> HttpResponse:
    interest = selectors.interest_get_visible(request.user, interest_id)
    expected = request.POST.get("expected_state") or None
    reason = request.POST.get("reason", "")
    try:
        if action == "engage":
            interest = services.interest_engage(
                interest=interest, acting_user=request.user, expected_state=expected
            )
        elif action == "schedule_roadshow":
            from techmarket.events.models import Event

            event_id = request.POST.get("event", "")
            event = Event.objects.unscoped().filter(pk=int(event_id)).first() if event_id.isdigit() else None
            interest = services.interest_schedule_roadshow(
                interest=interest,
                event=event,
                acting_user=request.user,
                reason=reason,
                expected_state=expected,
            )
        else:
            interest = services.interest_move(
                interest=interest,
                action=action,
                acting_user=request.user,
                reason=reason,
                expected_state=expected,
            )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("操作成功：当前状态为“%(s)s”。") % {"s": interest.get_status_display()})
    return redirect("investors:interest_detail", interest.pk)
