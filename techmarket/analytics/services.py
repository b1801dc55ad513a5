"""Writes of the analytics app: targets (operators) and reports (operators and the bureau, or the
schedule). Every write is audited."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.reference.models import Region

from . import indicators, reports
from .models import Report, Target
from .periods import Month
from .selectors import require_aggregates


def target_set(
    *,
    acting_user: Any,
    indicator: str,
    year: int,
    region: str,
    value: Decimal,
    note: str = "",
    monthly_minimum: Decimal | None = None,
) -> Target:
    """Create or change the yearly target of one indicator (and region), optionally with a minimum every
    month must reach ("at least one event a month"). Operators only."""
    if not roles.is_operator(acting_user):
        raise PermissionDenied
    errors: dict[str, list[str]] = {}
    try:
        indicators.get(indicator)
    except indicators.UnknownIndicator:
        errors["indicator"] = [_("没有名为“%(name)s”的统计指标") % {"name": indicator}]
    if not 2000 <= year <= 2100:
        errors["year"] = [_("年度应在 2000–2100 之间")]
    if region and not Region.objects.filter(code=region).exists():
        errors["region"] = [_("地区代码“%(code)s”不在 GB/T 2260 中") % {"code": region}]
    if value is None or value <= 0:
        errors["value"] = [_("目标值应大于 0")]
    if monthly_minimum is not None and monthly_minimum <= 0:
        errors["monthly_minimum"] = [_("每月至少的数量应大于 0；不需要月度下限时请留空")]
    elif monthly_minimum is not None and value is not None and monthly_minimum * 12 > value:
        errors["monthly_minimum"] = [
            _("每月至少 %(minimum)s × 12 个月超过了年度目标 %(value)s：请提高年度目标或降低月度下限")
            % {"minimum": monthly_minimum, "value": value}
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        target, created = Target.objects.select_for_update().get_or_create(
            indicator=indicator,
            year=year,
            region=region,
            defaults={
                "value": value,
                "note": note,
                "monthly_minimum": monthly_minimum,
                "created_by": acting_user,
            },
        )
        before = (
            None
            if created
            else {"value": str(target.value), "note": target.note, "monthly_minimum": target.monthly_minimum}
        )
        if not created:
            target.value, target.note, target.monthly_minimum = value, note, monthly_minimum
            target.save(update_fields=["value", "note", "monthly_minimum", "updated_at"])
        audit_record(
            actor=acting_user,
            action="analytics.target.create" if created else "analytics.target.update",
            target=target,
            before=before,
            after={"value": str(value), "note": note, "monthly_minimum": monthly_minimum},
        )
    return target


def target_delete(*, acting_user: Any, target: Target) -> None:
    if not roles.is_operator(acting_user):
        raise PermissionDenied
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="analytics.target.delete",
            target=target,
            before={"indicator": target.indicator, "year": target.year, "value": str(target.value)},
        )
        target.delete()


def report_generate(*, acting_user: Any, kind: str, month: Month) -> Report:
    """On demand: bureau users and operators. The schedule calls reports.generate without a user."""
    require_aggregates(acting_user)
    if kind not in Report.Kind.values:
        raise ValidationError({"kind": [_("报告类型应为 月报 / 半年报 / 年报")]})
    if month > Month.current():
        raise ValidationError({"month": [_("不能为尚未开始的月份生成报告")]})
    try:
        return reports.generate(kind=kind, month=month, acting_user=acting_user)
    except reports.PdfUnavailable as exc:
        raise ValidationError(str(exc)) from exc
