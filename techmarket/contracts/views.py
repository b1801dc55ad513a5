"""Thin views over the contract services and selectors."""

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.accounts.roles import role_required
from techmarket.audit.services import audit_record
from techmarket.core.forms import attach_errors
from techmarket.core.http import XLSX, attachment
from techmarket.orgs.models import Organization, Role

from . import figures, selectors, services
from .export import registered_xlsx
from .forms import (
    ContractFilterForm,
    ContractForm,
    FiguresForm,
    MoveForm,
    PaymentCorrectionForm,
    PaymentForm,
)
from .workflow import CONTRACT_REGISTRATION

registration_office_required = role_required(Role.OPERATOR, Role.BUREAU)


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    form = ContractFilterForm(request.GET or None)
    qs = selectors.contract_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "contracts/contract_list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "can_create": selectors.may_record_contracts(request.user),
            "office": selectors.sees_every_contract(request.user),
        },
    )


def _owners(user: Any) -> list[Any]:
    return selectors.contract_owner_choices(user)


def _from_engagement(request: HttpRequest) -> Any:
    """The engagement a new contract comes from (?engagement=<id>), if the user may record its contract."""
    raw = request.GET.get("engagement", "")
    if not raw:
        return None
    from techmarket.engagements.selectors import engagement_get_visible, is_party_user

    engagement = engagement_get_visible(request.user, raw)
    if not (roles.is_operator(request.user) or is_party_user(request.user, engagement)):
        raise PermissionDenied
    return engagement


def _linkable(request: HttpRequest, sellers: list[int], current: Any) -> Any:
    """The achievements the form offers; on a POST the chosen seller's visible ones are accepted too."""
    posted = request.POST.get("seller_org", "") if request.method == "POST" else ""
    if posted.isdigit():
        sellers = [*sellers, int(posted)]
    return selectors.linkable_achievements(request.user, seller_org_ids=sellers, current=current)


@login_required
def contract_create(request: HttpRequest) -> HttpResponse:
    engagement = _from_engagement(request)
    owners = _owners(request.user)
    party_orgs = None
    initial: dict[str, Any] = {}
    if engagement is not None:
        from .engagement_link import engagement_org_ids

        party_orgs = Organization.objects.filter(pk__in=engagement_org_ids(engagement)).order_by("name")
        owners = list(dict.fromkeys([*party_orgs, *owners]))
        initial = {
            "title": engagement.title,
            "seller_org": engagement.supply_org_id,
            "buyer_org": engagement.demand_org_id,
            "owner": engagement.supply_org_id or engagement.demand_org_id,
        }
    if not owners:
        if roles.user_organizations(request.user):
            raise PermissionDenied(
                _("技术合同由当事方（企业、高校、科研院所、服务机构等）录入，您所在的机构不能录入。")
            )
        raise PermissionDenied(_("请先加入一个已审核通过的机构，再录入技术合同。"))
    sellers = [o.pk for o in owners]
    if engagement is not None:
        initial["achievements"] = [engagement.achievement_id] if engagement.achievement_id else []
    form = ContractForm(
        request.POST or None,
        owners=owners,
        party_orgs=party_orgs,
        initial=initial,
        achievements=_linkable(request, sellers, initial.get("achievements", ())),
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if not form.errors:
            try:
                contract = services.contract_create(
                    acting_user=request.user,
                    owner=form.cleaned_data["owner"],
                    engagement=engagement,
                    request=request,
                    **kwargs,
                )
            except (ValidationError, PermissionDenied) as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("技术合同已保存。核对无误后请提交认定登记。"))
                return redirect("contracts:detail", contract_id=contract.pk)
    return render(
        request, "contracts/contract_form.html", {"form": form, "contract": None, "engagement": engagement}
    )


