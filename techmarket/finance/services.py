"""Writes of the finance domain: keyword-only, atomic, audited; requests move through the decisions base."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from functools import partial
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from techmarket.audit.services import audit_record, snapshot
from techmarket.core.money import money
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.decisions.types import workflow_of
from techmarket.orgs.models import Organization
from techmarket.workflow.engine import transition

from . import points as points_mod
from . import selectors
from .models import (
    DECLARED_SOURCES,
    ConsentItem,
    DataConsent,
    Declaration,
    FinanceProduct,
    Grade,
    Loan,
    LoanApplication,
    PointsSnapshot,
    ProductKind,
)
from .request_types import DECLARATION, LOAN_APPLICATION

GRADE_ORDER = {g: i for i, g in enumerate((Grade.D, Grade.C, Grade.B, Grade.A))}


def _wan(amount: Decimal) -> str:
    return money(amount, "万元")


def _decimal(value: Any, field: str, label: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    try:
        return Decimal(str(value)).quantize(points_mod.CENT)
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("%(label)s必须是数字。") % {"label": label}}) from None


def _int(value: Any, field: str, label: str) -> int:
    if value is None or value == "":
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("%(label)s必须是整数。") % {"label": label}}) from None


# ---------------------------------------------------------------- products

PRODUCT_FIELDS = (
    "name", "kind", "min_amount", "max_amount", "min_rate", "max_rate", "min_term_months", "max_term_months",
    "conditions", "min_points", "min_grade",
)  # fmt: skip


def _clean_product(data: dict[str, Any], provider: Organization) -> dict[str, Any]:
    errors: dict[str, str] = {}
    clean: dict[str, Any] = {}
    name = (data.get("name") or "").strip()
    if len(name) < 2 or len(name) > 80:
        errors["name"] = _("产品名称为 2–80 个字。")
    clean["name"] = name
    kind = data.get("kind") or ""
    if kind not in ProductKind.values:
        errors["kind"] = _("请选择产品类型。")
    elif (kind == ProductKind.GUARANTEE) != (provider.kind == Organization.Kind.GUARANTOR):
        errors["kind"] = (
            _("融资担保机构只能发布融资担保产品。")
            if provider.kind == Organization.Kind.GUARANTOR
            else _("银行不能发布融资担保产品，请选择贷款类产品。")
        )
    clean["kind"] = kind
    for lo, hi, label, to_value in (
        ("min_amount", "max_amount", _("额度"), lambda v, f, lab: _decimal(v, f, lab)),
        ("min_rate", "max_rate", _("利率/费率"), lambda v, f, lab: _decimal(v, f, lab)),
        (
            "min_term_months",
            "max_term_months",
            pgettext("loan term", "期限"),
            lambda v, f, lab: _int(v, f, lab),
        ),
    ):
        try:
            clean[lo] = to_value(data.get(lo), lo, _("最低") + str(label))
            clean[hi] = to_value(data.get(hi), hi, _("最高") + str(label))
        except ValidationError as exc:
            errors.update({k: v[0] for k, v in exc.message_dict.items()})
            continue
        if clean[lo] > clean[hi]:
            errors[hi] = _("最高%(label)s不能低于最低%(label)s。") % {"label": label}
    if "min_amount" in clean and clean["min_amount"] <= 0:
        errors["min_amount"] = _("最低额度必须大于 0 元。")
    if "min_rate" in clean and (clean["min_rate"] < 0 or clean.get("max_rate", 0) > 36):
        errors["max_rate"] = _("利率/费率应在 0%–36% 之间。")
    if "min_term_months" in clean and clean["min_term_months"] < 1:
        errors["min_term_months"] = _("期限至少 1 个月。")
    clean["conditions"] = (data.get("conditions") or "").strip()[:2000]
    min_points = data.get("min_points")
    clean["min_points"] = (
        None if min_points in (None, "") else _decimal(min_points, "min_points", _("最低创新积分"))
    )
    if clean["min_points"] is not None and clean["min_points"] < 0:
        errors["min_points"] = _("最低创新积分不能为负数。")
    grade = data.get("min_grade") or ""
    if grade and grade not in Grade.values:
        errors["min_grade"] = _("请选择 A、B、C、D 之一。")
    clean["min_grade"] = grade
    if errors:
        raise ValidationError(errors)
    return clean


def product_create(*, acting_user: Any, provider: Organization, data: dict[str, Any]) -> FinanceProduct:
    if provider not in selectors.publisher_orgs(acting_user):
        raise PermissionDenied(_("只有银行或融资担保机构的管理员可以发布金融产品。"))
    clean = _clean_product(data, provider)
    with transaction.atomic():
        product = FinanceProduct(provider=provider, created_by=acting_user, **clean)
        product.save()
        audit_record(
            actor=acting_user, action="finance.product.create", target=product, after=snapshot(product)
        )
    return product


def product_update(*, product: FinanceProduct, acting_user: Any, data: dict[str, Any]) -> FinanceProduct:
    if not selectors.may_manage_product(acting_user, product):
        raise PermissionDenied(_("只有发布机构的管理员可以修改该产品。"))
    merged = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    merged.update({k: v for k, v in data.items() if k in PRODUCT_FIELDS})
    clean = _clean_product(merged, product.provider)
    changed = {k: v for k, v in clean.items() if getattr(product, k) != v}
    if not changed:
        return product
    with transaction.atomic():
        before = snapshot(product, changed)
        for k, v in changed.items():
            setattr(product, k, v)
        product.save()
        audit_record(
            actor=acting_user,
            action="finance.product.update",
            target=product,
            before=before,
            after=snapshot(product, changed),
        )
    return product


def product_set_status(*, product: FinanceProduct, acting_user: Any, status: str) -> FinanceProduct:
    if not selectors.may_manage_product(acting_user, product):
        raise PermissionDenied(_("只有发布机构的管理员可以停办或恢复该产品。"))
    if status not in FinanceProduct.Status.values:
        raise ValidationError(_("未知的产品状态。"))
    if product.status == status:
        return product
    with transaction.atomic():
        before = snapshot(product, ["status"])
        product.status = status
        product.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=acting_user,
            action="finance.product.status",
            target=product,
            before=before,
            after=snapshot(product, ["status"]),
        )
    return product


# ---------------------------------------------------------------- points


def points_recompute(*, organization: Organization, reason: str = "") -> PointsSnapshot | None:
    """Compute the enterprise's points and keep a snapshot when anything differs from the last one."""
    if organization.kind != Organization.Kind.ENTERPRISE:
        return None
    result = points_mod.compute(organization)
    with transaction.atomic():
        last = points_mod.latest_snapshot(organization)
        if last is not None and last.total == result.total and last.lines == result.lines:
            return None
        snap = PointsSnapshot.objects.unscoped().create(
            organization=organization,
            total=result.total,
            grade=result.grade,
            lines=result.lines,
            reason=reason[:120],
        )
        audit_record(
            actor=None,
            action="finance.points.recompute",
            target=organization,
            before={"total": str(last.total)} if last is not None else None,
            after={"total": str(snap.total), "grade": snap.grade},
            note=reason[:200],
        )
        # Points are a fact policy rules ask about (finance/facts.py): whoever re-evaluates an enterprise
        # after a profile change (policies' push) does so after a points change too.
        from techmarket.orgs.profile_services import PROFILE_LISTENERS

        for listener in PROFILE_LISTENERS:
            listener(organization)
    return snap


