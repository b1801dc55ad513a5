"""Pages of the policies domain: thin — parse, call a selector or service, render."""

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

from techmarket.core.forms import attach_errors
from techmarket.core.http import query_without_page

from . import selectors, services
from .forms import (
    ApplicationFilterForm,
    ApplicationForm,
    ApproveForm,
    PayForm,
    PolicyFilterForm,
    PolicyForm,
    RuleFormSet,
    rule_initial,
)
from .models import Policy, PolicyApplication
from .permissions import enterprise_organisations, may_decide_applications, may_manage_policies
from .request_types import APPLICATION
from .rules import describe
from .workflow import PAYMENT, POLICY


def _errors(request: HttpRequest, exc: ValidationError | PermissionDenied) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


def policy_list(request: HttpRequest) -> HttpResponse:
    form = PolicyFilterForm(request.GET or None)
    qs = selectors.policy_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "policies/policy_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_create": may_manage_policies(request.user),
            "is_enterprise": bool(enterprise_organisations(request.user)),
            "today": selectors.today(),
        },
    )


def policy_detail(request: HttpRequest, policy_id: int) -> HttpResponse:
    user = request.user
    policy = selectors.policy_get_visible(user, policy_id)
    rules = [describe(r) for r in policy.rule_list()]
    orgs = enterprise_organisations(user)
    evaluations = [(org, selectors.evaluate_policy(policy, org)) for org in orgs]
    eligible_orgs = [org for org, ev in evaluations if ev.eligible]
    can_apply = (
        policy.allows_application
        and policy.status == Policy.Status.PUBLISHED
        and policy.open_on(selectors.today())
        and bool(eligible_orgs)
    )
    context: dict[str, Any] = {
        "policy": policy,
        "rules": rules,
        "evaluations": evaluations,
        "apply_form": ApplicationForm(organisations=eligible_orgs) if can_apply else None,
        "manager": may_manage_policies(user),
        "actions": POLICY.available(user, policy),
    }
    if context["manager"]:
        context["matches"] = selectors.matching_enterprises(policy)
        context["warnings"] = services.rule_warnings(
            policy.rule_list(), {"valid_from": policy.valid_from, "valid_until": policy.valid_until}
        )
        context["pushed"] = policy.pushes.count()
    if context["manager"] or may_decide_applications(user):
        context["totals"] = selectors.application_totals(
            selectors.applications_visible_to(user, policy=policy.pk)
        )
    return render(request, "policies/policy_detail.html", context)


def _policy_form_page(request: HttpRequest, policy: Policy | None) -> HttpResponse:
    if not may_manage_policies(request.user):
        raise PermissionDenied(_("只有平台运营可以录入政策。"))
    preview: dict[str, Any] | None = None
    if request.method == "POST":
        form = PolicyForm(request.POST)
        formset = RuleFormSet(request.POST, prefix="rules")
        if form.is_valid() and formset.is_valid():
            rows = [row for row in (f.row() for f in formset) if row]
            if "add_row" in request.POST:  # one more empty row, nothing saved
                data = request.POST.copy()
                data["rules-TOTAL_FORMS"] = str(int(data.get("rules-TOTAL_FORMS", "0")) + 1)
                formset = RuleFormSet(data, prefix="rules")
            elif "preview" in request.POST:
                try:
                    rule_list = services.clean_rules(rows)
                    fields = form.service_data()
                    matches = selectors.matching_enterprises(policy or Policy(), rules=rule_list)
                    preview = {
                        "warnings": services.rule_warnings(rule_list, fields),
                        "eligible": matches["eligible"],
                        "near": matches["near"],
                        "rules": [describe(r) for r in rule_list],
                    }
                except ValidationError as exc:
                    attach_errors(form, exc)
            else:
                try:
                    if policy is None:
                        saved, warnings = services.policy_create(
                            acting_user=request.user, rules=rows, **form.service_data()
                        )
                    else:
                        saved, warnings = services.policy_update(
                            policy=policy, acting_user=request.user, rules=rows, **form.service_data()
                        )
                except ValidationError as exc:
                    attach_errors(form, exc)
                else:
                    messages.success(request, _("政策已保存。"))
                    for w in warnings:
                        messages.warning(request, _("条件可能永远无法满足：%(w)s") % {"w": w})
                    return redirect("policies:detail", saved.pk)
    else:
        form = PolicyForm(initial=PolicyForm.initial_of(policy) if policy else None)
        formset = RuleFormSet(initial=rule_initial(policy) if policy else None, prefix="rules")
    return render(
        request,
        "policies/policy_form.html",
        {"form": form, "formset": formset, "policy": policy, "preview": preview},
    )


@login_required
def policy_create(request: HttpRequest) -> HttpResponse:
    return _policy_form_page(request, None)


@login_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _policy_form_page(request, selectors.policy_get_managed(request.user, policy_id))


@login_required
@require_POST
def policy_action(request: HttpRequest, policy_id: int, action: str) -> HttpResponse:
    policy = selectors.policy_get_visible(request.user, policy_id)
    try:
        services.policy_move(
            policy=policy,
            action=action,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("操作成功：政策当前状态为“%(s)s”。") % {"s": policy.get_status_display()})
    return redirect("policies:detail", policy.pk)


@login_required
def qualify(request: HttpRequest) -> HttpResponse:
    """符合条件的政策: for each enterprise of the user, the live policies it meets and nearly meets."""
    orgs = enterprise_organisations(request.user)
    sections = [(org, selectors.policies_for(request.user, org)) for org in orgs]
    pushes = selectors.pushes_visible_to(request.user).filter(organization__in=orgs)[:20] if orgs else []
    return render(request, "policies/qualify.html", {"sections": sections, "pushes": pushes})


@login_required
@require_POST
def apply(request: HttpRequest, policy_id: int) -> HttpResponse:
    policy = selectors.policy_get_visible(request.user, policy_id)
    orgs = enterprise_organisations(request.user)
    form = ApplicationForm(request.POST, organisations=orgs)
    if form.is_valid():
        org = next((o for o in orgs if o.pk == form.cleaned_data["organization"]), None)
        if org is None:
            raise Http404
        try:
            application = services.application_open(
                policy=policy,
                organization=org,
                acting_user=request.user,
                requested_amount=form.cleaned_data["requested_amount"],
                statement=form.cleaned_data["statement"],
                contact_phone=form.cleaned_data["contact_phone"],
            )
        except (ValidationError, PermissionDenied) as exc:
            attach_errors(form, exc)
        else:
            messages.success(request, _("申请已提交，科技局审核后会通知您。"))
            return redirect("policies:application", application.pk)
    return render(
        request,
        "policies/policy_detail.html",
        {
            "policy": policy,
            "rules": [describe(r) for r in policy.rule_list()],
            "evaluations": [(org, selectors.evaluate_policy(policy, org)) for org in orgs],
            "apply_form": form,
            "actions": [],
        },
        status=422,
    )


@login_required
def applications(request: HttpRequest) -> HttpResponse:
    form = ApplicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.applications_visible_to(
        request.user, status=filters.get("status") or "", q=filters.get("q") or ""
    )
    decider = may_decide_applications(request.user)
    return render(
        request,
        "policies/applications.html",
        {
            "form": form,
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "query": query_without_page(request),
            "decider": decider,
            "totals": selectors.application_totals(selectors.applications_visible_to(request.user)),
            "by_policy": _by_policy(request.user) if decider else [],
        },
    )


@login_required
def applications_export(request: HttpRequest) -> HttpResponse:
    """申请台账 as xlsx: the applications of the list page (same selector, same filters); the download is
    audited, as it carries enterprises' amounts."""
    from django.utils import timezone

    from techmarket.audit.services import audit_record
    from techmarket.core.http import XLSX, attachment

    from .export import applications_xlsx

    form = ApplicationFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = selectors.applications_visible_to(
        request.user, status=filters.get("status") or "", q=filters.get("q") or ""
    ).select_related("policy", "organization")
    rows = list(qs[:20000])
    audit_record(
        actor=request.user,
        action="policies.application.export",
        after={"rows": len(rows), "status": filters.get("status") or "", "q": filters.get("q") or ""},
    )
    day = timezone.localdate().strftime("%Y%m%d")
    return attachment(applications_xlsx(rows), XLSX, f"直达快享申请台账-{day}.xlsx")


def _by_policy(user: Any) -> list[Any]:
    from django.db.models import Count, Q, Sum

    S = PolicyApplication.Status
    return list(
        selectors.applications_visible_to(user)
        .order_by()
        .values("policy_id", "policy__title")
        .annotate(
            n=Count("pk"),
            approved=Sum("approved_amount", filter=Q(status__in=[S.APPROVED, S.PAID])),
            paid=Sum("paid_amount", filter=Q(status=S.PAID)),
        )
        .order_by("-n", "policy__title")[:30]
    )


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    return _application_page(request, application)


