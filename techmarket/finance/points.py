"""Innovation points (企业创新积分制): quantity × points per unit, capped per indicator and per group.

Quantities come from platform data (registered contracts, engagements, verified projects, valid
qualifications) and from declarations an operator verified (R&D ratio, R&D spend, patents, R&D staff);
pending or returned declarations and expired qualifications do not count, and the explanation says so.

``current_points(org)`` is the public read other apps (policy eligibility rules) use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.text import word_list
from techmarket.orgs.models import Organization

from .models import DECLARED_SOURCES, Declaration, Grade, Indicator, IndicatorGroup, PointsSnapshot, Source

CENT = Decimal("0.01")
# Lowest total of each grade, highest first; below the last the grade is D.
GRADE_FLOORS: tuple[tuple[str, Decimal], ...] = (
    (Grade.A, Decimal("80")),
    (Grade.B, Decimal("60")),
    (Grade.C, Decimal("40")),
)


def fmt(value: Decimal) -> str:
    """3 -> "3", 4.50 -> "4.5": the number as a person writes it."""
    text = format(value.quantize(CENT), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def grade_of(total: Decimal) -> str:
    for grade, floor in GRADE_FLOORS:
        if total >= floor:
            return str(grade)
    return str(Grade.D)


def today_local() -> date:
    return timezone.localdate()  # Asia/Shanghai: a certificate valid "until 12-31" counts all of that day


@dataclass
class Quantity:
    value: Decimal
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- sources


def _declared(source: str) -> Callable[[Organization, date], Quantity]:
    def read(org: Organization, today: date) -> Quantity:
        rows = Declaration.objects.unscoped().filter(organization=org, source=source)
        verified = (
            rows.filter(status=Declaration.Status.APPROVED).order_by("-year", "-decided_at", "-pk").first()
        )
        notes = []
        pending = rows.filter(status=Declaration.Status.PENDING).count()
        if pending:
            notes.append(_("另有 %(n)d 条申报待核验，核验前不计分") % {"n": pending})
        if verified is None:
            return Quantity(Decimal("0"), notes or [_("未申报或申报未经核验")])
        return Quantity(verified.value, [_("%(year)d 年度申报，已核验") % {"year": verified.year}, *notes])

    return read


def _contracts(org: Organization, today: date) -> Quantity:
    from techmarket.contracts.models import TechContract

    n = (
        TechContract.objects.unscoped()
        .filter(status=TechContract.Status.REGISTERED)
        .filter(Q(owner=org) | Q(parties__organization=org))
        .distinct()
        .count()
    )
    return Quantity(Decimal(n), [_("已认定登记的技术合同")])


def _engagements(org: Organization, today: date) -> Quantity:
    from techmarket.engagements.models import Engagement, Stage

    n = (
        Engagement.objects.unscoped()
        .filter(Q(demand_org=org) | Q(supply_org=org))
        .exclude(stage=Stage.TERMINATED)
        .count()
    )
    return Quantity(Decimal(n), [_("进行中或已成交，不含已终止")])


def _projects(org: Organization, today: date) -> Quantity:
    from techmarket.facilities.models import Project

    n = (
        Project.objects.unscoped()
        .filter(status__in=(Project.Status.VERIFIED, Project.Status.TRANSFERRED))
        .filter(Q(booking__organization=org) | Q(engagement__demand_org=org) | Q(engagement__supply_org=org))
        .distinct()
        .count()
    )
    return Quantity(Decimal(n), [_("已通过验证或已转化")])


def _qualifications(org: Organization, today: date) -> Quantity:
    records = list(org.certifications.select_related("tag"))
    valid = [r for r in records if r.valid_until is not None and r.valid_until >= today]
    notes = [_("有效：%(names)s") % {"names": word_list(r.tag.name for r in valid)}] if valid else []
    expired = [r.tag.name for r in records if r.valid_until is not None and r.valid_until < today]
    undated = [r.tag.name for r in records if r.valid_until is None]
    if expired:
        notes.append(_("已过期不计分：%(names)s") % {"names": word_list(expired)})
    if undated:
        notes.append(_("未填写有效期不计分：%(names)s") % {"names": word_list(undated)})
    return Quantity(Decimal(len(valid)), notes)


SOURCES: dict[str, Callable[[Organization, date], Quantity]] = {
    **{str(s): _declared(str(s)) for s in DECLARED_SOURCES},
    Source.CONTRACTS: _contracts,
    Source.ENGAGEMENTS: _engagements,
    Source.PROJECTS: _projects,
    Source.QUALIFICATIONS: _qualifications,
}


# ---------------------------------------------------------------- computation


@dataclass
class Line:
    group: str
    source: str
    label: str
    quantity: str
    unit: str
    per_unit: str
    cap: str | None
    points: str
    text: str
    notes: list[str]


@dataclass
class Result:
    total: Decimal
    grade: str
    lines: list[dict[str, Any]]


def explain(
    label: str, quantity: Decimal, unit: str, per_unit: Decimal, cap: Decimal | None
) -> tuple[Decimal, str]:
    """(points, "授权发明专利 3 件 × 5 分 = 15 分（上限 20）")."""
    raw = (quantity * per_unit).quantize(CENT, rounding=ROUND_HALF_UP)
    text = _("%(label)s %(q)s %(unit)s × %(per)s 分 = %(raw)s 分") % {
        "label": label,
        "q": fmt(quantity),
        "unit": unit,
        "per": fmt(per_unit),
        "raw": fmt(raw),
    }
    if cap is None:
        return raw, text
    if raw > cap:
        return cap, text + _("，超过上限，按 %(cap)s 分计") % {"cap": fmt(cap)}
    return raw, text + _("（上限 %(cap)s）") % {"cap": fmt(cap)}


def compute(org: Organization, *, today: date | None = None) -> Result:
    """The points an enterprise has now, with one explained line per indicator and per capped group."""
    today = today or today_local()
    lines: list[dict[str, Any]] = []
    total = Decimal("0")
    for group in IndicatorGroup.objects.prefetch_related("indicators"):
        subtotal = Decimal("0")
        for indicator in (i for i in group.indicators.all() if i.is_active):
            reader = SOURCES.get(indicator.source)
            if reader is None:
                continue
            q = reader(org, today)
            points, text = explain(
                indicator.label, q.value, indicator.unit, indicator.points_per_unit, indicator.cap
            )
            subtotal += points
            lines.append(
                asdict(
                    Line(
                        group=group.name,
                        source=indicator.source,
                        label=indicator.label,
                        quantity=fmt(q.value),
                        unit=indicator.unit,
                        per_unit=fmt(indicator.points_per_unit),
                        cap=fmt(indicator.cap) if indicator.cap is not None else None,
                        points=fmt(points),
                        text=text,
                        notes=[str(n) for n in q.notes],
                    )
                )
            )
        if group.cap is not None and subtotal > group.cap:
            lines.append(
                asdict(
                    Line(
                        group=group.name,
                        source="",
                        label=_("%(group)s合计") % {"group": group.name},
                        quantity="",
                        unit="",
                        per_unit="",
                        cap=fmt(group.cap),
                        points=fmt(group.cap - subtotal),
                        text=_("%(group)s小计 %(sub)s 分，超过本组上限，按 %(cap)s 分计")
                        % {"group": group.name, "sub": fmt(subtotal), "cap": fmt(group.cap)},
                        notes=[],
                    )
                )
            )
            subtotal = group.cap
        total += subtotal
    total = total.quantize(CENT)
    return Result(total=total, grade=grade_of(total), lines=lines)


def latest_snapshot(org: Organization) -> PointsSnapshot | None:
    return PointsSnapshot.objects.unscoped().filter(organization=org).order_by("-computed_at", "-pk").first()


def current_points(org: Organization) -> Decimal:
    """The enterprise's innovation points now: the latest recompute, or a fresh computation if there is none.

    Public API for other apps (policy eligibility rules read it); 0 for organisations that are not enterprises.
    """
    if org.kind != Organization.Kind.ENTERPRISE:
        return Decimal("0")
    snap = latest_snapshot(org)
    if snap is not None:
        return snap.total
    return compute(org).total


def current_grade(org: Organization) -> str:
    snap = latest_snapshot(org)
    return snap.grade if snap is not None else grade_of(current_points(org))


def indicators_configured() -> list[Indicator]:
    return list(Indicator.objects.select_related("group").filter(is_active=True))