def schedule_recompute(org_ids: Any, reason: str) -> None:
    """After the current transaction commits, recompute these organisations' points (a task)."""
    from .tasks import recompute_points

    def run(pk: int) -> None:
        recompute_points.delay(pk, reason)

    for pk in sorted({i for i in org_ids if i}):
        transaction.on_commit(partial(run, pk))


def declaration_open(
    *,
    acting_user: Any,
    organization: Organization,
    source: str,
    year: Any,
    value: Any,
    note: str = "",
) -> Declaration:
    if organization not in selectors.enterprise_orgs(acting_user):
        raise PermissionDenied(_("只能为本人所在、已通过审核的企业申报。"))
    errors: dict[str, str] = {}
    if source not in [str(s) for s in DECLARED_SOURCES]:
        errors["source"] = _("请选择申报指标。")
    this_year = timezone.localdate().year
    try:
        year_n = int(year)
        if not this_year - 5 <= year_n <= this_year:
            errors["year"] = _("年度应在 %(a)d–%(b)d 之间。") % {"a": this_year - 5, "b": this_year}
    except (TypeError, ValueError):
        year_n = 0
        errors["year"] = _("请填写年度，例如 %(y)d。") % {"y": this_year - 1}
    try:
        amount = _decimal(value, "value", _("申报数值"))
        if amount < 0:
            errors["value"] = _("申报数值不能为负数。")
        elif source == "rd_ratio" and amount > 100:
            errors["value"] = _("研发投入占比是百分数，应在 0–100 之间。")
    except ValidationError as exc:
        amount = Decimal("0")
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        declaration = Declaration(
            organization=organization,
            requested_by=acting_user,
            source=source,
            year=year_n,
            value=amount,
            note=(note or "").strip()[:300],
        )
        opened: Declaration = request_open(
            request_type=DECLARATION,
            obj=declaration,
            acting_user=acting_user,
            after=snapshot(declaration, ["organization_id", "source", "year", "value"]),
        )
    return opened