@login_required
def contract_edit(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_visible(request.user, contract_id)
    if not CONTRACT_REGISTRATION.kinds(request.user, contract):
        raise PermissionDenied
    owners = _owners(request.user) or [contract.owner]
    if contract.owner not in owners:
        owners = [contract.owner, *owners]
    initial = ContractForm.initial_for(contract)
    party_orgs = None
    if contract.engagement_id:
        from .engagement_link import engagement_org_ids

        party_orgs = Organization.objects.filter(pk__in=engagement_org_ids(contract.engagement))
    seller = contract.seller
    sellers = [o.pk for o in owners] + ([seller.organization_id] if seller and seller.organization_id else [])
    form = ContractForm(
        request.POST or None,
        owners=owners,
        party_orgs=party_orgs,
        initial=initial,
        achievements=_linkable(request, sellers, initial["achievements"]),
    )
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        if not form.errors:
            try:
                services.contract_update(
                    contract=contract,
                    acting_user=request.user,
                    expected_version=form.cleaned_data.get("version") or 0,
                    request=request,
                    **kwargs,
                )
            except (ValidationError, PermissionDenied) as exc:
                attach_errors(form, exc)
            else:
                messages.success(request, _("修改已保存。"))
                return redirect("contracts:detail", contract_id=contract.pk)
    return render(request, "contracts/contract_form.html", {"form": form, "contract": contract})


@login_required
def contract_detail(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_visible(request.user, contract_id)
    kinds = CONTRACT_REGISTRATION.kinds(request.user, contract)
    may_correct = services.may_correct_payments(request.user, contract)
    schedule = [
        (i, sum((p.amount for p in contract.payments.all() if p.instalment_id == i.pk), Decimal(0)))
        for i in contract.schedule.all()
    ]
    return render(
        request,
        "contracts/contract_detail.html",
        {
            "contract": contract,
            "actions": CONTRACT_REGISTRATION.available(request.user, contract),
            "can_edit": bool(kinds) and contract.status in services.EDITABLE,
            "can_pay": bool(kinds),
            "payment_form": PaymentForm(contract=contract),
            "payment_rows": [
                (p, PaymentCorrectionForm(payment=p) if may_correct else None)
                for p in contract.payments.all()
            ],
            "schedule": schedule,
            "today": timezone.localdate(),
        },
    )


@login_required
@require_POST
def contract_action(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_visible(request.user, contract_id)
    form = MoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请求无效，请刷新后重试。"))
        return redirect("contracts:detail", contract_id=contract.pk)
    data = form.cleaned_data
    try:
        services.contract_move(
            contract=contract,
            action=data["action"],
            acting_user=request.user,
            reason=data.get("reason", ""),
            expected_state=data.get("expected_state") or None,
            registration_number=data.get("registration_number", ""),
            registered_on=data.get("registered_on"),
            request=request,
        )
    except (ValidationError, PermissionDenied) as exc:
        for message in getattr(exc, "messages", None) or [str(exc)]:
            messages.error(request, message)
    else:
        messages.success(
            request, _("操作成功：合同当前状态为“%(s)s”。") % {"s": contract.get_status_display()}
        )
    return redirect("contracts:detail", contract_id=contract.pk)


@login_required
@require_POST
def payment_add(request: HttpRequest, contract_id: int) -> HttpResponse:
    contract = selectors.contract_get_visible(request.user, contract_id)
    form = PaymentForm(request.POST, contract=contract)
    if form.is_valid():
        try:
            services.payment_record(
                contract=contract, acting_user=request.user, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            for message in getattr(exc, "messages", None) or [str(exc)]:
                messages.error(request, message)
        else:
            messages.success(request, _("到账记录已保存。"))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("contracts:detail", contract_id=contract.pk)


def _payment_of(request: HttpRequest, contract_id: int, payment_id: int) -> Any:
    contract = selectors.contract_get_visible(request.user, contract_id)
    return get_object_or_404(contract.payments.select_related("contract__owner"), pk=payment_id)


def _flash(request: HttpRequest, exc: Exception) -> None:
    for message in getattr(exc, "messages", None) or [str(exc)]:
        messages.error(request, message)


@login_required
@require_POST
def payment_edit(request: HttpRequest, contract_id: int, payment_id: int) -> HttpResponse:
    payment = _payment_of(request, contract_id, payment_id)
    form = PaymentCorrectionForm(request.POST, payment=payment)
    if form.is_valid():
        try:
            services.payment_update(
                payment=payment, acting_user=request.user, request=request, **form.cleaned_data
            )
        except (ValidationError, PermissionDenied) as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("到账记录已更正。"))
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
    return redirect("contracts:detail", contract_id=contract_id)


@login_required
@require_POST
def payment_delete(request: HttpRequest, contract_id: int, payment_id: int) -> HttpResponse:
    payment = _payment_of(request, contract_id, payment_id)
    try:
        services.payment_delete(
            payment=payment, acting_user=request.user, reason=request.POST.get("reason", ""), request=request
        )
    except (ValidationError, PermissionDenied) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("到账记录已删除。"))
    return redirect("contracts:detail", contract_id=contract_id)


@registration_office_required
def contract_figures(request: HttpRequest) -> HttpResponse:
    form = FiguresForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    qs = figures.figures_queryset(
        selectors.contract_list_visible_to(request.user),
        registered_only=data.get("scope", "registered") != "all",
        start=data.get("start"),
        end=data.get("end"),
    )
    result = figures.compute(qs, period=data.get("period") or "month")
    dims = [
        ("period", _("按周期")),
        ("region", _("按地区（买方所在地市）")),
        ("industry", _("按应用行业（门类）")),
        ("type", _("按合同类别")),
        ("buyer_kind", _("按买方类型")),
        ("seller_kind", _("按卖方类型")),
    ]
    return render(
        request,
        "contracts/figures.html",
        {"form": form, "figures": result, "tables": [(label, result.by[key]) for key, label in dims]},
    )


@registration_office_required
def registered_export(request: HttpRequest) -> HttpResponse:
    rows = list(selectors.registered_contracts(request.user).prefetch_related("payments"))
    audit_record(
        actor=request.user, action="contracts.contract.export", after={"rows": len(rows)}, request=request
    )
    name = _("已登记技术合同-%(d)s.xlsx") % {"d": timezone.localdate().isoformat()}
    return attachment(registered_xlsx(rows), XLSX, name)
