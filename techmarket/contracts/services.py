"""Writes on technology contracts: validated as a whole, all or nothing, one audit record each.

技术交易额 = 合同成交额 − Σ 逐项列明的非技术性费用 (Decimal, two places). A contract whose deductions
exceed its total, whose dates run backwards or whose parties are not the engagement's is refused with
a message that says what to fix, and nothing is written.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record
from techmarket.core.money import money as money_text
from techmarket.core.text import word_list
from techmarket.orgs.models import Organization
from techmarket.orgs.validators import normalize_uscc, validate_uscc
from techmarket.reference.models import Region
from techmarket.workflow import engine

from .models import ContractParty, ContractType, Deduction, Instalment, Payment, PaymentMode, TechContract
from .workflow import CONTRACT_REGISTRATION

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("99999999999999.99")
EDITABLE = (TechContract.Status.DRAFT, TechContract.Status.REFUSED)
Role = ContractParty.Role


@dataclass
class PartyData:
    role: str
    name: str = ""
    uscc: str = ""
    kind: str = ""
    region: Region | None = None
    organization: Organization | None = None


def money(value: Any) -> Decimal:
    """A Decimal of 元 with two places; floats are refused (they already lost the cents)."""
    if isinstance(value, float):
        raise TypeError("money must not be a float")
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationError(_("金额“%(v)s”不是有效数字。") % {"v": value}) from None
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def technical_amount(total: Decimal, deductions: Iterable[Decimal]) -> Decimal:
    """合同成交额 less the itemised non-technical costs (not checked here: see ``validate_amounts``)."""
    return (money(total) - sum((money(d) for d in deductions), Decimal("0"))).quantize(CENT)


def validate_amounts(total: Decimal, deductions: Sequence[tuple[str, Decimal]]) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if total < 0:
        errors.setdefault("total_amount", []).append(_("合同成交额不能为负数。"))
    elif total > MAX_AMOUNT:
        errors.setdefault("total_amount", []).append(_("合同成交额超出可登记的范围，请核对单位（元）。"))
    for n, (item, amount) in enumerate(deductions, start=1):
        if not (item or "").strip():
            errors.setdefault("deductions", []).append(_("第 %(n)d 项非技术性费用缺少项目名称。") % {"n": n})
        if amount <= 0:
            errors.setdefault("deductions", []).append(
                _("第 %(n)d 项非技术性费用“%(item)s”金额应大于 0（当前 %(a)s）。")
                % {"n": n, "item": item, "a": money_text(amount, "元")}
            )
    if "total_amount" not in errors and "deductions" not in errors:
        deducted = sum((a for _i, a in deductions), Decimal("0"))
        if deducted > total:
            errors.setdefault("deductions", []).append(
                _(
                    "非技术性费用合计 %(d)s超过合同成交额 %(t)s：技术交易额不能为负，也不能高于成交额。"
                    "请核对各项费用。"
                )
                % {"d": money_text(deducted, "元"), "t": money_text(total, "元")}
            )
    return errors


def _validate_dates(
    signed_on: date | None, starts_on: date | None, ends_on: date | None
) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if signed_on is None:
        errors["signed_on"] = [_("请填写签订日期。")]
        return errors
    if signed_on > timezone.localdate():
        errors["signed_on"] = [_("签订日期 %(d)s 晚于今天，请核对。") % {"d": signed_on}]
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = [
            _("履行期限止 %(e)s 早于履行期限起 %(s)s，请核对日期顺序。") % {"e": ends_on, "s": starts_on}
        ]
    elif ends_on and ends_on < signed_on:
        errors["ends_on"] = [
            _("履行期限止 %(e)s 早于签订日期 %(s)s，请核对日期顺序。") % {"e": ends_on, "s": signed_on}
        ]
    return errors


def _clean_parties(parties: Sequence[PartyData]) -> tuple[list[PartyData], dict[str, list[str]]]:
    errors: list[str] = []
    cleaned: list[PartyData] = []
    for p in parties:
        label = dict(Role.choices).get(p.role, p.role)
        if p.role not in Role.values:
            errors.append(_("当事人角色“%(r)s”无效。") % {"r": p.role})
            continue
        org = p.organization
        name = (p.name or (org.name if org else "")).strip()
        code = normalize_uscc(p.uscc or (org.uscc if org else ""))
        kind = p.kind or (org.kind if org else "")
        region = p.region or (org.region if org else None)
        if not name:
            errors.append(_("请填写%(role)s名称。") % {"role": label})
        overridden = org is not None and code == org.uscc and bool(org.uscc_override_reason)
        if not overridden:
            try:
                validate_uscc(code)
            except ValidationError as exc:
                errors.extend(f"{label}：{m}" for m in exc.messages)
        if kind not in Organization.Kind.values:
            errors.append(_("请选择%(role)s的主体类型。") % {"role": label})
        cleaned.append(
            PartyData(role=p.role, name=name, uscc=code, kind=kind, region=region, organization=org)
        )
    buyers = [p for p in cleaned if p.role == Role.BUYER]
    sellers = [p for p in cleaned if p.role == Role.SELLER]
    if len(buyers) != 1 or len(sellers) != 1:
        errors.append(
            _("技术合同应有且只有一个买方和一个卖方（当前买方 %(b)d 个、卖方 %(s)d 个）。")
            % {"b": len(buyers), "s": len(sellers)}
        )
    elif buyers[0].uscc and buyers[0].uscc == sellers[0].uscc:
        errors.append(
            _("买方和卖方的统一社会信用代码相同（%(c)s），同一主体不能与自己订立技术合同。")
            % {"c": buyers[0].uscc}
        )
    return cleaned, ({"parties": errors} if errors else {})


def _validate_schedule(
    mode: str, total: Decimal, signed_on: date | None, schedule: Sequence[tuple[date, Decimal, str]]
) -> dict[str, list[str]]:
    errors: list[str] = []
    if mode not in PaymentMode.values:
        return {"payment_mode": [_("请选择支付方式。")]}
    for n, (due_on, amount, _note) in enumerate(schedule, start=1):
        if amount <= 0:
            errors.append(_("付款计划第 %(n)d 期金额应大于 0。") % {"n": n})
        if signed_on and due_on < signed_on:
            errors.append(
                _("付款计划第 %(n)d 期日期 %(d)s 早于签订日期 %(s)s。")
                % {"n": n, "d": due_on, "s": signed_on}
            )
    planned = sum((a for _d, a, _n in schedule), Decimal("0"))
    if mode != PaymentMode.ROYALTY and planned > total:
        errors.append(
            _("付款计划合计 %(p)s超过合同成交额 %(t)s。")
            % {"p": money_text(planned, "元"), "t": money_text(total, "元")}
        )
    if mode == PaymentMode.LUMP_SUM and len(schedule) > 1:
        errors.append(_("一次性支付的合同只能有一期付款计划（当前 %(n)d 期）。") % {"n": len(schedule)})
    if mode == PaymentMode.INSTALMENTS and len(schedule) < 2:
        errors.append(_("分期支付的合同请至少列出两期付款计划。"))
    return {"schedule": errors} if errors else {}


PATENT_SEPARATORS = re.compile(r"[、,，;；\n]+")


def clean_patent_numbers(text: str) -> tuple[str, dict[str, list[str]]]:
    """Each listed number normalised and checked (format, type digit, check digit) like achievements' IP.

    Returns the numbers joined with “、” and, for the bad ones, messages that name the number and the
    expected check digit; a number listed twice is kept once.
    """
    from techmarket.achievements.validators import validate_patent_number

    numbers: list[str] = []
    errors: list[str] = []
    for raw in PATENT_SEPARATORS.split(text or ""):
        if not raw.strip():
            continue
        try:
            number = validate_patent_number(raw)
        except ValidationError as exc:
            errors.extend(_("关联专利号：%(m)s") % {"m": m} for m in exc.messages)
            continue
        if number not in numbers:
            numbers.append(number)
    return "、".join(numbers), ({"patent_numbers": errors} if errors else {})


def _check_engagement(engagement: Any, parties: Sequence[PartyData]) -> dict[str, list[str]]:
    """Every party with a platform organisation must belong to the engagement the contract comes from."""
    if engagement is None:
        return {}
    from .engagement_link import engagement_org_ids

    allowed = engagement_org_ids(engagement)
    outsiders = [p.name for p in parties if p.organization is None or p.organization.pk not in allowed]
    if outsiders:
        return {
            "parties": [
                _("当事人“%(names)s”不是该对接项目的参与方，请从对接项目的参与机构中选择当事人。")
                % {"names": word_list(outsiders)}
            ]
        }
    return {}


def _check_achievements(
    achievements: Sequence[Any], parties: Sequence[PartyData], engagement: Any, acting_user: Any
) -> dict[str, list[str]]:
    """Linked achievements are the seller's (or the engagement's own) and visible to the one who links them."""
    if not achievements:
        return {}
    from techmarket.achievements.selectors import achievement_list_visible_to

    seller = next((p.organization for p in parties if p.role == Role.SELLER), None)
    visible = set(
        achievement_list_visible_to(acting_user)
        .filter(pk__in=[a.pk for a in achievements])
        .values_list("pk", flat=True)
    )
    own = getattr(engagement, "achievement_id", None)
    errors: list[str] = []
    for a in achievements:
        if a.pk not in visible:
            errors.append(_("科技成果（编号 %(id)s）不存在或您无权查看。") % {"id": a.pk})
        elif a.pk != own and (seller is None or a.owner_id != seller.pk):
            errors.append(
                _("科技成果“%(t)s”不属于卖方%(s)s，只能关联卖方机构的成果。")
                % {"t": a.title, "s": f"“{seller.name}”" if seller else _("（卖方不是平台机构）")}
            )
    return {"achievements": errors} if errors else {}


def _check_may_record(user: Any, owner: Organization, engagement: Any) -> None:
    """Members record their own organisation's contracts; an engagement's brokers record its contracts."""
    from techmarket.accounts import roles

    from .selectors import may_record_for

    if may_record_for(user, owner):
        return
    if engagement is not None:
        from .engagement_link import engagement_org_ids, is_engagement_broker

        if is_engagement_broker(user, engagement):
            return
        party_orgs = engagement_org_ids(engagement)
        mine = {o.pk for o in roles.user_organizations(user)}
        if owner.pk in party_orgs and mine & party_orgs:
            return
    raise PermissionDenied(_("您不能以“%(o)s”的名义录入技术合同。") % {"o": owner})


def _merge(*parts: dict[str, list[str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for part in parts:
        for key, messages in part.items():
            out.setdefault(key, []).extend(messages)
    return out


def _validated(
    *,
    title: str,
    contract_type: ContractType | None,
    signed_on: date | None,
    starts_on: date | None,
    ends_on: date | None,
    total_amount: Any,
    payment_mode: str,
    parties: Sequence[PartyData],
    deductions: Sequence[tuple[str, Any]],
    schedule: Sequence[tuple[date, Any, str]],
    engagement: Any,
    patent_numbers: str = "",
) -> tuple[Decimal, list[tuple[str, Decimal]], list[tuple[date, Decimal, str]], list[PartyData], str]:
    errors: dict[str, list[str]] = {}
    if not (title or "").strip():
        errors["title"] = [_("请填写合同名称。")]
    if contract_type is None:
        errors["contract_type"] = [_("请选择合同类型。")]
    elif not contract_type.is_active:
        errors["contract_type"] = [_("合同类型“%(t)s”已停用，请选择现行类型。") % {"t": contract_type}]
    total = money(total_amount)
    items = [((item or "").strip(), money(a)) for item, a in deductions]
    plan = [(d, money(a), n) for d, a, n in schedule]
    cleaned, party_errors = _clean_parties(parties)
    patents, patent_errors = clean_patent_numbers(patent_numbers)
    errors = _merge(
        errors,
        validate_amounts(total, items),
        _validate_dates(signed_on, starts_on, ends_on),
        party_errors,
        _validate_schedule(payment_mode, total, signed_on, plan),
        _check_engagement(engagement, cleaned),
        patent_errors,
    )
    if errors:
        raise ValidationError(errors)
    return total, items, plan, cleaned, patents


def _audit_state(contract: TechContract) -> dict[str, Any]:
    return {
        "title": contract.title,
        "contract_type": str(contract.contract_type),
        "signed_on": contract.signed_on,
        "total_amount": contract.total_amount,
        "technical_amount": contract.technical_amount,
        "payment_mode": contract.payment_mode,
        "parties": [f"{p.role}:{p.name}:{p.uscc}" for p in contract.parties.all()],
        "deductions": [f"{d.item}:{d.amount}" for d in contract.deductions.all()],
        "schedule": [f"{i.due_on}:{i.amount}" for i in contract.schedule.all()],
        "achievements": sorted(a.pk for a in contract.achievements.all()),
        "patent_numbers": contract.patent_numbers,
        "version": contract.version,
    }


def _write_children(
    contract: TechContract,
    parties: list[PartyData],
    deductions: list[tuple[str, Decimal]],
    schedule: list[tuple[date, Decimal, str]],
) -> None:
    contract.parties.all().delete()
    contract.deductions.all().delete()
    contract.schedule.all().delete()
    ContractParty.objects.bulk_create(
        ContractParty(
            contract=contract,
            role=p.role,
            organization=p.organization,
            name=p.name,
            uscc=p.uscc,
            kind=p.kind,
            region=p.region,
        )
        for p in parties
    )
    Deduction.objects.bulk_create(Deduction(contract=contract, item=i, amount=a) for i, a in deductions)
    Instalment.objects.bulk_create(
        Instalment(contract=contract, due_on=d, amount=a, note=n) for d, a, n in schedule
    )


def contract_create(
    *,
    acting_user: Any,
    owner: Organization,
    title: str,
    contract_type: ContractType | None,
    signed_on: date | None,
    total_amount: Any,
    payment_mode: str,
    parties: Sequence[PartyData],
    deductions: Sequence[tuple[str, Any]] = (),
    schedule: Sequence[tuple[date, Any, str]] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    industry: Any = None,
    achievements: Iterable[Any] = (),
    patent_numbers: str = "",
    summary: str = "",
    contract_number: str = "",
    external_key: str = "",
    engagement: Any = None,
    request: Any = None,
) -> TechContract:
    total, items, plan, cleaned, patents = _validated(
        title=title,
        contract_type=contract_type,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        total_amount=total_amount,
        payment_mode=payment_mode,
        parties=parties,
        deductions=deductions,
        schedule=schedule,
        engagement=engagement,
        patent_numbers=patent_numbers,
    )
    assert contract_type is not None and signed_on is not None  # checked by _validated
    _check_may_record(acting_user, owner, engagement)
    achievements = list(achievements)
    if errors := _check_achievements(achievements, cleaned, engagement, acting_user):
        raise ValidationError(errors)
    extra = {"engagement": engagement} if engagement is not None else {}
    with transaction.atomic():
        contract = TechContract(
            title=title.strip(),
            contract_type=contract_type,
            signed_on=signed_on,
            starts_on=starts_on,
            ends_on=ends_on,
            total_amount=total,
            technical_amount=technical_amount(total, [a for _i, a in items]),
            payment_mode=payment_mode,
            industry=industry
            or next(
                (
                    p.organization.industry
                    for p in cleaned
                    if p.role == Role.BUYER and p.organization is not None
                ),
                None,
            ),
            patent_numbers=patents,
            summary=summary.strip(),
            contract_number=contract_number.strip(),
            external_key=external_key.strip(),
            owner=owner,
            created_by=acting_user,
            **extra,
        )
        contract.save()
        _write_children(contract, cleaned, items, plan)
        contract.achievements.set(achievements)
        audit_record(
            actor=acting_user,
            action="contracts.contract.create",
            target=contract,
            after=_audit_state(contract),
            request=request,
        )
    return contract


def stale_contract_message(current: int) -> str:
    return _(
        "该合同已被他人修改（当前版本 %(v)d），您的修改没有保存。请刷新页面查看最新内容，再重新填写修改。"
    ) % {"v": current}


def contract_update(
    *,
    contract: TechContract,
    acting_user: Any,
    expected_version: int,
    title: str,
    contract_type: ContractType | None,
    signed_on: date | None,
    total_amount: Any,
    payment_mode: str,
    parties: Sequence[PartyData],
    deductions: Sequence[tuple[str, Any]] = (),
    schedule: Sequence[tuple[date, Any, str]] = (),
    starts_on: date | None = None,
    ends_on: date | None = None,
    industry: Any = None,
    achievements: Iterable[Any] | None = None,
    patent_numbers: str = "",
    summary: str = "",
    contract_number: str = "",
    request: Any = None,
) -> TechContract:
    """Save a new version; refused when someone saved since ``expected_version`` (nothing is lost silently)."""
    from .workflow import OPERATOR

    if contract.status not in EDITABLE and OPERATOR not in CONTRACT_REGISTRATION.kinds(acting_user, contract):
        raise ValidationError(
            _("合同处于“%(s)s”状态，不能修改；如需更正请联系登记机构。")
            % {"s": contract.get_status_display()}
        )
    if not CONTRACT_REGISTRATION.kinds(acting_user, contract):
        raise PermissionDenied(_("您无权修改该合同。"))
    engagement = getattr(contract, "engagement", None)
    total, items, plan, cleaned, patents = _validated(
        title=title,
        contract_type=contract_type,
        signed_on=signed_on,
        starts_on=starts_on,
        ends_on=ends_on,
        total_amount=total_amount,
        payment_mode=payment_mode,
        parties=parties,
        deductions=deductions,
        schedule=schedule,
        engagement=engagement,
        patent_numbers=patent_numbers,
    )
    if achievements is not None:
        achievements = list(achievements)
        if errors := _check_achievements(achievements, cleaned, engagement, acting_user):
            raise ValidationError(errors)
    with transaction.atomic():
        rows = TechContract.objects.unscoped().select_for_update().filter(pk=contract.pk)
        current = rows.values_list("version", flat=True).first()
        if current is None:
            raise ValidationError(_("该合同已不存在。"))
        # The conditional UPDATE is the guard where SELECT … FOR UPDATE is not (SQLite).
        if (
            current != expected_version
            or rows.filter(version=expected_version).update(version=F("version") + 1) != 1
        ):
            raise ValidationError(stale_contract_message(current))
        before = _audit_state(contract)
        contract.refresh_from_db()
        contract.title = title.strip()
        contract.contract_type = contract_type  # type: ignore[assignment]  # checked by _validated
        contract.signed_on = signed_on  # type: ignore[assignment]
        contract.starts_on, contract.ends_on = starts_on, ends_on
        contract.total_amount = total
        contract.technical_amount = technical_amount(total, [a for _i, a in items])
        contract.payment_mode = payment_mode
        contract.industry = industry
        contract.patent_numbers = patents
        contract.summary = summary.strip()
        contract.contract_number = contract_number.strip()
        contract.save()
        _write_children(contract, cleaned, items, plan)
        if achievements is not None:
            contract.achievements.set(list(achievements))
        audit_record(
            actor=acting_user,
            action="contracts.contract.update",
            target=contract,
            before=before,
            after=_audit_state(contract),
            request=request,
        )
    return contract


def contract_set_achievements(
    *, contract: TechContract, acting_user: Any, achievements: Sequence[Any], request: Any = None
) -> TechContract:
    """Link the seller's achievements (API); same rules as the form: editable contract, recorder, seller's."""
    from .workflow import OPERATOR

    kinds = CONTRACT_REGISTRATION.kinds(acting_user, contract)
    if not kinds:
        raise PermissionDenied(_("您无权修改该合同。"))
    if contract.status not in EDITABLE and OPERATOR not in kinds:
        raise ValidationError(
            _("合同处于“%(s)s”状态，不能修改；如需更正请联系登记机构。")
            % {"s": contract.get_status_display()}
        )
    parties = [PartyData(role=p.role, organization=p.organization) for p in contract.parties.all()]
    achievements = list(achievements)
    if errors := _check_achievements(achievements, parties, contract.engagement, acting_user):
        raise ValidationError(errors)
    with transaction.atomic():
        before = sorted(contract.achievements.values_list("pk", flat=True))
        after = sorted(a.pk for a in achievements)
        if before == after:
            return contract
        contract.achievements.set(achievements)
        TechContract.objects.unscoped().filter(pk=contract.pk).update(version=F("version") + 1)
        contract.refresh_from_db(fields=["version"])
        audit_record(
            actor=acting_user,
            action="contracts.contract.set_achievements",
            target=contract,
            before={"achievements": before},
            after={"achievements": after},
            request=request,
        )
    return contract


def contract_move(
    *,
    contract: TechContract,
    action: str,
    acting_user: Any,
    reason: str = "",
    expected_state: str | None = None,
    registration_number: str = "",
    registered_on: date | None = None,
    request: Any = None,
) -> TechContract:
    """A registration step; ``register`` needs the registration number and date."""
    changes: dict[str, Any] = {}
    if action == "register":
        number = (registration_number or "").strip()
        errors: dict[str, list[str]] = {}
        if not number:
            errors["registration_number"] = [_("认定登记必须填写登记编号。")]
        elif (
            TechContract.objects.unscoped()
            .filter(registration_number=number)
            .exclude(pk=contract.pk)
            .exists()
        ):
            errors["registration_number"] = [_("登记编号“%(n)s”已被其他合同使用。") % {"n": number}]
        if registered_on is None:
            errors["registered_on"] = [_("认定登记必须填写登记日期。")]
        elif registered_on < contract.signed_on:
            errors["registered_on"] = [
                _("登记日期 %(r)s 早于合同签订日期 %(s)s。") % {"r": registered_on, "s": contract.signed_on}
            ]
        elif registered_on > timezone.localdate():
            errors["registered_on"] = [_("登记日期不能晚于今天。")]
        if errors:
            raise ValidationError(errors)
        changes = {"registration_number": number, "registered_on": registered_on}
    try:
        return engine.transition(  # type: ignore[no-any-return]
            workflow=CONTRACT_REGISTRATION,
            obj=contract,
            action=action,
            acting_user=acting_user,
            reason=reason,
            expected_state=expected_state,
            request=request,
            changes=changes,
        )
    except IntegrityError:
        raise ValidationError(
            {"registration_number": [_("登记编号“%(n)s”已被其他合同使用。") % {"n": registration_number}]}
        ) from None


def _payment_errors(
    contract: TechContract,
    *,
    received_on: date,
    value: Decimal,
    instalment: Instalment | None,
    replacing: Payment | None = None,
) -> dict[str, list[str]]:
    """Checks of a new or corrected payment; call inside the transaction that locks the contract."""
    errors: dict[str, list[str]] = {}
    if value <= 0:
        errors["amount"] = [_("到账金额应大于 0。")]
    if received_on < contract.signed_on:
        errors["received_on"] = [
            _("到账日期 %(r)s 早于合同签订日期 %(s)s。") % {"r": received_on, "s": contract.signed_on}
        ]
    elif received_on > timezone.localdate():
        errors["received_on"] = [_("到账日期不能晚于今天。")]
    if instalment is not None and instalment.contract_id != contract.pk:
        errors["instalment"] = [_("所选付款计划不属于该合同。")]
    others = Payment.objects.filter(contract=contract)
    if replacing is not None:
        others = others.exclude(pk=replacing.pk)
    received = sum((p.amount for p in others), Decimal("0"))
    if (
        not errors
        and contract.payment_mode != PaymentMode.ROYALTY
        and received + value > contract.total_amount
    ):
        errors["amount"] = [
            _("累计到账 %(s)s将超过合同成交额 %(t)s，请核对金额。")
            % {"s": money_text(received + value, "元"), "t": money_text(contract.total_amount, "元")}
        ]
    return errors


def payment_record(
    *,
    contract: TechContract,
    acting_user: Any,
    received_on: date,
    amount: Any,
    instalment: Instalment | None = None,
    note: str = "",
    request: Any = None,
) -> Payment:
    if not CONTRACT_REGISTRATION.kinds(acting_user, contract):
        raise PermissionDenied(_("您无权为该合同登记到账。"))
    value = money(amount)
    with transaction.atomic():
        TechContract.objects.unscoped().select_for_update().filter(pk=contract.pk).first()
        errors = _payment_errors(contract, received_on=received_on, value=value, instalment=instalment)
        if errors:
            raise ValidationError(errors)
        payment = Payment.objects.create(
            contract=contract,
            instalment=instalment,
            received_on=received_on,
            amount=value,
            note=note.strip(),
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="contracts.payment.create",
            target=contract,
            after={
                "received_on": received_on,
                "amount": value,
                "instalment": instalment.pk if instalment else None,
            },
            request=request,
        )
    return payment


def may_correct_payments(user: Any, contract: TechContract) -> bool:
    """Members of the recording organisation (登记申请单位) and operators correct or delete payments."""
    from techmarket.accounts import roles

    return bool(getattr(user, "is_authenticated", False)) and roles.is_member_or_operator(
        user, contract.owner
    )


def _payment_state(payment: Payment) -> dict[str, Any]:
    return {
        "payment": payment.pk,
        "received_on": payment.received_on,
        "amount": payment.amount,
        "instalment": payment.instalment_id,
        "note": payment.note,
    }


def _check_correction(payment: Payment, acting_user: Any, reason: str) -> str:
    if not may_correct_payments(acting_user, payment.contract):
        raise PermissionDenied(_("只有登记申请单位的成员和平台运营可以更正或删除到账记录。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("请填写更正原因（如“金额录错”），该原因会记入审计日志。")]})
    return reason


def payment_update(
    *,
    payment: Payment,
    acting_user: Any,
    received_on: date,
    amount: Any,
    instalment: Instalment | None = None,
    note: str = "",
    reason: str,
    request: Any = None,
) -> Payment:
    """Correct a wrongly entered payment; the totals are checked again as if it were entered anew."""
    reason = _check_correction(payment, acting_user, reason)
    contract = payment.contract
    value = money(amount)
    with transaction.atomic():
        TechContract.objects.unscoped().select_for_update().filter(pk=contract.pk).first()
        errors = _payment_errors(
            contract, received_on=received_on, value=value, instalment=instalment, replacing=payment
        )
        if errors:
            raise ValidationError(errors)
        before = _payment_state(payment)
        payment.received_on, payment.amount = received_on, value
        payment.instalment, payment.note = instalment, note.strip()
        after = _payment_state(payment)
        if after == before:
            return payment
        payment.save(update_fields=["received_on", "amount", "instalment", "note"])
        audit_record(
            actor=acting_user,
            action="contracts.payment.update",
            target=contract,
            before=before,
            after=after,
            note=reason,
            request=request,
        )
    return payment


def payment_delete(*, payment: Payment, acting_user: Any, reason: str, request: Any = None) -> None:
    """Delete a payment entered by mistake (wrong contract, entered twice); the audit keeps what it was."""
    reason = _check_correction(payment, acting_user, reason)
    contract = payment.contract
    with transaction.atomic():
        TechContract.objects.unscoped().select_for_update().filter(pk=contract.pk).first()
        before = _payment_state(payment)
        payment.delete()
        audit_record(
            actor=acting_user,
            action="contracts.payment.delete",
            target=contract,
            before=before,
            note=reason,
            request=request,
        )
