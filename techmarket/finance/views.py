"""Pages of the finance domain: thin — parse, call a selector or service, render."""

from __future__ import annotations

from decimal import Decimal
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
from techmarket.orgs.models import Organization

from . import figures_data, points, selectors, services
from .forms import ApplyForm, DecideForm, DeclarationForm, GrantForm, ProductFilterForm, ProductForm
from .models import Declaration, FinanceProduct, LoanApplication
from .request_types import DECLARATION, LOAN_APPLICATION, may_decide_loan


def _attach(form: Any, exc: ValidationError) -> None:
    aliases = {
        "amount": "amount_wan",
        "approved_amount": "approved_amount_wan",
        "consent": "consent_confirmed",
    }
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            name = aliases.get(name, name)
            if name.endswith("_amount") and f"{name}_wan" in form.fields:
                name = f"{name}_wan"
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


def _flash(request: HttpRequest, exc: ValidationError) -> None:
    for message in exc.messages:
        messages.error(request, message)


# ---------------------------------------------------------------- products


def product_list(request: HttpRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET or None)
    qs = selectors.product_list_visible_to(request.user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    return render(
        request,
        "finance/product_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "can_create": bool(selectors.publisher_orgs(request.user)),
            "is_enterprise": bool(selectors.enterprise_orgs(request.user)),
        },
    )


def _detail_context(request: HttpRequest, product: FinanceProduct, apply_form: Any = None) -> dict[str, Any]:
    user = request.user
    enterprises = selectors.enterprise_orgs(user)
    bar = None
    if enterprises:
        org = enterprises[0]
        bar = {"org": org, "points": points.current_points(org), "grade": points.current_grade(org)}
    if apply_form is None and enterprises and product.status == FinanceProduct.Status.OPEN:
        apply_form = ApplyForm(organisations=enterprises, initial={"term_months": product.min_term_months})
    return {
        "product": product,
        "manager": selectors.may_manage_product(user, product),
        "apply_form": apply_form,
        "bar": bar,
        "mine": list(selectors.applications_visible_to(user, product=product, side="made")[:20])
        if enterprises
        else [],
    }


def product_detail(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_visible(request.user, product_id)
    return render(request, "finance/product_detail.html", _detail_context(request, product))


@login_required
def product_create(request: HttpRequest) -> HttpResponse:
    providers = selectors.publisher_orgs(request.user)
    if not providers:
        raise PermissionDenied(_("只有银行或融资担保机构的管理员可以发布金融产品。"))
    form = ProductForm(request.POST or None, providers=providers)
    if request.method == "POST" and form.is_valid():
        provider = next(o for o in providers if o.pk == form.cleaned_data["provider"])
        try:
            product = services.product_create(
                acting_user=request.user, provider=provider, data=form.service_data()
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("金融产品已发布。"))
            return redirect("finance:detail", product.pk)
    return render(request, "finance/product_form.html", {"form": form, "title": _("发布金融产品")})


@login_required
def product_edit(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_visible(request.user, product_id)
    if not selectors.may_manage_product(request.user, product):
        raise PermissionDenied(_("只有发布机构的管理员可以修改该产品。"))
    form = ProductForm(request.POST or None, initial=ProductForm.initial_from(product))
    if request.method == "POST" and form.is_valid():
        try:
            services.product_update(product=product, acting_user=request.user, data=form.service_data())
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("金融产品已更新。"))
            return redirect("finance:detail", product.pk)
    return render(
        request, "finance/product_form.html", {"form": form, "title": _("修改金融产品"), "product": product}
    )


@login_required
@require_POST
def product_status(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_visible(request.user, product_id)
    try:
        services.product_set_status(
            product=product, acting_user=request.user, status=request.POST.get("status", "")
        )
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("产品状态已更新为“%(s)s”。") % {"s": product.get_status_display()})
    return redirect("finance:detail", product.pk)


@login_required
def apply(request: HttpRequest, product_id: int) -> HttpResponse:
    product = selectors.product_get_visible(request.user, product_id)
    enterprises = selectors.enterprise_orgs(request.user)
    if not enterprises:
        raise PermissionDenied(_("只有已通过审核的企业可以申请融资。"))
    if request.method != "POST":
        return redirect("finance:detail", product.pk)
    form = ApplyForm(request.POST, organisations=enterprises)
    if form.is_valid():
        d = form.cleaned_data
        org = next(o for o in enterprises if o.pk == d["organization"])
        try:
            application = services.loan_apply(
                acting_user=request.user, product=product, organization=org, amount=d["amount_wan"] * 10000,
                term_months=d["term_months"], purpose=d["purpose"], consent_items=d["consent_items"],
                consent_confirmed=d["consent_confirmed"],
            )  # fmt: skip
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("融资申请已提交，数据授权已记录；请等待机构审批。"))
            return redirect("finance:application", application.pk)
    return render(request, "finance/product_detail.html", _detail_context(request, product, form), status=200)


