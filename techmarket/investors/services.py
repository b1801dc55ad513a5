"""Writes on funds, finance seekings and interests: keyword-only, atomic, one audit record each; interest
moves go through the workflow (``workflow.INTEREST``); engagements are opened by the engagements service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.core.money import money
from techmarket.orgs.models import Organization
from techmarket.workflow import engine
from techmarket.workflow.workdays import add_working_days

from .models import FinanceSeeking, Fund, Interest, Investment, Stage
from .workflow import ARRANGE_WORKING_DAYS, INTEREST


def _money(value: Any, field: str, label: str) -> Decimal:
    try:
        amount = Decimal(str(value).strip().replace(",", ""))
    except (InvalidOperation, AttributeError):
        raise ValidationError({field: _("%(f)s必须是数字（元）。") % {"f": label}}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({field: _("%(f)s必须大于 0 元。") % {"f": label}})
    if amount != amount.quantize(Decimal("0.01")) or amount >= Decimal("1e14"):
        raise ValidationError({field: _("%(f)s最多两位小数、不超过百万亿元。") % {"f": label}})
    return amount


def _stages(values: Any) -> list[str]:
    chosen = [v for v in Stage.values if v in set(values or [])]
    if set(values or []) - set(Stage.values):
        raise ValidationError({"stages": _("未知的投资阶段。")})
    if not chosen:
        raise ValidationError({"stages": _("请至少选择一个投资阶段。")})
    return chosen


# --- funds ---------------------------------------------------------------------------------------------------


FUND_FIELDS = ("name", "stages", "ticket_min", "ticket_max", "size", "summary", "is_active")


@transaction.atomic
def fund_save(
    *,
    acting_user: Any,
    manager: Organization,
    data: dict[str, Any],
    fund: Fund | None = None,
) -> Fund:
    """Create or update a fund profile of an investor organisation (its members or an operator)."""
    if manager.kind != Organization.Kind.INVESTOR:
        raise ValidationError({"manager": _("只有投资机构可以登记基金。")})
    if not roles.is_member_or_operator(acting_user, manager):
        raise PermissionDenied(_("只有该投资机构的成员可以维护它的基金。"))
    if fund is not None and fund.manager_id != manager.pk:
        raise PermissionDenied(_("这只基金不属于该机构。"))
    name = (data.get("name") or "").strip()
    errors: dict[str, str] = {}
    if len(name) < 2:
        errors["name"] = _("请填写基金名称。")
    if errors:
        raise ValidationError(errors)
    stages = _stages(data.get("stages"))
    lo = _money(data.get("ticket_min"), "ticket_min", _("单笔投资下限"))
    hi = _money(data.get("ticket_max"), "ticket_max", _("单笔投资上限"))
    if hi < lo:
        raise ValidationError({"ticket_max": _("单笔投资上限不能低于下限。")})
    size = _money(data["size"], "size", _("基金规模")) if data.get("size") not in (None, "") else None
    values = {
        "name": name[:120],
        "stages": stages,
        "ticket_min": lo,
        "ticket_max": hi,
        "size": size,
        "summary": (data.get("summary") or "").strip()[:2000],
        "is_active": bool(data.get("is_active", True)),
    }
    before = {k: getattr(fund, k) for k in FUND_FIELDS} if fund is not None else {}
    creating = fund is None
    if fund is None:
        fund = Fund(manager=manager, created_by=acting_user)
    for k, v in values.items():
        setattr(fund, k, v)
    try:
        with transaction.atomic():
            fund.save()
    except IntegrityError:
        raise ValidationError({"name": _("本机构已有同名基金。")}) from None
    for rel in ("industries", "chain_nodes", "regions"):
        if rel in data:
            getattr(fund, rel).set(data[rel] or [])
    audit_record(
        actor=acting_user,
        action="investors.fund.create" if creating else "investors.fund.update",
        target=fund,
        before={k: str(v) for k, v in before.items()},
        after={
            **{k: str(v) for k, v in values.items()},
            "industries": sorted(fund.industries.values_list("code", flat=True)),
            "chain_nodes": sorted(fund.chain_nodes.values_list("pk", flat=True)),
            "regions": sorted(fund.regions.values_list("code", flat=True)),
        },
    )
    return fund


# --- finance seekings ---------------------------------------------------------------------------------------


@transaction.atomic
def seeking_create(
    *,
    acting_user: Any,
    organization: Organization,
    title: str,
    amount: Any,
    stage: str,
    use_of_funds: str,
    summary: str = "",
    chain_node: Any = None,
) -> FinanceSeeking:
    """An enterprise marks itself as seeking finance."""
    if organization.kind != Organization.Kind.ENTERPRISE or not organization.is_approved:
        raise ValidationError({"organization": _("只有已审核通过的企业可以发布融资需求。")})
    if not roles.is_org_member(acting_user, organization):
        raise PermissionDenied(_("只有本企业的成员可以发布融资需求。"))
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if len(title) < 4:
        errors["title"] = _("项目名称至少 4 个字。")
    if stage not in Stage.values:
        errors["stage"] = _("请选择融资阶段。")
    use_of_funds = (use_of_funds or "").strip()
    if len(use_of_funds) < 4:
        errors["use_of_funds"] = _("请写明资金用途（至少 4 个字），例如“扩建中试线、补充流动资金”。")
    if errors:
        raise ValidationError(errors)
    value = _money(amount, "amount", _("拟融资额"))
    seeking = FinanceSeeking.objects.unscoped().create(
        organization=organization,
        title=title[:120],
        amount=value,
        stage=stage,
        use_of_funds=use_of_funds[:500],
        summary=(summary or "").strip()[:2000],
        chain_node=chain_node,
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="investors.seeking.create",
        target=seeking,
        after={
            "title": seeking.title,
            "amount": str(value),
            "stage": stage,
            "use_of_funds": seeking.use_of_funds,
        },
    )
    return seeking


@transaction.atomic
def seeking_close(*, seeking: FinanceSeeking, acting_user: Any) -> FinanceSeeking:
    if not roles.is_member_or_operator(acting_user, seeking.organization):
        raise PermissionDenied(_("只有本企业的成员可以结束融资需求。"))
    if seeking.status == FinanceSeeking.Status.CLOSED:
        return seeking
    seeking.status = FinanceSeeking.Status.CLOSED
    seeking.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=acting_user,
        action="investors.seeking.close",
        target=seeking,
        before={"status": FinanceSeeking.Status.OPEN},
        after={"status": FinanceSeeking.Status.CLOSED},
    )
    return seeking


# --- interests -----------------------------------------------------------------------------------------------


def interest_express(
    *,
    acting_user: Any,
    fund: Fund,
    achievement: Any = None,
    seeking: FinanceSeeking | None = None,
    kind: str = Interest.Kind.ENGAGEMENT,
    note: str = "",
) -> Interest:
    """A fund's investor says it is interested in an achievement or a seeking enterprise; the platform's
    brokers and operators are due to arrange an engagement or a roadshow slot within 5 working days."""
    from .matching import achievement_fit, prefs, seeking_fit

    if not roles.is_org_member(acting_user, fund.manager):
        raise PermissionDenied(_("只有该基金所属投资机构的成员可以表达投资意向。"))
    if (achievement is None) == (seeking is None):
        raise ValidationError(_("请选择一项科技成果或一项企业融资需求。"))
    if kind not in Interest.Kind.values:
        raise ValidationError({"kind": _("请选择意向：对接洽谈或安排路演。")})
    if not fund.is_active:
        raise ValidationError({"fund": _("该基金已停止投资，不能表达新的意向。")})
    if seeking is not None and seeking.status != FinanceSeeking.Status.OPEN:
        raise ValidationError({"seeking": _("该融资需求已结束。")})
    if achievement is not None and achievement.status not in ("published", "in_progress"):
        raise ValidationError({"achievement": _("只有已发布或对接中的成果可以表达意向。")})
    target = achievement.owner if achievement is not None else seeking.organization  # type: ignore[union-attr]
    if target.pk == fund.manager_id:
        raise ValidationError(_("不能对本机构自己的项目表达意向。"))
    p = prefs(fund)
    fit = achievement_fit(p, achievement) if achievement is not None else seeking_fit(p, seeking)  # type: ignore[arg-type]
    now = timezone.now()
    try:
        with transaction.atomic():
            interest = Interest.objects.unscoped().create(
                fund=fund,
                achievement=achievement,
                seeking=seeking,
                target=target,
                kind=kind,
                note=(note or "").strip()[:500],
                match_reasons=[str(r) for r in fit.met],
                created_by=acting_user,
                due_at=add_working_days(now, ARRANGE_WORKING_DAYS),
            )
            audit_record(
                actor=acting_user,
                action="investors.interest.create",
                target=interest,
                after={
                    "fund": fund.pk,
                    "achievement": getattr(achievement, "pk", None),
                    "seeking": getattr(seeking, "pk", None),
                    "kind": kind,
                    "score": fit.score,
                },
            )
    except IntegrityError:
        raise ValidationError(_("该基金对这个项目已有待安排的意向，请勿重复提交。")) from None
    return interest


def interest_engage(*, interest: Interest, acting_user: Any, expected_state: str | None = None) -> Interest:
    """Open the engagement for an interest (a broker or operator): the demand side is the investor for an
    achievement, the enterprise for a finance seeking; both in one transaction with the move."""
    from techmarket.engagements.models import Origin
    from techmarket.engagements.services import engagement_open

    if not INTEREST.may(acting_user, interest, "engage"):
        raise PermissionDenied(_("只有经纪人和平台运营可以为投资意向立项对接。"))
    with transaction.atomic():
        if interest.achievement_id:
            achievement = interest.achievement
            engagement = engagement_open(
                acting_user=acting_user,
                title=_("%(f)s × %(t)s") % {"f": interest.fund.name, "t": achievement.title},  # type: ignore[union-attr]
                demand_org=interest.fund.manager,
                supply_org=interest.target,
                achievement=achievement,
                origin=Origin.ACHIEVEMENT,
                summary=_("投资意向：%(n)s") % {"n": interest.note or interest.get_kind_display()},
            )
        else:
            seeking = interest.seeking
            engagement = engagement_open(
                acting_user=acting_user,
                title=_("%(t)s 融资对接：%(f)s") % {"t": seeking.title, "f": interest.fund.name},  # type: ignore[union-attr]
                demand_org=interest.target,
                supply_org=interest.fund.manager,
                origin=Origin.MANUAL,
                summary=_("融资需求：%(a)s，用途：%(u)s。投资意向：%(n)s")
                % {"a": money(seeking.amount, "元"), "u": seeking.use_of_funds, "n": interest.note or "—"},  # type: ignore[union-attr]
            )
        return engine.transition(
            workflow=INTEREST,
            obj=interest,
            action="engage",
            acting_user=acting_user,
            expected_state=expected_state,
            changes={"engagement": engagement},
        )


def upcoming_roadshows() -> Any:
    from techmarket.events.models import Event

    return (
        Event.objects.unscoped()
        .filter(kind=Event.Kind.ROADSHOW, status=Event.Status.PUBLISHED, starts_at__gt=timezone.now())
        .order_by("starts_at")
    )


def interest_schedule_roadshow(
    *, interest: Interest, event: Any, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Interest:
    """An operator gives the project a slot in a coming roadshow (published, not yet started)."""
    if event is None or not upcoming_roadshows().filter(pk=event.pk).exists():
        raise ValidationError({"event": _("请选择一场报名中、尚未开始的路演活动。")})
    return engine.transition(
        workflow=INTEREST,
        obj=interest,
        action="schedule_roadshow",
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
        changes={"event": event},
    )


def interest_move(
    *, interest: Interest, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Interest:
    """decline (with the reason the investor sees) or withdraw."""
    if action not in ("decline", "withdraw"):
        raise ValidationError(_("未知操作：%(a)s") % {"a": action})
    return engine.transition(
        workflow=INTEREST,
        obj=interest,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )


# --- investments ---------------------------------------------------------------------------------------------

AGREED = (Interest.Status.ENGAGED, Interest.Status.ROADSHOW)


def investment_record(
    *,
    acting_user: Any,
    interest: Interest,
    amount: Any,
    invested_on: Any,
    stage: str,
    note: str = "",
) -> Investment:
    """The fund's staff record an investment made after an arranged interest (engagement or roadshow) reached
    agreement: amount in 元 > 0, a date not in the future, the round; one audit record, all or nothing."""
    from datetime import date

    from .selectors import may_record_investment

    if not may_record_investment(acting_user, interest):
        raise PermissionDenied(_("只有该基金所属投资机构的成员可以登记投资。"))
    if interest.status not in AGREED:
        raise ValidationError(_("只有已立项对接或已安排路演的投资意向可以登记投资。"))
    errors: dict[str, str] = {}
    if not isinstance(invested_on, date):
        try:
            invested_on = date.fromisoformat(str(invested_on or "").strip())
        except ValueError:
            invested_on = None
    if invested_on is None:
        errors["invested_on"] = _("请填写投资日期（例如 2026-03-01）。")
    elif invested_on > timezone.localdate():
        errors["invested_on"] = _("投资日期不能晚于今天。")
    if stage not in Stage.values:
        errors["stage"] = _("请选择投资轮次。")
    if errors:
        raise ValidationError(errors)
    value = _money(amount, "amount", _("投资金额"))
    with transaction.atomic():
        # The interest row is locked while the investment is written: a concurrent move (closed, declined)
        # either happened before (and is seen here) or waits until this record is committed.
        locked = Interest.objects.unscoped().select_for_update().get(pk=interest.pk)
        if locked.status not in AGREED:
            raise ValidationError(_("只有已立项对接或已安排路演的投资意向可以登记投资。"))
        investment = Investment.objects.unscoped().create(
            interest=interest,
            fund=interest.fund,
            target=interest.target,
            amount=value,
            invested_on=invested_on,
            stage=stage,
            note=(note or "").strip()[:500],
            created_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="investors.investment.create",
            target=investment,
            after={
                "interest": interest.pk,
                "fund": interest.fund_id,
                "target": interest.target_id,
                "amount": str(value),
                "invested_on": invested_on.isoformat(),  # type: ignore[union-attr]
                "stage": stage,
            },
        )
    return investment
