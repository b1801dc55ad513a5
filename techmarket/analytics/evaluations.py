"""绩效评价: indicator sets for transfer institutions, research institutions, brokers (and facilities once
that domain lands), computed from platform data, with rankings and each score explained.

Apps declare *metrics* per *subject* in their figures.py (``register_metric``); operators combine metrics
into a scheme with weights (EvaluationScheme in /admin/, audited). A subject's score is the weighted mean
of its metric scores, each metric scored 0–100 against the best subject of the period (value ÷ best ×
100), so a score reads "how close to the best"; every part of the sum is shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from techmarket.orgs.models import Membership, Organization, Role

from .periods import Period


@dataclass(frozen=True)
class Subject:
    key: str  # "research", "service", "broker"
    label: Any
    queryset: Callable[[], QuerySet[Any]]  # who is evaluated
    name: Callable[[Any], str] = str
    # Q on the subject's rows located under a GB/T 2260 prefix ("3713": 临沂): the dashboard's region filter
    in_region: Callable[[str], Q] | None = None


@dataclass(frozen=True)
class Metric:
    key: str  # "achievements.published_by_org"
    subject: str
    label: Any
    unit: Any
    values: Callable[..., dict[int, Any]]  # (period) -> {subject pk: value within the period}
    help: Any = ""
    # values(period, chain=<IndustryChain id>) also counts only the work on that chain's needs / achievements
    by_chain: bool = False


ONE_DECIMAL = Decimal("0.1")  # scores are shown rounded half up (四舍五入) to one decimal

_SUBJECTS: dict[str, Subject] = {}
_METRICS: dict[str, Metric] = {}


def register_subject(subject: Subject) -> Subject:
    _SUBJECTS[subject.key] = subject
    return subject


def register_metric(metric: Metric) -> Metric:
    existing = _METRICS.get(metric.key)
    if existing is not None and existing != metric:
        raise ValueError(f"metric {metric.key!r} is already registered")
    _METRICS[metric.key] = metric
    return metric


def subjects() -> list[Subject]:
    return list(_SUBJECTS.values())


def subject(key: str) -> Subject | None:
    return _SUBJECTS.get(key)


def metric(key: str) -> Metric | None:
    return _METRICS.get(key)


def metrics_for(subject_key: str) -> list[Metric]:
    return [m for m in _METRICS.values() if m.subject == subject_key]


def metric_choices() -> list[tuple[str, str]]:
    return [
        (m.key, f"{_SUBJECTS[m.subject].label if m.subject in _SUBJECTS else m.subject} · {m.label}")
        for m in _METRICS.values()
    ]


def evaluate(scheme: Any, period: Period) -> list[dict[str, Any]]:
    """Rows ranked by score: subject, score, rank, and the parts (metric, value, score, weight, share)."""
    who = subject(scheme.subject)
    if who is None:
        return []
    items: list[tuple[Metric, Decimal]] = []
    for item in scheme.items.all():
        found = metric(item.metric)
        if found is not None and item.weight > 0:  # a metric whose app is gone is left out
            items.append((found, Decimal(item.weight)))
    total_weight = sum((w for _m, w in items), Decimal(0))
    values = {m.key: m.values(period) for m, _w in items}
    best = {key: max((Decimal(v) for v in vals.values()), default=Decimal(0)) for key, vals in values.items()}
    rows = []
    for obj in who.queryset():
        parts = []
        score = Decimal(0)
        for m, weight in items:
            value = Decimal(values[m.key].get(obj.pk, 0) or 0)
            part_score = (value / best[m.key] * 100) if best[m.key] > 0 else Decimal(0)
            contribution = part_score * weight / total_weight if total_weight else Decimal(0)
            score += contribution
            parts.append(
                {
                    "metric": m,
                    "value": value.quantize(Decimal(1))  # not normalize(): 100 would read "1E+2"
                    if value == value.to_integral()
                    else value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP),
                    "best": best[m.key],
                    "score": part_score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP),
                    "weight": weight,
                    "contribution": contribution.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP),
                }
            )
        rows.append(
            {
                "subject": obj,
                "name": who.name(obj),
                "score": score.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP),
                "parts": parts,
            }
        )
    rows.sort(key=lambda r: (-r["score"], r["name"]))
    rank = 0
    previous = None
    for index, row in enumerate(rows, start=1):
        if row["score"] != previous:
            rank, previous = index, row["score"]
        row["rank"] = rank
    return rows


# The subjects every deployment has; facilities add theirs when that domain lands.
RESEARCH_KINDS = [
    Organization.Kind.UNIVERSITY,
    Organization.Kind.INSTITUTE,
    Organization.Kind.NEW_RD,
    Organization.Kind.INDUSTRY_INSTITUTE,
]


def _research() -> QuerySet[Any]:
    return Organization.objects.filter(status=Organization.Status.APPROVED, kind__in=RESEARCH_KINDS).order_by(
        "name"
    )


def _service() -> QuerySet[Any]:
    return Organization.objects.filter(
        status=Organization.Status.APPROVED, kind=Organization.Kind.SERVICE
    ).order_by("name")


def _brokers() -> QuerySet[Any]:
    from techmarket.accounts.models import User

    ids = Membership.objects.filter(role=Role.BROKER).values("user_id")
    return User.objects.filter(pk__in=ids, is_active=True).order_by("username")


def _person(user: Any) -> str:
    """A broker as the platform names people everywhere else: their real name, the username only without one."""
    return str(user.display_name)


def _org_in(prefix: str) -> Q:
    return Q(region__code__startswith=prefix)


def _broker_in(prefix: str) -> Q:
    """A broker is where the institution of their broker membership is."""
    return Q(
        pk__in=Membership.objects.filter(
            role=Role.BROKER, organization__region__code__startswith=prefix
        ).values("user_id")
    )


register_subject(Subject("research", _("高校与科研机构"), _research, in_region=_org_in))
register_subject(Subject("service", _("技术转移服务机构"), _service, in_region=_org_in))
register_subject(Subject("broker", _("技术经纪人"), _brokers, _person, in_region=_broker_in))


def on_chain(qs: QuerySet[Any], node_path: str, chain: int | None) -> QuerySet[Any]:
    """The rows whose chain node (at ``node_path``) lies on the chain, or all rows without a chain: how a
    metric with ``by_chain`` honours the dashboard's chain filter."""
    return qs.filter(**{f"{node_path}__chain_id": chain}) if chain else qs


