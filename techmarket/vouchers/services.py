"""Writes on vouchers: keyword-only, atomic, one audit record each; use moves go through the workflow.

Spending is the critical path: the voucher row is locked (SELECT … FOR UPDATE) before the balance is read,
the balance is lowered with an UPDATE that also requires ``balance >= amount``, and the database's check
constraint refuses a negative balance in any case — so two concurrent spends never overdraw a voucher.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.core.money import money
from techmarket.core.text import word_list
from techmarket.orgs.models import Organization
from techmarket.workflow import engine

from .models import ZERO, Category, Voucher, VoucherBatch, VoucherUse
from .selectors import issuing_organisations
from .workflow import VOUCHER_USE

MAX_AMOUNT = Decimal("10000000.00")  # one voucher: at most ¥1000万


def parse_amount(value: Any, *, field: str = "amount", label: str = "金额") -> Decimal:
    """A positive amount in 元 with at most two decimals, or a ValidationError naming the field."""
    try:
        amount = Decimal(str(value).strip().replace(",", "").replace("，", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationError(
            {field: _("%(f)s必须是数字（元），例如 5000 或 5000.50。") % {"f": label}}
        ) from None
    if not amount.is_finite():
        raise ValidationError({field: _("%(f)s必须是数字（元），例如 5000 或 5000.50。") % {"f": label}})
    if amount <= 0:
        raise ValidationError(
            {field: _("%(f)s必须大于 0 元（填写的是 %(v)s）。") % {"f": label, "v": amount}}
        )
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({field: _("%(f)s最多保留两位小数（分）。") % {"f": label}})
    if amount > MAX_AMOUNT:
        raise ValidationError({field: _("%(f)s不能超过 1000 万元。") % {"f": label}})
    return amount.quantize(Decimal("0.01"))


def _categories(values: Any) -> list[str]:
    chosen = [v for v in Category.values if v in set(values or [])]
    unknown = set(values or []) - set(Category.values)
    if unknown:
        raise ValidationError(
            {"categories": _("未知的服务类别：%(c)s。") % {"c": word_list(sorted(unknown))}}
        )
    if not chosen:
        raise ValidationError({"categories": _("请至少选择一类可购买的服务。")})
    return chosen


def _dates(valid_from: date | None, valid_until: date | None) -> None:
    errors = {}
    if valid_from is None:
        errors["valid_from"] = _("请填写有效期起始日期。")
    if valid_until is None:
        errors["valid_until"] = _("请填写有效期截止日期。")
    if not errors and valid_until < valid_from:  # type: ignore[operator]
        errors["valid_until"] = _("有效期截止日期不能早于起始日期。")
    if errors:
        raise ValidationError(errors)


# --- batches and issuing -------------------------------------------------------------------------------


@transaction.atomic
def batch_create(
    *,
    acting_user: Any,
    issuer: Organization,
    name: str,
    budget: Any,
    categories: list[str],
    valid_from: date | None,
    valid_until: date | None,
    note: str = "",
) -> VoucherBatch:
    if issuer not in issuing_organisations(acting_user):
        raise PermissionDenied(_("只有科技局用户可以以本单位名义设立创新券批次。"))
    name = (name or "").strip()
    if len(name) < 4:
        raise ValidationError({"name": _("批次名称至少 4 个字，例如“2026 年第一批创新券”。")})
    budget_value = parse_amount(budget, field="budget", label=_("总预算"))
    chosen = _categories(categories)
    _dates(valid_from, valid_until)
    assert valid_from is not None and valid_until is not None
    batch = VoucherBatch.objects.create(
        name=name[:120],
        issuer=issuer,
        budget=budget_value,
        categories=chosen,
        valid_from=valid_from,
        valid_until=valid_until,
        note=(note or "").strip()[:500],
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="vouchers.batch.create",
        target=batch,
        after={
            "name": batch.name,
            "budget": str(batch.budget),
            "categories": chosen,
            "valid_from": str(valid_from),
            "valid_until": str(valid_until),
        },
    )
    return batch


def batch_issued_total(batch: VoucherBatch) -> Decimal:
    total = (
        Voucher.objects.unscoped()
        .filter(batch=batch)
        .exclude(status=Voucher.Status.REVOKED)
        .aggregate(s=Sum("amount"))["s"]
    )
    return (total or ZERO).quantize(Decimal("0.01"))  # SQLite's SUM drops the scale


def _next_code(batch: VoucherBatch) -> str:
    n = Voucher.objects.unscoped().filter(batch=batch).count() + 1
    while True:
        code = f"CXQ-{batch.pk:04d}-{n:05d}"
        if not Voucher.objects.unscoped().filter(code=code).exists():
            return code
        n += 1


def voucher_issue(
    *,
    acting_user: Any,
    batch: VoucherBatch,
    holder: Organization,
    amount: Any,
    categories: list[str] | None = None,
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> Voucher:
    """Issue a voucher of the batch to an approved enterprise; the batch's budget is never exceeded."""
    if batch.issuer not in issuing_organisations(acting_user):
        raise PermissionDenied(_("只有发放单位的科技局用户可以发放本批次的创新券。"))
    value = parse_amount(amount, label=_("面额"))
    errors: dict[str, str] = {}
    if holder.kind != Organization.Kind.ENTERPRISE or holder.status != Organization.Status.APPROVED:
        errors["holder"] = _("创新券只能发给已审核通过的企业（“%(n)s”不是）。") % {"n": holder.name}
    chosen = _categories(categories if categories is not None else batch.categories)
    outside = set(chosen) - set(batch.categories)
    if outside:
        errors["categories"] = _("服务类别须在本批次允许的范围内（%(c)s）。") % {
            "c": word_list(batch.category_labels())
        }
    valid_from = valid_from or batch.valid_from
    valid_until = valid_until or batch.valid_until
    _dates(valid_from, valid_until)
    if valid_from < batch.valid_from or valid_until > batch.valid_until:
        errors["valid_until"] = _("有效期须在本批次的有效期内（%(a)s 至 %(b)s）。") % {
            "a": batch.valid_from,
            "b": batch.valid_until,
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        # Lock the batch: two issues at once must not both fit into the same remaining budget.
        VoucherBatch.objects.select_for_update().filter(pk=batch.pk).first()
        remaining = batch.budget - batch_issued_total(batch)
        if value > remaining:
            raise ValidationError(
                {
                    "amount": _("超出本批次剩余预算：剩余 %(r)s，本次 %(v)s。")
                    % {"r": money(remaining, "元"), "v": money(value, "元")}
                }
            )
        voucher = Voucher.objects.unscoped().create(
            batch=batch,
            code=_next_code(batch),
            holder=holder,
            amount=value,
            balance=value,
            categories=chosen,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="vouchers.voucher.issue",
            target=voucher,
            after={
                "code": voucher.code,
                "holder": holder.pk,
                "amount": str(value),
                "categories": chosen,
                "valid_from": str(valid_from),
                "valid_until": str(valid_until),
            },
        )
    return voucher


@transaction.atomic
def voucher_revoke(*, voucher: Voucher, acting_user: Any, reason: str) -> Voucher:
    """The bureau withdraws a voucher's unused balance (uses already made stay and are settled)."""
    if voucher.batch.issuer not in issuing_organisations(acting_user):
        raise PermissionDenied(_("只有发放单位的科技局用户可以作废创新券。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("作废须写明原因，持券企业会看到它。")})
    locked = Voucher.objects.unscoped().select_for_update().get(pk=voucher.pk)
    if locked.status == Voucher.Status.REVOKED:
        raise ValidationError(_("该创新券已作废。"))
    locked.status = Voucher.Status.REVOKED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=acting_user,
        action="vouchers.voucher.revoke",
        target=locked,
        before={"status": Voucher.Status.ACTIVE, "balance": str(locked.balance)},
        after={"status": Voucher.Status.REVOKED},
        note=reason[:500],
    )
    return locked


# --- spending ----------------------------------------------------------------------------------------------


def voucher_spend(*, voucher: Voucher, booking: Any, amount: Any, acting_user: Any) -> VoucherUse:
    """The holder pays (part of) an accepted facility booking with the voucher.

    Refused with a message when the user does not act for the holder, the booking is not the holder's or not
    accepted, the facility's kind is not one the voucher may buy, the voucher is not yet valid, expired
    (Asia/Shanghai date) or revoked, or the amount exceeds the balance at the moment of spending."""
    from techmarket.facilities.models import COMMITTED_BOOKING

    if not roles.is_org_member(acting_user, voucher.holder):
        raise PermissionDenied(_("只有持券企业的成员可以使用这张创新券。"))
    value = parse_amount(amount, label=_("抵扣金额"))
    errors: dict[str, str] = {}
    if booking.organization_id != voucher.holder_id:
        errors["booking"] = _("只能用于本企业的服务预约。")
    elif booking.status not in COMMITTED_BOOKING:
        errors["booking"] = _("该预约当前为“%(s)s”，只有已接受报价的预约可以用券。") % {
            "s": booking.get_status_display()
        }
    elif booking.facility.kind not in voucher.categories:
        errors["booking"] = _("这张创新券只能购买：%(c)s；“%(f)s”属于“%(k)s”。") % {
            "c": word_list(voucher.category_labels()),
            "f": booking.facility.name,
            "k": booking.facility.get_kind_display(),
        }
    elif booking.facility.owner_id == voucher.holder_id:
        errors["booking"] = _("不能用创新券购买本企业自己提供的服务。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = Voucher.objects.unscoped().select_for_update().get(pk=voucher.pk)
        today = timezone.localdate()
        if locked.status == Voucher.Status.REVOKED:
            raise ValidationError({"voucher": _("该创新券已作废，不能再使用。")})
        if today < locked.valid_from:
            raise ValidationError(
                {"voucher": _("该创新券自 %(d)s 起才能使用。") % {"d": locked.valid_from.isoformat()}}
            )
        if today > locked.valid_until:
            raise ValidationError(
                {
                    "voucher": _("该创新券已于 %(d)s 到期（北京时间当日 24 时），不能再使用。")
                    % {"d": locked.valid_until.isoformat()}
                }
            )
        if booking.quote_price is not None:
            others = (
                VoucherUse.objects.unscoped()
                .filter(booking=booking)
                .exclude(status=VoucherUse.Status.CANCELLED)
                .aggregate(total=Sum("amount"))["total"]
                or 0
            )
            room = booking.quote_price - others
            if value > room:
                raise ValidationError(
                    {
                        "amount": _("抵扣金额 %(v)s超过这笔预约尚可抵扣的 %(r)s（报价 %(p)s）。")
                        % {
                            "v": money(value, "元"),
                            "r": money(room, "元"),
                            "p": money(booking.quote_price, "元"),
                        }
                    }
                )
        if value > locked.balance:
            raise ValidationError(
                {
                    "amount": _("抵扣金额 %(v)s超过余额 %(b)s，请改小金额。")
                    % {"v": money(value, "元"), "b": money(locked.balance, "元")}
                }
            )
        if (
            VoucherUse.objects.unscoped()
            .filter(voucher=locked, booking=booking)
            .exclude(status=VoucherUse.Status.CANCELLED)
            .exists()
        ):
            raise ValidationError({"booking": _("这笔预约已经用这张创新券抵扣过了。")})
        # The guard in the WHERE clause and the check constraint hold even where row locks are absent.
        moved = (
            Voucher.objects.unscoped()
            .filter(pk=locked.pk, balance__gte=value)
            .update(balance=F("balance") - value, updated_at=timezone.now())
        )
        if moved != 1:
            raise ValidationError({"amount": _("余额不足，请刷新后重试。")})
        use = VoucherUse.objects.unscoped().create(
            voucher=locked,
            booking=booking,
            provider_id=booking.facility.owner_id,
            amount=value,
            spent_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="vouchers.use.spend",
            target=use,
            before={"balance": str(locked.balance)},
            after={
                "balance": str(locked.balance - value),
                "amount": str(value),
                "voucher": locked.pk,
                "booking": booking.pk,
                "provider": booking.facility.owner_id,
            },
        )
    return use


def use_move(
    *, use: VoucherUse, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> VoucherUse:
    """Claim (provider, with evidence), send back or settle (bureau), cancel (holder): one audited move."""
    return engine.transition(
        workflow=VOUCHER_USE,
        obj=use,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )
