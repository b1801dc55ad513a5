"""Pages of the vouchers domain: thin — parse, call a selector or service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from techmarket.core.http import XLSX, attachment, query_without_page
from techmarket.core.money import money

from . import selectors, services
from .export import vouchers_xlsx
from .forms import BatchForm, IssueForm, SpendForm, VoucherFilterForm
from .models import VoucherUse
from .workflow import VOUCHER_USE


def _attach(form: Any, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            for e in errs:
                form.add_error(name if name in form.fields else None, e.messages)
    else:
        form.add_error(None, exc.messages)


@login_required
def voucher_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    form = VoucherFilterForm(request.GET or None)
    qs = selectors.voucher_list_visible_to(user, **form.selector_filters())
    page = Paginator(qs, 20).get_page(request.GET.get("page"))
    bureau = selectors.is_bureau_side(user)
    totals = qs.order_by().aggregate(amount=Sum("amount"), balance=Sum("balance"))
    return render(
        request,
        "vouchers/voucher_list.html",
        {
            "form": form,
            "page": page,
            "query": query_without_page(request),
            "bureau": bureau,
            "can_issue": bool(selectors.issuing_organisations(user)),
            "totals": totals,
            "claims_waiting": selectors.uses_visible_to(user, status=VoucherUse.Status.CLAIMED).count()
            if bureau
            else 0,
            "provider_uses": selectors.uses_visible_to(user)
            .filter(provider_id__in=[o.pk for o in _orgs(user)])
            .count(),
            "holds_vouchers": bool(selectors.holder_organisations(user)),
        },
    )


def _orgs(user: Any) -> list[Any]:
    from techmarket.accounts import roles

    return roles.user_organizations(user)


@login_required
def voucher_export(request: HttpRequest) -> HttpResponse:
    if not selectors.is_bureau_side(request.user):
        raise PermissionDenied
    form = VoucherFilterForm(request.GET or None)
    qs = selectors.with_totals(selectors.voucher_list_visible_to(request.user, **form.selector_filters()))
    day = timezone.localdate().strftime("%Y%m%d")
    return attachment(vouchers_xlsx(qs[:20000]), XLSX, f"创新券台账-{day}.xlsx")


@login_required
def voucher_detail(request: HttpRequest, voucher_id: int) -> HttpResponse:
    user = request.user
    voucher = selectors.voucher_get_visible(user, voucher_id)
    from techmarket.accounts import roles

    holder_member = roles.is_org_member(user, voucher.holder)
    can_spend = holder_member and voucher.state in (voucher.State.ISSUED, voucher.State.PARTLY_SPENT)
    bookings = selectors.spendable_bookings(user, voucher) if can_spend else None
    return render(
        request,
        "vouchers/voucher_detail.html",
        {
            "voucher": voucher,
            "uses": selectors.uses_visible_to(user, voucher=voucher),
            "spend_form": SpendForm(bookings=bookings) if bookings is not None else None,
            "holder_member": holder_member,
            "can_revoke": voucher.status == voucher.Status.ACTIVE
            and voucher.batch.issuer in selectors.issuing_organisations(user),
        },
    )


@login_required
@require_POST
def voucher_spend(request: HttpRequest, voucher_id: int) -> HttpResponse:
    user = request.user
    voucher = selectors.voucher_get_visible(user, voucher_id)
    form = SpendForm(request.POST, bookings=selectors.spendable_bookings(user, voucher))
    if form.is_valid():
        try:
            use = services.voucher_spend(
                voucher=voucher,
                booking=form.cleaned_data["booking"],
                amount=form.cleaned_data["amount"],
                acting_user=user,
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(
                request, _("已用券抵扣 %(a)s，服务机构完成服务后申请兑付。") % {"a": money(use.amount, "元")}
            )
            return redirect("vouchers:detail", voucher.pk)
    return render(
        request,
        "vouchers/voucher_detail.html",
        {
            "voucher": voucher,
            "uses": selectors.uses_visible_to(user, voucher=voucher),
            "spend_form": form,
            "holder_member": True,
            "can_revoke": False,
        },
        status=422,
    )


@login_required
@require_POST
def voucher_revoke(request: HttpRequest, voucher_id: int) -> HttpResponse:
    voucher = selectors.voucher_get_visible(request.user, voucher_id)
    try:
        services.voucher_revoke(
            voucher=voucher, acting_user=request.user, reason=request.POST.get("reason", "")
        )
    except ValidationError as exc:
        for m in exc.messages:
            messages.error(request, m)
    else:
        messages.success(request, _("创新券已作废，未使用的余额不再可用。"))
    return redirect("vouchers:detail", voucher.pk)


@login_required
def batch_list(request: HttpRequest) -> HttpResponse:
    if not selectors.is_bureau_side(request.user):
        raise PermissionDenied
    batches = (
        selectors.batch_list_visible_to(request.user)
        .annotate(issued=Sum("vouchers__amount"))
        .order_by("-created_at", "-pk")
    )
    return render(
        request,
        "vouchers/batch_list.html",
        {
            "page": Paginator(batches, 20).get_page(request.GET.get("page")),
            "can_issue": bool(selectors.issuing_organisations(request.user)),
        },
    )


@login_required
def batch_create(request: HttpRequest) -> HttpResponse:
    issuers = selectors.issuing_organisations(request.user)
    if not issuers:
        raise PermissionDenied
    form = BatchForm(request.POST or None, issuers=issuers)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch = services.batch_create(
                acting_user=request.user,
                issuer=d["issuer"],
                name=d["name"],
                budget=d["budget"],
                categories=d["categories"],
                valid_from=d["valid_from"],
                valid_until=d["valid_until"],
                note=d["note"],
            )
        except ValidationError as exc:
            _attach(form, exc)
        else:
            messages.success(request, _("批次已设立，现在可以向企业发放创新券。"))
            return redirect("vouchers:batch_detail", batch.pk)
    return render(request, "vouchers/batch_form.html", {"form": form})


@login_required
def batch_detail(request: HttpRequest, batch_id: int) -> HttpResponse:
    batch = selectors.batch_get_visible(request.user, batch_id)
    can_issue = batch.issuer in selectors.issuing_organisations(request.user)
    form = IssueForm(request.POST or None, batch=batch) if can_issue else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            d = form.cleaned_data
            try:
                voucher = services.voucher_issue(
                    acting_user=request.user,
                    batch=batch,
                    holder=d["holder"],
                    amount=d["amount"],
                    categories=d["categories"] or None,
                )
            except ValidationError as exc:
                _attach(form, exc)
            else:
                messages.success(
                    request,
                    _("已向“%(h)s”发放创新券 %(c)s（%(a)s）。")
                    % {"h": voucher.holder.name, "c": voucher.code, "a": money(voucher.amount, "元")},
                )
                return redirect("vouchers:batch_detail", batch.pk)
    vouchers = selectors.voucher_list_visible_to(request.user, batch=batch.pk)
    issued = services.batch_issued_total(batch)
    return render(
        request,
        "vouchers/batch_detail.html",
        {
            "batch": batch,
            "form": form,
            "page": Paginator(vouchers, 50).get_page(request.GET.get("page")),
            "issued": issued,
            "remaining": batch.budget - issued,
        },
        status=422 if request.method == "POST" else 200,
    )


@login_required
def use_list(request: HttpRequest) -> HttpResponse:
    """The uses the user deals with: a provider's claims to make, the bureau's claims to settle."""
    user = request.user
    status = request.GET.get("status", "")
    if status not in VoucherUse.Status.values:
        status = ""
    qs = selectors.uses_visible_to(user, status=status)
    return render(
        request,
        "vouchers/use_list.html",
        {
            "page": Paginator(qs, 20).get_page(request.GET.get("page")),
            "status": status,
            "statuses": VoucherUse.Status.choices,
            "query": query_without_page(request),
        },
    )


@login_required
def use_detail(request: HttpRequest, use_id: int) -> HttpResponse:
    use = selectors.use_get_visible(request.user, use_id)
    return render(
        request,
        "vouchers/use_detail.html",
        {"use": use, "actions": VOUCHER_USE.available(request.user, use)},
    )


@login_required
@require_POST
def use_action(request: HttpRequest, use_id: int, action: str) -> HttpResponse:
    use = selectors.use_get_visible(request.user, use_id)
    try:
        use = services.use_move(
            use=use,
            action=action,
            acting_user=request.user,
            reason=request.POST.get("reason", ""),
            expected_state=request.POST.get("expected_state") or None,
        )
    except (ValidationError, PermissionDenied) as exc:
        for m in getattr(exc, "messages", None) or [str(exc) or _("您无权执行此操作。")]:
            messages.error(request, m)
    else:
        messages.success(request, _("操作成功：当前状态为“%(s)s”。") % {"s": use.get_status_display()})
    return redirect("vouchers:use_detail", use.pk)
