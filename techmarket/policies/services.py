"""Writes of the policies domain: policies with their rules, pushes, and 直达快享 applications.

Keyword-only, atomic, one audit record each; pushes run off the request (outbox → Celery task) and are
idempotent: one PolicyPush per (policy, organisation, version), enforced by the database; a near miss that
later meets every rule is told once more (the push becomes eligible).
"""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog.text import reject_html
from techmarket.core.money import money
from techmarket.decisions.services import request_open, request_withdraw
from techmarket.workflow.engine import transition

from . import selectors
from .models import OPEN_APPLICATION, Policy, PolicyApplication, PolicyPush, PolicyRule
from .permissions import may_decide_applications, may_manage_policies
from .request_types import APPLICATION
from .rules import Rule, clean_rule, contradictions
from .workflow import PAYMENT, POLICY

FIELDS = (
    "title",
    "issuer",
    "document_number",
    "level",
    "region",
    "support_type",
    "summary",
    "amount_text",
    "max_amount",
    "valid_from",
    "valid_until",
    "allows_application",
)
MAX_AMOUNT = Decimal("1000000000")


def _money(value: Any, label: str, errors: dict[str, list[str]], field: str) -> Decimal | None:
    if value in ("", None):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip()).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("“%(f)s”应为金额（元），例如 500000。") % {"f": label})
        return None
    if amount < 0 or amount > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("“%(f)s”应在 0 至 10 亿元之间。") % {"f": label})
        return None
    return amount