def count_by(qs: QuerySet[Any], field: str) -> dict[int, int]:
    """{field value: rows}: the usual shape of a metric's values."""
    return {row[field]: row["n"] for row in qs.values(field).annotate(n=Count("pk")).order_by() if row[field]}


# The dashboard's broker and institution panel: who moved most in the period, on every metric of the subject.
PANEL_SUBJECTS = ("broker", "service", "research")


def panel_metrics(subject_key: str, chain: int | None = None) -> list[Metric]:
    """The metrics the leaders panel shows: under a chain filter only those that count a chain's work."""
    found = metrics_for(subject_key)
    return [m for m in found if m.by_chain] if chain else found


def leaders(
    subject_key: str, period: Period, limit: int = 10, *, region: str = "", chain: int | None = None
) -> tuple[list[Metric], list[dict[str, Any]]]:
    """The subject's metrics and its ``limit`` leading members in the period (those with any value), ordered
    by the metrics' values in registration order, largest first; each row: subject, name, values.

    The dashboard's filters: ``region`` (a GB/T 2260 code) keeps the members located there (an institution's
    region; a broker's institution's); ``chain`` (an IndustryChain id) counts only the work on that chain's
    items, with the metrics that can (panel_metrics)."""
    from techmarket.orgs.selectors import region_prefix

    who = subject(subject_key)
    metrics = panel_metrics(subject_key, chain)
    if who is None or not metrics:
        return metrics, []
    values = [m.values(period, chain=chain) if chain else m.values(period) for m in metrics]
    ids = {pk for vals in values for pk, v in vals.items() if v}
    members = who.queryset()
    if region:
        if who.in_region is None:
            return metrics, []
        members = members.filter(who.in_region(region_prefix(region)))
    # Rank the members by their values alone (ids only, thousands of them), then load and name just those
    # that can make the first ``limit``: every member whose values reach the limit-th best (a tie on values
    # is ordered by name).
    keyed = {
        pk: tuple(Decimal(vals.get(pk, 0) or 0) for vals in values)
        for pk in members.order_by().values_list("pk", flat=True)
        if pk in ids
    }
    if not keyed:
        return metrics, []
    ranked = sorted(keyed.values(), reverse=True)
    cut = ranked[min(limit, len(ranked)) - 1]
    candidates = [pk for pk, key in keyed.items() if key >= cut]
    rows = [
        {"subject": obj, "name": who.name(obj), "values": list(keyed[obj.pk])}
        for obj in members.filter(pk__in=candidates)
    ]
    rows.sort(key=lambda r: ([-v for v in r["values"]], r["name"]))
    for row in rows:
        row["values"] = [v.quantize(Decimal(1)) if v == v.to_integral() else v for v in row["values"]]
    return metrics, rows[:limit]