# ---------------------------------------------------------------- applications


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    side = request.GET.get("side", "")
    status = request.GET.get("status", "")
    qs = selectors.applications_visible_to(
        request.user,
        side=side if side in ("made", "received") else "",
        status=status if status in LoanApplication.Status.values else "",
    )
    return render(
        request,
        "finance/application_list.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "side": side,
            "status": status,
            "statuses": LoanApplication.Status.choices,
            "is_provider": bool(selectors.provider_orgs(request.user)),
            "is_enterprise": bool(selectors.enterprise_orgs(request.user)),
        },
    )


@login_required
def application_export(request: HttpRequest) -> HttpResponse:
    """融资台账 as xlsx: the applications of the list (same selector, same filters)."""
    from django.utils import timezone

    from techmarket.core.http import XLSX, attachment

    from .export import applications_xlsx

    side = request.GET.get("side", "")
    status = request.GET.get("status", "")
    qs = selectors.applications_visible_to(
        request.user,
        side=side if side in ("made", "received") else "",
        status=status if status in LoanApplication.Status.values else "",
    )
    day = timezone.localdate().strftime("%Y%m%d")
    return attachment(applications_xlsx(qs[:20000]), XLSX, f"融资台账-{day}.xlsx")


@login_required
def application_points_export(request: HttpRequest, application_id: int) -> HttpResponse:
    """The innovation points shared on this application as xlsx, for whoever may see them on its page (the
    bank only while the enterprise's consent stands); each download is audited."""
    from django.utils import timezone

    from techmarket.audit.services import audit_record
    from techmarket.core.http import XLSX, attachment

    from .export import points_xlsx

    application = selectors.application_get_visible(request.user, application_id)
    snapshot = selectors.shared_data(request.user, application).get("points")
    if snapshot is None:
        raise PermissionDenied(_("企业未授权（或已撤回授权）向您提供创新积分，不能下载。"))
    org = application.organization
    audit_record(
        actor=request.user,
        action="finance.application.points_export",
        target=application,
        after={"organization": org.pk, "snapshot": snapshot.pk},
    )
    day = timezone.localdate().strftime("%Y%m%d")
    return attachment(
        points_xlsx(snapshot, organization_name=org.name, uscc=org.uscc),
        XLSX,
        f"创新积分-{org.name}-{day}.xlsx",
    )


@login_required
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    decider = may_decide_loan(request.user, application)
    product = application.product
    return render(
        request,
        "finance/application_detail.html",
        {
            "a": application,
            "shared": selectors.shared_data(request.user, application),
            "decide_form": DecideForm(
                initial={
                    "approved_amount_wan": application.amount / 10000,
                    "approved_term_months": application.term_months,
                    "approved_rate": product.min_rate,
                }
            )
            if decider and application.status == LoanApplication.Status.PENDING
            else None,
            "grant_form": GrantForm(initial={"amount_wan": (application.approved_amount or 0) / 10000})
            if decider
            and application.status == LoanApplication.Status.APPROVED
            and not hasattr(application, "loan")
            else None,
            "may_withdraw": "withdraw"
            in dict(LOAN_APPLICATION_WORKFLOW().available(request.user, application)),
        },
    )


def LOAN_APPLICATION_WORKFLOW() -> Any:  # noqa: N802 - the registered workflow of the request type
    from techmarket.decisions.types import workflow_of

    return workflow_of(LOAN_APPLICATION)


@login_required
@require_POST
def application_decide(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            label = form.fields[field].label if field in form.fields else ""
            for e in errs:
                messages.error(request, f"{label}：{e}" if label else str(e))
        return redirect("finance:application", application.pk)
    d = form.cleaned_data
    amount = d.get("approved_amount_wan")
    try:
        services.loan_decide(
            application=application, acting_user=request.user, approve=d["approve"], reason=d["reason"],
            amount=amount * 10000 if amount is not None else None, rate=d.get("approved_rate"),
            term_months=d.get("approved_term_months"), expected_state=request.POST.get("expected_state") or None,
        )  # fmt: skip
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("审批结果已保存，企业会看到审批意见。"))
    return redirect("finance:application", application.pk)


@login_required
@require_POST
def application_grant(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    form = GrantForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label}：{e}")
        return redirect("finance:application", application.pk)
    try:
        services.loan_grant(
            application=application, acting_user=request.user,
            amount=form.cleaned_data["amount_wan"] * 10000, granted_on=form.cleaned_data["granted_on"],
        )  # fmt: skip
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("放款已登记。"))
    return redirect("finance:application", application.pk)