def _clean_policy(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    out: dict[str, Any] = {k: data.get(k) for k in FIELDS if k in data}
    for field, label, limit in (
        ("title", _("政策名称"), 160),
        ("issuer", _("发文单位"), 120),
        ("summary", _("政策要点"), 4000),
        ("document_number", _("文号"), 64),
        ("amount_text", _("支持标准"), 200),
    ):
        value = str(out.get(field) or "").strip()
        out[field] = value
        if field in ("title", "issuer", "summary") and not value:
            errors.setdefault(field, []).append(_("请填写“%(f)s”。") % {"f": label})
        elif len(value) > limit:
            errors.setdefault(field, []).append(_("“%(f)s”最多 %(n)d 字。") % {"f": label, "n": limit})
        try:
            reject_html(value, str(label))
        except ValidationError as exc:
            errors.setdefault(field, []).append(exc.messages[0])
    if out.get("level") not in Policy.Level.values:
        errors.setdefault("level", []).append(_("请选择政策层级（国家 / 省 / 市 / 县区）。"))
    if out.get("support_type") not in Policy.SupportType.values:
        errors.setdefault("support_type", []).append(_("请选择支持方式。"))
    out["max_amount"] = _money(out.get("max_amount"), _("单个企业最高金额"), errors, "max_amount")
    for field in ("valid_from", "valid_until"):
        given = out.get(field)
        if isinstance(given, str):
            try:
                out[field] = datetime.date.fromisoformat(given) if given else None
            except ValueError:
                errors.setdefault(field, []).append(_("日期格式应为 YYYY-MM-DD。"))
                out[field] = None
        elif given in ("", None):
            out[field] = None
    if out.get("valid_from") and out.get("valid_until") and out["valid_from"] > out["valid_until"]:
        errors.setdefault("valid_until", []).append(_("截止日期不能早于生效日期。"))
    out["allows_application"] = bool(out.get("allows_application"))
    if out["allows_application"] and not out.get("max_amount"):
        errors.setdefault("max_amount", []).append(
            _("直达快享政策须填写单个企业最高金额，核定金额不能超过它。")
        )
    region = out.get("region")
    if isinstance(region, str):
        from techmarket.reference.models import Region

        out["region"] = Region.objects.filter(pk=region).first() if region else None
        if region and out["region"] is None:
            errors.setdefault("region", []).append(_("地区代码“%(c)s”不存在。") % {"c": region})
    if errors:
        raise ValidationError(errors)
    return out


def clean_rules(rows: list[dict[str, Any]]) -> list[Rule]:
    """Rules from the form or API rows ({fact, op, values, valid_through}); errors name the row."""
    rules: list[Rule] = []
    errors: list[str] = []
    for number, row in enumerate(rows, start=1):
        values = row.get("values") or []
        if isinstance(values, str):
            values = [v for v in values.replace("，", ",").replace("、", ",").split(",")]
        try:
            rules.append(
                clean_rule(
                    str(row.get("fact") or ""), str(row.get("op") or ""), values, row.get("valid_through")
                )
            )
        except ValidationError as exc:
            errors.append(_("第 %(n)d 条条件：%(m)s") % {"n": number, "m": exc.messages[0]})
    if errors:
        raise ValidationError({"rules": errors})
    return rules


def rule_warnings(rules: list[Rule], data: dict[str, Any]) -> list[str]:
    return contradictions(
        rules, today=selectors.today(), valid_from=data.get("valid_from"), valid_until=data.get("valid_until")
    )


def _rules_snapshot(policy: Policy) -> list[dict[str, Any]]:
    return [
        {
            "fact": r.fact,
            "op": r.op,
            "values": list(r.values),
            "valid_through": r.valid_through.isoformat() if r.valid_through else None,
        }
        for r in policy.rules.all()
    ]


def _write_rules(policy: Policy, rules: list[Rule]) -> None:
    policy.rules.all().delete()
    PolicyRule.objects.bulk_create(
        [
            PolicyRule(
                policy=policy,
                fact=r.fact,
                op=r.op,
                values=list(r.values),
                valid_through=r.valid_through,
                position=i,
            )
            for i, r in enumerate(rules)
        ]
    )


def policy_create(*, acting_user: Any, rules: list[dict[str, Any]], **data: Any) -> tuple[Policy, list[str]]:
    """A draft policy with its rules; returns it and the warnings about rules that can never match."""
    if not may_manage_policies(acting_user):
        raise PermissionDenied(_("只有平台运营可以录入政策。"))
    cleaned = _clean_policy(data)
    rule_list = clean_rules(rules)
    with transaction.atomic():
        policy = Policy.objects.unscoped().create(created_by=acting_user, **cleaned)
        _write_rules(policy, rule_list)
        after = snapshot(policy, [*FIELDS[:4], "region_id", *FIELDS[5:], "status", "version"])
        after["rules"] = _rules_snapshot(policy)
        audit_record(actor=acting_user, action="policies.policy.create", target=policy, after=after)
    return policy, rule_warnings(rule_list, cleaned)


def policy_update(
    *, policy: Policy, acting_user: Any, rules: list[dict[str, Any]], **data: Any
) -> tuple[Policy, list[str]]:
    """Saves the fields and replaces the rules; nothing is written when nothing differs. A published policy
    whose rules change gets a new version and is pushed again (enterprises newly matching are told)."""
    if not may_manage_policies(acting_user):
        raise PermissionDenied(_("只有平台运营可以修改政策。"))
    cleaned = _clean_policy(data)
    rule_list = clean_rules(rules)
    warnings = rule_warnings(rule_list, cleaned)
    names = [*FIELDS[:4], "region_id", *FIELDS[5:], "status", "version"]
    with transaction.atomic():
        locked = Policy.objects.unscoped().select_for_update().get(pk=policy.pk)
        before = snapshot(locked, names)
        before["rules"] = _rules_snapshot(locked)
        changed = [k for k, v in cleaned.items() if getattr(locked, k) != v]
        rules_changed = list(rule_list) != locked.rule_list()
        if not changed and not rules_changed:
            return locked, warnings
        for k in changed:
            setattr(locked, k, cleaned[k])
        if rules_changed:
            _write_rules(locked, rule_list)
        repush = locked.status == Policy.Status.PUBLISHED and (
            rules_changed or {"valid_from", "valid_until"} & set(changed)
        )
        if repush:
            locked.version += 1
        locked.save()
        after = snapshot(locked, names)
        after["rules"] = _rules_snapshot(locked)
        audit_record(
            actor=acting_user, action="policies.policy.update", target=locked, before=before, after=after
        )
        if repush:
            from techmarket.outbox.services import outbox_enqueue

            outbox_enqueue(task="techmarket.policies.tasks.push_policy", args=[locked.pk])
    return locked, warnings


def policy_move(
    *, policy: Policy, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Policy:
    return transition(
        workflow=POLICY,
        obj=policy,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )  # type: ignore[no-any-return]


# ---- pushes ---------------------------------------------------------------------------------------------


def _push(policy: Policy, organization: Any, day: datetime.date) -> bool:
    """Record and notify one push if the enterprise meets (or nearly meets) the policy; False when it does not
    fit or was already told about this version."""
    evaluation = selectors.evaluate_policy(policy, organization, day)
    if not (evaluation.eligible or evaluation.near_miss):
        return False
    earlier = (
        PolicyPush.objects.unscoped()
        .filter(policy=policy, organization=organization, version=policy.version)
        .first()
    )
    if earlier is not None:
        if earlier.eligible or not evaluation.eligible:
            return False
        # Told "差一项" before, meets every rule now (profile, certificate or points changed): say so once.
        with transaction.atomic():
            updated = (
                PolicyPush.objects.unscoped()
                .filter(pk=earlier.pk, eligible=False)
                .update(eligible=True, reasons=evaluation.reasons)
            )
            if not updated:  # a concurrent run told it first
                return False
            earlier.refresh_from_db()
            from .notify import policy_pushed

            policy_pushed(earlier)
        return True
    try:
        with transaction.atomic():
            push = PolicyPush.objects.unscoped().create(
                policy=policy,
                organization=organization,
                version=policy.version,
                eligible=evaluation.eligible,
                reasons=evaluation.reasons,
            )
            from .notify import policy_pushed

            policy_pushed(push)
    except IntegrityError:  # a concurrent run recorded it first
        return False
    return True


def policy_push(*, policy_id: int) -> int:
    """Tell every enterprise that meets (or nearly meets) a live policy; returns how many were new."""
    policy = selectors.live_policies().filter(pk=policy_id).first()
    if policy is None:
        return 0
    day = selectors.today()
    return sum(_push(policy, org, day) for org in selectors.enterprises_to_evaluate())


def organization_push(*, organization_id: int) -> int:
    """After a profile or certificate change: tell the enterprise about live policies it now fits."""
    org = selectors.enterprises_to_evaluate().filter(pk=organization_id).first()
    if org is None:
        return 0
    day = selectors.today()
    return sum(_push(policy, org, day) for policy in selectors.live_policies())


# ---- 直达快享 applications ----------------------------------------------------------------------------


def application_open(
    *,
    policy: Policy,
    organization: Any,
    acting_user: Any,
    requested_amount: Any,
    statement: str,
    contact_phone: str,
) -> PolicyApplication:
    """An enterprise applies for a policy it meets now; the amount may not exceed the policy's maximum."""
    from techmarket.accounts import roles

    if not roles.is_org_member(acting_user, organization):
        raise PermissionDenied(_("只有本企业成员可以代表企业申请。"))
    errors: dict[str, list[str]] = {}
    amount = _money(requested_amount, _("申请金额"), errors, "requested_amount")
    if amount is None and "requested_amount" not in errors:
        errors["requested_amount"] = [_("请填写申请金额（元）。")]
    elif amount is not None and amount <= 0:
        errors["requested_amount"] = [_("申请金额应大于 0。")]
    elif amount is not None and policy.max_amount is not None and amount > policy.max_amount:
        errors["requested_amount"] = [
            _("申请金额 %(a)s超过该政策单个企业最高 %(m)s。")
            % {"a": money(amount, "元"), "m": money(policy.max_amount, "元")}
        ]
    statement = (statement or "").strip()
    if len(statement) < 10:
        errors["statement"] = [_("请用至少 10 个字说明申请事项（项目、投入、依据）。")]
    elif len(statement) > 2000:
        errors["statement"] = [_("申请说明最多 2000 字。")]
    contact_phone = (contact_phone or "").strip()
    if (
        not contact_phone
        or len(contact_phone) > 32
        or not all(c.isdigit() or c in "-+ " for c in contact_phone)
    ):
        errors["contact_phone"] = [_("请填写联系电话（数字，可含“-”），例如 0539-8123456。")]
    if errors:
        raise ValidationError(errors)
    if not policy.allows_application or policy.status != Policy.Status.PUBLISHED:
        raise ValidationError(_("该政策不支持在线申请（直达快享）或已停止。"))
    day = selectors.today()
    if not policy.open_on(day):
        raise ValidationError(_("该政策不在申报期内。"))
    evaluation = selectors.evaluate_policy(policy, organization, day)
    if not evaluation.eligible:
        missing = "；".join(r.reason for r in evaluation.missing)
        raise ValidationError(_("贵企业暂不符合申报条件：%(m)s") % {"m": missing})
    with transaction.atomic():
        if (
            PolicyApplication.objects.unscoped()
            .select_for_update()
            .filter(policy=policy, organization=organization, status__in=OPEN_APPLICATION)
            .exists()
        ):
            raise ValidationError(_("贵企业已申请过该政策（待审核、已核定或已拨付），不能重复申请。"))
        assert amount is not None  # checked above
        application = PolicyApplication(
            policy=policy,
            organization=organization,
            requested_by=acting_user,
            requested_amount=amount,
            statement=statement,
            contact_phone=contact_phone,
            reasons=evaluation.reasons,
        )
        return request_open(  # type: ignore[no-any-return]
            request_type=APPLICATION,
            obj=application,
            acting_user=acting_user,
            after={"status": application.status, "requested_amount": str(amount), "policy_id": policy.pk},
        )


def application_approve(
    *,
    application: PolicyApplication,
    acting_user: Any,
    approved_amount: Any,
    note: str = "",
    expected_state: str | None = None,
) -> PolicyApplication:
    if not may_decide_applications(acting_user):
        raise PermissionDenied(_("只有科技局或平台运营可以审核申请。"))
    errors: dict[str, list[str]] = {}
    amount = _money(approved_amount, _("核定金额"), errors, "approved_amount")
    if not errors:
        maximum = application.policy.max_amount
        if amount is None or amount <= 0:
            errors["approved_amount"] = [_("请填写大于 0 的核定金额（元）。")]
        elif maximum is not None and amount > maximum:
            errors["approved_amount"] = [
                _("核定金额 %(a)s超过该政策单个企业最高 %(m)s。")
                % {"a": money(amount, "元"), "m": money(maximum, "元")}
            ]
        elif amount > application.requested_amount:
            errors["approved_amount"] = [
                _("核定金额 %(a)s超过企业申请的 %(r)s。")
                % {"a": money(amount, "元"), "r": money(application.requested_amount, "元")}
            ]
    if errors:
        raise ValidationError(errors)
    from techmarket.decisions.types import workflow_of

    return transition(  # type: ignore[no-any-return]
        workflow=workflow_of(APPLICATION),
        obj=application,
        action="approve",
        acting_user=acting_user,
        reason=note,
        expected_state=expected_state,
        changes={"approved_amount": amount},
    )


def application_reject(
    *, application: PolicyApplication, acting_user: Any, reason: str, expected_state: str | None = None
) -> PolicyApplication:
    from techmarket.decisions.services import request_decide

    return request_decide(  # type: ignore[no-any-return]
        request_type=APPLICATION,
        obj=application,
        acting_user=acting_user,
        approve=False,
        reason=reason,
        expected_state=expected_state,
    )


def application_withdraw(
    *, application: PolicyApplication, acting_user: Any, expected_state: str | None = None
) -> PolicyApplication:
    return request_withdraw(  # type: ignore[no-any-return]
        request_type=APPLICATION, obj=application, acting_user=acting_user, expected_state=expected_state
    )


def application_pay(
    *,
    application: PolicyApplication,
    acting_user: Any,
    paid_amount: Any = None,
    payment_reference: str = "",
    expected_state: str | None = None,
) -> PolicyApplication:
    """The approved amount (or less) paid out, with the payment voucher number."""
    errors: dict[str, list[str]] = {}
    amount = (
        _money(paid_amount, _("拨付金额"), errors, "paid_amount")
        if paid_amount not in ("", None)
        else application.approved_amount
    )
    if not errors and (amount is None or amount <= 0):
        errors["paid_amount"] = [_("请填写大于 0 的拨付金额（元）。")]
    elif (
        not errors
        and amount is not None
        and application.approved_amount is not None
        and amount > application.approved_amount
    ):
        errors["paid_amount"] = [
            _("拨付金额 %(a)s超过核定金额 %(m)s。")
            % {"a": money(amount, "元"), "m": money(application.approved_amount, "元")}
        ]
    reference = (payment_reference or "").strip()
    if not reference:
        errors["payment_reference"] = [_("请填写拨付凭证号，便于对账。")]
    elif len(reference) > 64:
        errors["payment_reference"] = [_("拨付凭证号最多 64 个字符。")]
    if errors:
        raise ValidationError(errors)
    return transition(  # type: ignore[no-any-return]
        workflow=PAYMENT,
        obj=application,
        action="pay",
        acting_user=acting_user,
        expected_state=expected_state,
        changes={"paid_amount": amount, "payment_reference": reference},
    )
