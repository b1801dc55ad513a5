"""The indicator registry: every figure the bureau tracks, declared once by the app that owns the data.

An app adds ``figures.py`` with ``register(Indicator(...))`` calls (discovered when the analytics app is
ready). The dashboard, the chain map, the xlsx downloads and the statistics API read this registry; none
of them names a domain. An indicator is a queryset of the rows that count (drafts, rejected and cancelled
rows already left out), the date that places a row in a month, an aggregate (a count by default, or a sum
of a Decimal field), and the paths to the row's region (GB/T 2260 code), industry (GB/T 4754 code) and
industry-chain node, so that every figure can be filtered and broken down the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Aggregate, Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _


class UnknownIndicator(LookupError):
    pass


@dataclass(frozen=True)
class Group:
    key: str
    label: Any
    order: int = 100


@dataclass(frozen=True)
class Breakdown:
    """A further breakdown of an indicator besides region, industry and chain (a contract's type, its buyer's
    kind of organisation): the rows grouped by the value at ``path``, named by ``labels`` (value -> name)."""

    key: str  # "type": also the dashboard view and the xlsx table name
    label: Any  # "按合同类别"
    path: str  # a field path or an annotation of the indicator's queryset ("contract_type__type_name")
    labels: Callable[[], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Ratio:
    """A share of two registered indicators (本地转化: local 技术交易额 ÷ the region's sellers'), in per cent,
    compared with the previous period and a year before in percentage points."""

    key: str
    label: Any
    numerator: str  # indicator keys
    denominator: str
    group: str
    order: int = 100
    help: Any = ""

    @property
    def anchor(self) -> str:
        """The dashboard section's id ("ratio-contracts-local_share")."""
        return "ratio-" + self.key.replace(".", "-")


@dataclass(frozen=True)
class Indicator:
    key: str  # "needs.published": <app>.<what>
    label: Any  # "发布技术需求"
    unit: Any  # "项", "万元"
    queryset: Callable[[], QuerySet[Any]]  # the rows that count, read for the platform (.unscoped())
    date_field: str  # DateField or DateTimeField path placing a row in a month ("published_at")
    group: str = "supply_demand"  # the dashboard panel (a Group key)
    order: int = 100
    sum_field: str = ""  # sum this (Decimal) field instead of counting rows
    scale: int = 1  # divide a sum by this for display (元 → 万元: 10000)
    distinct_of: str = ""  # count distinct values of this path instead of rows ("owner_id": enterprises)
    region_field: str = ""  # path to a GB/T 2260 code ("region__code", "owner__region__code")
    industry_field: str = ""  # path to a GB/T 4754 code ("industry__code", "industries__code")
    chain_node_field: str = ""  # path to a ChainNode id ("chain_node_id")
    funnel: int = 0  # position in the transfer funnel (1 = first step); 0 = not in the funnel
    side: str = ""  # "demand" / "supply": the chain map's gap analysis
    list_url: Callable[[dict[str, str]], str] | None = None  # filtered catalogue list, e.g. for a chain node
    help: Any = ""
    breakdowns: tuple[Breakdown, ...] = ()  # further breakdowns, computed from the live rows

    def aggregate(self, only: Q | None = None) -> Aggregate:
        """The indicator's aggregate, over the rows matching ``only`` when given (a filtered aggregate)."""
        from django.db.models import Sum

        if self.sum_field:
            return Sum(self.sum_field, filter=only)
        # distinct: breakdowns over many-to-many paths (an achievement's industries) must not double-count
        return Count(self.distinct_of or "pk", distinct=True, filter=only)

    @property
    def is_amount(self) -> bool:
        return bool(self.sum_field)


_INDICATORS: dict[str, Indicator] = {}
_VERSION = [0]  # bumped on every change of _INDICATORS, so derived tables (analytics.facts) can be cached
_GROUPS: dict[str, Group] = {}
_RATIOS: dict[str, Ratio] = {}
# Notable items of a period for the reports (e.g. the largest registered contracts): (period) -> texts.
_HIGHLIGHTS: list[Callable[[Any], list[str]]] = []


def register_highlights(provider: Callable[[Any], list[str]]) -> None:
    if provider not in _HIGHLIGHTS:
        _HIGHLIGHTS.append(provider)


def highlight_providers() -> list[Callable[[Any], list[str]]]:
    return list(_HIGHLIGHTS)


def register(indicator: Indicator) -> Indicator:
    existing = _INDICATORS.get(indicator.key)
    if existing is not None and existing != indicator:
        raise ValueError(f"indicator {indicator.key!r} is already registered")
    if existing is None:
        _INDICATORS[indicator.key] = indicator
        _VERSION[0] += 1
    return indicator


def register_ratio(ratio: Ratio) -> Ratio:
    existing = _RATIOS.get(ratio.key)
    if existing is not None and existing != ratio:
        raise ValueError(f"ratio {ratio.key!r} is already registered")
    _RATIOS[ratio.key] = ratio
    return ratio


def all_ratios() -> list[Ratio]:
    """The ratios whose two indicators are both registered, in dashboard order."""
    found = [r for r in _RATIOS.values() if r.numerator in _INDICATORS and r.denominator in _INDICATORS]
    return sorted(found, key=lambda r: (_group_order(r.group), r.order, r.key))


def get_ratio(key: str) -> Ratio:
    for ratio in all_ratios():
        if ratio.key == key:
            return ratio
    raise UnknownIndicator(key)


def register_group(group: Group) -> Group:
    _GROUPS[group.key] = group
    return group


def unregister(key: str) -> None:
    """For tests that plug in a temporary indicator."""
    if _INDICATORS.pop(key, None) is not None:
        _VERSION[0] += 1


def version() -> int:
    """Changes whenever an indicator is registered or unregistered."""
    return _VERSION[0]


def all_indicators() -> list[Indicator]:
    return sorted(_INDICATORS.values(), key=lambda i: (_group_order(i.group), i.order, i.key))


def get(key: str) -> Indicator:
    try:
        return _INDICATORS[key]
    except KeyError:
        raise UnknownIndicator(key) from None


def groups() -> list[tuple[Group, list[Indicator]]]:
    out = []
    for group in sorted(_GROUPS.values(), key=lambda g: (g.order, g.key)):
        members = [i for i in all_indicators() if i.group == group.key]
        if members:
            out.append((group, members))
    return out


def funnel() -> list[Indicator]:
    return sorted((i for i in _INDICATORS.values() if i.funnel), key=lambda i: i.funnel)


def on_chain_map() -> list[Indicator]:
    return [i for i in all_indicators() if i.chain_node_field and not i.sum_field]


def _group_order(key: str) -> int:
    group = _GROUPS.get(key)
    return group.order if group else 1000


# The panels every deployment has; domains add theirs with register_group().
register_group(Group("supply_demand", _("供需与主体"), 10))