@login_required
@require_POST
def application_withdraw(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_visible(request.user, application_id)
    try:
        services.loan_withdraw(application=application, acting_user=request.user)
    except ValidationError as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("申请已撤回，数据授权随之撤销。"))
    return redirect("finance:application", application.pk)


# ---------------------------------------------------------------- points


def _enterprise(org_id: int) -> Organization:
    org = Organization.objects.filter(pk=org_id, kind=Organization.Kind.ENTERPRISE).first()
    if org is None:
        raise Http404("企业不存在。")
    return org


@login_required
def points_page(request: HttpRequest, org_id: int) -> HttpResponse:
    org = _enterprise(org_id)
    if not selectors.may_see_points(request.user, org):
        raise Http404("企业不存在或您无权查看其创新积分。")
    snap = points.latest_snapshot(org)
    result = points.compute(org) if snap is None else None
    own = any(o.pk == org.pk for o in selectors.enterprise_orgs(request.user))
    return render(
        request,
        "finance/points.html",
        {
            "org": org,
            "total": snap.total if snap else result.total,  # type: ignore[union-attr]
            "grade": snap.grade if snap else result.grade,  # type: ignore[union-attr]
            "lines": snap.lines if snap else result.lines,  # type: ignore[union-attr]
            "computed_at": snap.computed_at if snap else None,
            "history": list(selectors.points_history(request.user, org)[:30]),
            "declarations": [
                (d, DECLARATION_WORKFLOW().available(request.user, d))
                for d in selectors.declarations_visible_to(request.user, org=org)[:50]
            ],
            "declare_form": DeclarationForm(initial={"year": _last_year()}) if own else None,
            "rank": selectors.rank_of(org),
            "indicators": points.indicators_configured(),
        },
    )


def DECLARATION_WORKFLOW() -> Any:  # noqa: N802
    from techmarket.decisions.types import workflow_of

    return workflow_of(DECLARATION)


def _last_year() -> int:
    from django.utils import timezone

    return timezone.localdate().year - 1


@login_required
@require_POST
def declare(request: HttpRequest, org_id: int) -> HttpResponse:
    org = _enterprise(org_id)
    form = DeclarationForm(request.POST)
    if not form.is_valid():
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label}：{e}")
        return redirect("finance:points", org.pk)
    try:
        declaration = services.declaration_open(
            acting_user=request.user, organization=org, **form.cleaned_data
        )
    except ValidationError as exc:
        _flash(request, exc)
        return redirect("finance:points", org.pk)
    messages.success(request, _("申报已提交。请上传佐证材料，平台运营核验通过后计入积分。"))
    return redirect("finance:declaration", declaration.pk)


@login_required
def declaration_detail(request: HttpRequest, declaration_id: int) -> HttpResponse:
    d = selectors.declaration_get_visible(request.user, declaration_id)
    return render(
        request,
        "finance/declaration_detail.html",
        {
            "d": d,
            "actions": DECLARATION_WORKFLOW().available(request.user, d),
            "has_evidence": services.declaration_has_evidence(d),
        },
    )


@login_required
def declaration_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    qs = selectors.declarations_visible_to(
        request.user, status=status if status in Declaration.Status.values else ""
    )
    return render(
        request,
        "finance/declaration_list.html",
        {"page": Paginator(qs, 20).get_page(request.GET.get("page")), "status": status,
         "statuses": Declaration.Status.choices},
    )  # fmt: skip


@login_required
@require_POST
def declaration_action(request: HttpRequest, declaration_id: int, action: str) -> HttpResponse:
    d = selectors.declaration_get_visible(request.user, declaration_id)
    expected = request.POST.get("expected_state") or None
    try:
        if action in ("approve", "reject"):
            services.declaration_decide(
                declaration=d, acting_user=request.user, approve=action == "approve",
                reason=request.POST.get("reason", ""), expected_state=expected,
            )  # fmt: skip
            messages.success(request, _("申报已处理。"))
        elif action == "withdraw":
            services.declaration_withdraw(declaration=d, acting_user=request.user)
            messages.success(request, _("申报已撤回。"))
        else:
            raise Http404("未知操作。")
    except ValidationError as exc:
        _flash(request, exc)
    return redirect("finance:declaration", d.pk)


@login_required
def ranking(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_totals(request.user):
        raise PermissionDenied(_("创新积分排名仅向平台运营和科技局开放。"))
    rows = selectors.ranking(request.user)
    return render(
        request,
        "finance/ranking.html",
        {"page": Paginator(rows, 50).get_page(request.GET.get("page")), "count": len(rows)},
    )


@login_required
def figures(request: HttpRequest) -> HttpResponse:
    if not selectors.sees_totals(request.user):
        raise PermissionDenied(_("金融服务统计仅向平台运营和科技局开放。"))
    return render(request, "finance/figures.html", {"f": figures_data.summary(), "zero": Decimal("0")})