def declaration_has_evidence(declaration: Declaration) -> bool:
    from django.contrib.contenttypes.models import ContentType

    from techmarket.documents.models import Document

    return Document.objects.filter(
        content_type=ContentType.objects.get_for_model(Declaration), object_id=declaration.pk
    ).exists()


def declaration_decide(
    *,
    declaration: Declaration,
    acting_user: Any,
    approve: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> Declaration:
    """Verify (needs an evidence document) or return with a reason; a verified figure recomputes the points."""
    if approve and not declaration_has_evidence(declaration):
        raise ValidationError(_("该申报没有上传佐证材料，不能核验通过；请退回并说明需补充的材料。"))
    with transaction.atomic():
        decided: Declaration = request_decide(
            request_type=DECLARATION, obj=declaration, acting_user=acting_user, approve=approve, reason=reason,
            expected_state=expected_state,
        )  # fmt: skip
        schedule_recompute([declaration.organization_id], _("申报核验"))
    return decided


def declaration_withdraw(*, declaration: Declaration, acting_user: Any) -> Declaration:
    withdrawn: Declaration = request_withdraw(
        request_type=DECLARATION, obj=declaration, acting_user=acting_user
    )
    return withdrawn


# ---------------------------------------------------------------- loan applications


def points_bar_problems(
    product: FinanceProduct, organization: Organization
) -> tuple[list[str], PointsSnapshot | None]:
    """Messages for a product's entry bar the enterprise does not meet, and the snapshot to share."""
    snap = points_mod.latest_snapshot(organization)
    if snap is None:
        snap = points_recompute(organization=organization, reason=_("申请融资时计算"))
    total = snap.total if snap is not None else Decimal("0")
    grade = snap.grade if snap is not None else points_mod.grade_of(total)
    problems = []
    if product.min_points is not None and total < product.min_points:
        problems.append(
            _("贵企业当前创新积分 %(p)s 分，低于该产品要求的 %(m)s 分。")
            % {"p": points_mod.fmt(total), "m": points_mod.fmt(product.min_points)}
        )
    if product.min_grade and GRADE_ORDER[Grade(grade)] < GRADE_ORDER[Grade(product.min_grade)]:
        problems.append(
            _("贵企业当前积分等级为 %(g)s，该产品要求 %(m)s 级及以上。")
            % {"g": grade, "m": product.min_grade}
        )
    return problems, snap


def _range_errors(
    product: FinanceProduct, amount: Decimal, term: int, *, amount_field: str, term_field: str
) -> dict[str, str]:
    errors = {}
    if not product.min_amount <= amount <= product.max_amount:
        errors[amount_field] = _("金额 %(a)s超出该产品的额度范围（%(lo)s–%(hi)s），请调整。") % {
            "a": _wan(amount),
            "lo": _wan(product.min_amount),
            "hi": _wan(product.max_amount),
        }
    if not product.min_term_months <= term <= product.max_term_months:
        errors[term_field] = _("期限 %(t)d 个月超出该产品的期限范围（%(lo)d–%(hi)d 个月）。") % {
            "t": term,
            "lo": product.min_term_months,
            "hi": product.max_term_months,
        }
    return errors


def loan_apply(
    *,
    acting_user: Any,
    product: FinanceProduct,
    organization: Organization,
    amount: Any,
    term_months: Any,
    purpose: str,
    consent_items: list[str],
    consent_confirmed: bool,
) -> LoanApplication:
    """Apply to a product. The consent (who, when, which data) is recorded first, in the same transaction:
    without it nothing is saved and the provider sees nothing."""
    if organization not in selectors.enterprise_orgs(acting_user):
        raise PermissionDenied(_("只能以本人所在、已通过审核的企业名义申请融资。"))
    if product.status != FinanceProduct.Status.OPEN:
        raise ValidationError(_("该产品已停办，不再受理申请。"))
    errors: dict[str, str] = {}
    items = [i for i in ConsentItem.values if i in set(consent_items or [])]
    if not consent_confirmed:
        errors["consent"] = _("请阅读并勾选数据授权：未经授权，银行看不到贵企业的任何信息，申请也无法提交。")
    elif ConsentItem.PROFILE not in items:
        errors["consent"] = _("申请融资须至少授权银行查看企业画像。")
    elif (product.min_points is not None or product.min_grade) and ConsentItem.POINTS not in items:
        errors["consent"] = _("该产品以创新积分为准入条件，须授权查看创新积分及明细。")
    try:
        amount_d = _decimal(amount, "amount", _("申请额度"))
        term = _int(term_months, "term_months", _("申请期限"))
        errors.update(_range_errors(product, amount_d, term, amount_field="amount", term_field="term_months"))
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        amount_d, term = Decimal("0"), 0
    purpose = (purpose or "").strip()
    if len(purpose) < 4 or len(purpose) > 300:
        errors["purpose"] = _("请用 4–300 字说明资金用途。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        problems, snap = points_bar_problems(product, organization)
        if problems:
            raise ValidationError({"amount": problems})
        if (
            LoanApplication.objects.unscoped()
            .select_for_update()
            .filter(product=product, organization=organization, status=LoanApplication.Status.PENDING)
            .exists()
        ):
            raise ValidationError(_("贵企业已有一份该产品的待审批申请，请等待结果或先撤回。"))
        consent = DataConsent.objects.unscoped().create(
            organization=organization, recipient=product.provider, granted_by=acting_user, items=items
        )
        audit_record(
            actor=acting_user,
            action="finance.consent.grant",
            target=consent,
            after={
                "recipient_id": product.provider_id,
                "items": items,
                "granted_at": consent.granted_at.isoformat(),
            },
        )
        application = LoanApplication(
            product=product,
            organization=organization,
            requested_by=acting_user,
            amount=amount_d,
            term_months=term,
            purpose=purpose,
            consent=consent,
            points_snapshot=snap if ConsentItem.POINTS in items else None,
        )
        opened: LoanApplication = request_open(
            request_type=LOAN_APPLICATION,
            obj=application,
            acting_user=acting_user,
            after=snapshot(
                application, ["product_id", "organization_id", "amount", "term_months", "consent_id"]
            ),
        )
    return opened


def loan_decide(
    *,
    application: LoanApplication,
    acting_user: Any,
    approve: bool,
    reason: str,
    amount: Any = None,
    rate: Any = None,
    term_months: Any = None,
    expected_state: str | None = None,
) -> LoanApplication:
    """Approve with amount, rate and term inside the product's ranges, or decline; the reason is required."""
    product = application.product
    if not selectors.provider_orgs(acting_user) or not any(
        o.pk == product.provider_id for o in selectors.provider_orgs(acting_user)
    ):
        raise PermissionDenied(_("只有该产品发布机构的工作人员可以审批。"))
    reason = (reason or "").strip()
    if not approve:
        decided: LoanApplication = request_decide(
            request_type=LOAN_APPLICATION, obj=application, acting_user=acting_user, approve=False, reason=reason,
            expected_state=expected_state,
        )  # fmt: skip
        return decided
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = _("请填写审批意见，企业会看到它。")
    try:
        amount_d = _decimal(amount, "approved_amount", _("批准额度"))
        term = _int(term_months, "approved_term_months", _("批准期限"))
        rate_d = _decimal(rate, "approved_rate", _("批准利率/费率"))
        errors.update(
            _range_errors(
                product, amount_d, term, amount_field="approved_amount", term_field="approved_term_months"
            )
        )
        if not product.min_rate <= rate_d <= product.max_rate:
            errors["approved_rate"] = _("利率/费率 %(r)s%% 超出该产品的范围（%(lo)s%%–%(hi)s%%）。") % {
                "r": points_mod.fmt(rate_d),
                "lo": points_mod.fmt(product.min_rate),
                "hi": points_mod.fmt(product.max_rate),
            }
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
    if errors:
        raise ValidationError(errors)
    approved: LoanApplication = transition(
        workflow=workflow_of(LOAN_APPLICATION),
        obj=application,
        action="approve",
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
        changes={"approved_amount": amount_d, "approved_rate": rate_d, "approved_term_months": term},
    )
    return approved


def loan_withdraw(*, application: LoanApplication, acting_user: Any) -> LoanApplication:
    """The enterprise withdraws; its consent ends with it (the provider no longer sees its data)."""
    with transaction.atomic():
        withdrawn: LoanApplication = request_withdraw(
            request_type=LOAN_APPLICATION, obj=application, acting_user=acting_user
        )
        consent = DataConsent.objects.unscoped().select_for_update().get(pk=application.consent_id)
        if consent.revoked_at is None:
            consent.revoked_at = timezone.now()
            consent.save(update_fields=["revoked_at"])
            audit_record(
                actor=acting_user,
                action="finance.consent.revoke",
                target=consent,
                after={"revoked_at": consent.revoked_at.isoformat()},
            )
    return withdrawn


def loan_grant(
    *,
    application: LoanApplication,
    acting_user: Any,
    amount: Any,
    granted_on: date | None,
    term_months: Any = None,
    rate: Any = None,
) -> Loan:
    """Record the loan (or guarantee) actually granted on an approved application; counted in the figures."""
    if not any(o.pk == application.product.provider_id for o in selectors.provider_orgs(acting_user)):
        raise PermissionDenied(_("只有该产品发布机构的工作人员可以登记放款。"))
    if application.status != LoanApplication.Status.APPROVED:
        raise ValidationError(_("只有已批准的申请才能登记放款。"))
    errors: dict[str, str] = {}
    try:
        amount_d = _decimal(amount, "amount", _("放款金额"))
        if amount_d <= 0 or amount_d > (application.approved_amount or 0):
            errors["amount"] = _("放款金额应大于 0 且不超过批准额度 %(a)s。") % {
                "a": _wan(application.approved_amount or Decimal("0"))
            }
    except ValidationError as exc:
        errors.update({k: v[0] for k, v in exc.message_dict.items()})
        amount_d = Decimal("0")
    term = (
        application.approved_term_months
        if term_months in (None, "")
        else _int(term_months, "term_months", pgettext("loan term", "期限"))
    )
    rate_d = application.approved_rate if rate in (None, "") else _decimal(rate, "rate", _("利率/费率"))
    product = application.product
    if term is None or not product.min_term_months <= term <= product.max_term_months:
        errors["term_months"] = _("期限应在该产品的 %(lo)d–%(hi)d 个月之间。") % {
            "lo": product.min_term_months,
            "hi": product.max_term_months,
        }
    if rate_d is None or not product.min_rate <= rate_d <= product.max_rate:
        errors["rate"] = _("利率/费率应在该产品的 %(lo)s%%–%(hi)s%% 之间。") % {
            "lo": points_mod.fmt(product.min_rate),
            "hi": points_mod.fmt(product.max_rate),
        }
    if granted_on is None:
        errors["granted_on"] = _("请填写放款日期。")
    elif granted_on > timezone.localdate():
        errors["granted_on"] = _("放款日期不能晚于今天。")
    elif application.decided_at and granted_on < timezone.localdate(application.decided_at):
        errors["granted_on"] = _("放款日期不能早于批准日期。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = LoanApplication.objects.unscoped().select_for_update().get(pk=application.pk)
        if Loan.objects.unscoped().filter(application=locked).exists():
            raise ValidationError(_("该申请已登记过放款。"))
        loan = Loan.objects.unscoped().create(
            application=locked,
            amount=amount_d,
            rate=rate_d,
            term_months=term,
            granted_on=granted_on,
            recorded_by=acting_user,
        )
        audit_record(actor=acting_user, action="finance.loan.grant", target=loan, after=snapshot(loan))
    return loan
