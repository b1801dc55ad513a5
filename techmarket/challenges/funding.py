"""Funding tranches: a milestone's tranche is released when the milestone is accepted, then paid out in
payments recorded with amount, date and source. Totals never exceed the funding: per milestone its
tranche, per source its share (enterprise / government), checked under the challenge's row lock."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.core.money import money

from .models import Challenge, Milestone, Payment
from .workflow import is_challenge_operator

SHANGHAI = ZoneInfo("Asia/Shanghai")
ZERO = Decimal("0")
S = Payment.Source


def may_record(user: Any, milestone: Milestone, source: str) -> bool:
    """Operators and the bureau record any payment; the enterprise records the payments of its own share."""
    if is_challenge_operator(user):
        return True
    return source == S.ENTERPRISE and roles.is_org_member(user, milestone.application.challenge.owner)


def _paid(qs: Any) -> Decimal:
    return qs.aggregate(s=Sum("amount"))["s"] or ZERO


def _share(challenge: Challenge, source: str) -> Decimal:
    return challenge.enterprise_share if source == S.ENTERPRISE else challenge.government_share


def payment_record(
    *,
    milestone: Milestone,
    acting_user: Any,
    amount: Any,
    paid_on: date,
    source: str,
    note: str = "",
) -> Payment:
    """Record a payment of an accepted milestone's tranche; refused, with nothing saved, when it would take
    the milestone past its tranche or the source past its share."""
    if source not in S.values:
        raise ValidationError({"source": _("请选择资金来源（企业出资或财政支持）。")})
    if not may_record(acting_user, milestone, source):
        raise PermissionDenied(_("只有平台运营、科技局或发榜企业（企业出资部分）可以登记经费拨付。"))
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": _("拨付金额应为数字（元）。")}) from None
    if not value.is_finite() or value <= 0:
        raise ValidationError({"amount": _("拨付金额应大于 0 元。")})
    if value != value.quantize(Decimal("0.01")):
        raise ValidationError({"amount": _("拨付金额最多保留两位小数（元）。")})
    today = timezone.localtime(timezone.now(), SHANGHAI).date()
    if paid_on > today:
        raise ValidationError({"paid_on": _("拨付日期不能晚于今天（北京时间 %(d)s）。") % {"d": today}})
    with transaction.atomic():
        challenge = (
            Challenge.objects.unscoped().select_for_update().get(pk=milestone.application.challenge_id)
        )
        milestone = Milestone.objects.select_related("application").get(pk=milestone.pk)
        if milestone.status != Milestone.Status.ACCEPTED:
            raise ValidationError(_("里程碑验收通过后才拨付该阶段经费。"))
        if milestone.accepted_at and paid_on < timezone.localtime(milestone.accepted_at, SHANGHAI).date():
            raise ValidationError({"paid_on": _("拨付日期不能早于里程碑验收通过的日期。")})
        tranche_left = milestone.amount - _paid(Payment.objects.filter(milestone=milestone))
        if value > tranche_left:
            raise ValidationError(
                {
                    "amount": _("超出该里程碑的拨付额度：额度 %(t)s，尚可拨付 %(l)s。")
                    % {"t": money(milestone.amount, "元"), "l": money(tranche_left, "元")}
                }
            )
        share = _share(challenge, source)
        source_left = share - _paid(
            Payment.objects.filter(milestone__application__challenge=challenge, source=source)
        )
        if value > source_left:
            raise ValidationError(
                {
                    "amount": _("超出%(s)s总额：%(s)s %(t)s，尚可拨付 %(l)s。")
                    % {"s": S(source).label, "t": money(share, "元"), "l": money(source_left, "元")}
                }
            )
        payment = Payment.objects.create(
            milestone=milestone,
            amount=value,
            paid_on=paid_on,
            source=source,
            note=(note or "").strip()[:200],
            recorded_by=acting_user,
        )
        audit_record(
            actor=acting_user,
            action="challenges.payment.record",
            target=milestone.application,
            after={
                "milestone": milestone.pk,
                "amount": str(value),
                "paid_on": paid_on.isoformat(),
                "source": source,
            },
        )
    return payment


@dataclass
class FundingSummary:
    total: Decimal
    released: Decimal  # tranches of accepted milestones
    paid: Decimal
    by_source: list[tuple[str, Decimal, Decimal]]  # (label, share, paid)

    @property
    def unpaid_released(self) -> Decimal:
        return self.released - self.paid


def funding_summary(challenge: Challenge) -> FundingSummary:
    winner = challenge.proposed_application
    milestones = Milestone.objects.filter(application=winner) if winner else Milestone.objects.none()
    payments = Payment.objects.filter(milestone__application__challenge=challenge)
    released = milestones.filter(status=Milestone.Status.ACCEPTED).aggregate(s=Sum("amount"))["s"] or ZERO
    by_source = [
        (str(label), _share(challenge, value), _paid(payments.filter(source=value)))
        for value, label in S.choices
    ]
    return FundingSummary(challenge.funding_total, released, _paid(payments), by_source)