def _application_page(
    request: HttpRequest,
    application: PolicyApplication,
    approve_form: Any = None,
    pay_form: Any = None,
    status: int = 200,
) -> HttpResponse:
    from techmarket.decisions.types import workflow_of

    user = request.user
    decide = workflow_of(APPLICATION).available(user, application)
    names = {name for name, _a in decide} | {name for name, _a in PAYMENT.available(user, application)}
    return render(
        request,
        "policies/application_detail.html",
        {
            "application": application,
            "can_approve": "approve" in names,
            "can_reject": "reject" in names,
            "can_withdraw": "withdraw" in names,
            "can_pay": "pay" in names,
            "approve_form": approve_form
            or ApproveForm(initial={"approved_amount": application.requested_amount}),
            "pay_form": pay_form or PayForm(),
        },
        status=status,
    )


@login_required
@require_POST
def application_action(request: HttpRequest, application_id: int, action: str) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    expected = request.POST.get("expected_state") or None
    try:
        if action == "approve":
            form = ApproveForm(request.POST)
            if not form.is_valid():
                return _application_page(request, application, approve_form=form, status=422)
            try:
                services.application_approve(
                    application=application,
                    acting_user=request.user,
                    approved_amount=form.cleaned_data["approved_amount"],
                    note=form.cleaned_data.get("note") or "",
                    expected_state=expected,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    attach_errors(form, exc)
                    return _application_page(request, application, approve_form=form, status=422)
                raise
        elif action == "reject":
            services.application_reject(
                application=application,
                acting_user=request.user,
                reason=request.POST.get("reason", ""),
                expected_state=expected,
            )
        elif action == "withdraw":
            services.application_withdraw(
                application=application, acting_user=request.user, expected_state=expected
            )
        elif action == "pay":
            pay = PayForm(request.POST)
            if not pay.is_valid():
                return _application_page(request, application, pay_form=pay, status=422)
            try:
                services.application_pay(
                    application=application,
                    acting_user=request.user,
                    paid_amount=pay.cleaned_data.get("paid_amount"),
                    payment_reference=pay.cleaned_data["payment_reference"],
                    expected_state=expected,
                )
            except ValidationError as exc:
                if hasattr(exc, "error_dict"):
                    attach_errors(pay, exc)
                    return _application_page(request, application, pay_form=pay, status=422)
                raise
        else:
            raise Http404
    except (ValidationError, PermissionDenied) as exc:
        _errors(request, exc)
    else:
        application.refresh_from_db()
        messages.success(
            request, _("操作成功：申请当前状态为“%(s)s”。") % {"s": application.get_status_display()}
        )
    return redirect("policies:application", application.pk)


@login_required
def export(request: HttpRequest) -> HttpResponse:
    """The filtered policy list as an Excel file (what the user sees, through the same selector)."""
    from io import BytesIO

    from openpyxl import Workbook

    from techmarket.core.http import XLSX, attachment

    form = PolicyFilterForm(request.GET or None)
    qs = selectors.policy_list_visible_to(request.user, **form.selector_filters())
    wb = Workbook()
    ws = wb.active
    ws.title = "政策"
    ws.append(
        [
            "政策名称",
            "发文单位",
            "文号",
            "层级",
            "支持方式",
            "适用地区",
            "最高金额（元）",
            "生效日期",
            "截止日期",
            "直达快享",
            "状态",
            "申报条件",
        ]
    )
    from techmarket.imports.export import neutralise

    for p in qs.prefetch_related("rules")[:5000]:
        row = [
            p.title, p.issuer, p.document_number, p.get_level_display(), p.get_support_type_display(),
            str(p.region) if p.region else "", float(p.max_amount) if p.max_amount is not None else None,
            p.valid_from, p.valid_until, "是" if p.allows_application else "否", p.get_status_display(),
            "；".join(describe(r) for r in p.rule_list()),
        ]  # fmt: skip
        ws.append([neutralise(v) if isinstance(v, str) else v for v in row])
    buffer = BytesIO()
    wb.save(buffer)
    return attachment(buffer.getvalue(), XLSX, "政策库.xlsx")
