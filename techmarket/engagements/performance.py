"""Broker performance: engagements by stage, conversion between stages, median days per stage, per broker,
per organisation and per period. Other apps add columns (contracts: count and amounts) through
``EXTRA_COLUMNS``: ``(label, fn(engagement_ids) -> {engagement_id: value})``, summed per broker."""

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from statistics import median
from typing import Any

from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import OPEN_STAGES, Engagement, Stage, StageEntry

ExtraColumn = tuple[Any, Callable[[list[int]], dict[int, Any]]]
EXTRA_COLUMNS: list[ExtraColumn] = []


@dataclass(frozen=True)
class PerformanceParams:
    date_from: date | None = None
    date_to: date | None = None
    organization: int | None = None
    broker: int | None = None


class PerformanceForm(forms.Form):
    date_from = forms.DateField(
        label=_("开始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("结束日期"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    organization: "forms.ModelChoiceField[Any]" = forms.ModelChoiceField(
        label=_("参与机构"),
        required=False,
        queryset=None,
        empty_label=_("全部机构"),
        error_messages={"invalid_choice": _("所选机构没有参与任何对接项目，请从列表中选择。")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = engaged_organizations()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("开始日期不能晚于结束日期。"))
        return data

    def params(self) -> PerformanceParams:
        d = self.cleaned_data
        org = d.get("organization")
        return PerformanceParams(d.get("date_from"), d.get("date_to"), org.pk if org else None)


def engaged_organizations() -> Any:
    """The organisations the picker offers: those taking part in at least one engagement."""
    from techmarket.orgs.models import Organization

    return (
        Organization.objects.filter(
            Q(pk__in=Engagement.objects.unscoped().values("demand_org_id"))
            | Q(pk__in=Engagement.objects.unscoped().values("supply_org_id"))
            | Q(pk__in=Engagement.objects.unscoped().values("provider_links__organization_id"))
        )
        .distinct()
        .order_by("name")
    )


def _rank(stage: str) -> int:
    return OPEN_STAGES.index(stage) if stage in OPEN_STAGES else -1


def _summarise(engagements: list[Engagement], entries: Iterable[StageEntry]) -> dict[str, Any]:
    by_stage = {s: 0 for s in Stage.values}
    for e in engagements:
        by_stage[e.stage] += 1
    reached: dict[int, int] = defaultdict(int)  # engagement → furthest open stage reached
    days: dict[str, list[float]] = defaultdict(list)
    for entry in entries:
        reached[entry.engagement_id] = max(reached[entry.engagement_id], _rank(entry.stage))
        if entry.left_at and entry.stage in OPEN_STAGES:
            days[entry.stage].append((entry.left_at - entry.entered_at).total_seconds() / 86400)
    conversion = []
    for i, (a, b) in enumerate(zip(OPEN_STAGES, OPEN_STAGES[1:], strict=False)):
        at_a = sum(1 for e in engagements if reached[e.pk] >= i)
        at_b = sum(1 for e in engagements if reached[e.pk] >= i + 1)
        conversion.append(
            {
                "from": Stage(a).label,
                "to": Stage(b).label,
                "n": at_a,
                "m": at_b,
                "pct": round(100 * at_b / at_a) if at_a else None,
            }
        )
    total = len(engagements)
    return {
        "total": total,
        "by_stage": by_stage,
        "open": sum(by_stage[s] for s in OPEN_STAGES),
        "deals": by_stage[Stage.DEAL],
        "terminated": by_stage[Stage.TERMINATED],
        "deal_pct": round(100 * by_stage[Stage.DEAL] / total) if total else None,
        "conversion": conversion,
        "median_days": {s: round(median(days[s]), 1) if days[s] else None for s in OPEN_STAGES},
    }


def _total(values: Any) -> Any:
    """The sum of a column's values, None as 0; a Decimal 0.00 stays 0.00 (not the int 0 of ``v or 0``)."""
    return sum((v for v in values if v is not None), 0)


def broker_performance(params: PerformanceParams, *, only_broker: Any = None) -> dict[str, Any]:
    """Per lead broker and in total; engagements opened in the period. Three queries plus the extra columns."""
    qs = Engagement.objects.unscoped().select_related("lead_broker")
    if params.date_from:
        qs = qs.filter(created_at__date__gte=params.date_from)
    if params.date_to:
        qs = qs.filter(created_at__date__lte=params.date_to)
    if params.organization:
        qs = qs.filter(
            Q(demand_org_id=params.organization)
            | Q(supply_org_id=params.organization)
            | Q(provider_links__organization_id=params.organization)
        ).distinct()
    broker_id = only_broker.pk if only_broker is not None else params.broker
    if broker_id:
        qs = qs.filter(lead_broker_id=broker_id)
    engagements = list(qs.order_by("pk"))
    ids = [e.pk for e in engagements]
    entries = list(StageEntry.objects.filter(engagement_id__in=ids).order_by("engagement_id", "entered_at"))
    extras = [(label, fn(ids)) for label, fn in EXTRA_COLUMNS]
    per_broker: dict[int, list[Engagement]] = defaultdict(list)
    for e in engagements:
        per_broker[e.lead_broker_id].append(e)
    rows = []
    for items in per_broker.values():
        mine = {e.pk for e in items}
        row = _summarise(items, [x for x in entries if x.engagement_id in mine])
        row["broker"] = items[0].lead_broker
        row["extra"] = [_total(values.get(pk) for pk in mine) for _label, values in extras]
        rows.append(row)
    rows.sort(key=lambda r: (-r["deals"], -r["total"], r["broker"].pk))
    total = _summarise(engagements, entries)
    total["extra"] = [_total(values.values()) for _label, values in extras]
    return {
        "rows": rows,
        "total": total,
        "stages": [(s, Stage(s).label) for s in Stage.values],
        "open_stages": [(s, Stage(s).label) for s in OPEN_STAGES],
        "extra_labels": [label for label, _fn in extras],
    }
