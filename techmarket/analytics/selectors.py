"""Who may see aggregate figures, and the reads behind the pages. Aggregates are for the bureau and the
platform operators; nobody else sees them (an enterprise sees its own items through the catalogues)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from techmarket.accounts import roles
from techmarket.reference.models import IndustryChain

from . import compute, indicators
from .compute import Filters


def can_see_aggregates(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and (
        roles.is_bureau(user) or roles.is_operator(user)
    )


def require_aggregates(user: Any) -> None:
    if not can_see_aggregates(user):
        raise PermissionDenied


def indicator_for(user: Any, key: str) -> indicators.Indicator:
    require_aggregates(user)
    return indicators.get(key)


def dashboard(user: Any, filters: Filters) -> dict[str, Any]:
    require_aggregates(user)
    groups = indicators.groups()
    shown = [ind for _group, members in groups for ind in members]
    funnel = indicators.funnel()
    ratios = indicators.all_ratios()
    parts = [indicators.get(key) for r in ratios for key in (r.numerator, r.denominator)]
    extra = [ind for ind in funnel + parts if ind not in shown]
    heads = compute.headlines(shown + list({ind.key: ind for ind in extra}.values()), filters)
    by_group: dict[str, list[dict[str, Any]]] = {}
    for ratio in ratios:
        by_group.setdefault(ratio.group, []).append(compute.ratio_headline(ratio, heads))
    return {
        "groups": [(group, [heads[ind.key] for ind in members]) for group, members in groups],
        "funnel": [(ind, heads[ind.key]["total"]) for ind in funnel],
        "ratios": by_group,
    }


def chain_map(user: Any, chain: IndustryChain, filters: Filters | None = None) -> dict[str, Any]:
    """Per node of one chain: the value of every chain-map indicator, and the gaps (demand without supply,
    supply without demand)."""
    require_aggregates(user)
    columns = indicators.on_chain_map()
    values = compute.by_chain_nodes(columns, chain, filters)
    demand = [ind for ind in columns if ind.side == "demand"]
    supply = [ind for ind in columns if ind.side == "supply"]
    rows = []
    for node in compute.chain_nodes(chain):
        cells = [(ind, values[ind.key].get(node.pk, 0)) for ind in columns]
        has_demand = any(values[i.key].get(node.pk, 0) for i in demand)
        has_supply = any(values[i.key].get(node.pk, 0) for i in supply)
        gap = ""
        if has_demand and not has_supply:
            gap = "no_supply"
        elif has_supply and not has_demand:
            gap = "no_demand"
        rows.append({"node": node, "cells": cells, "gap": gap})
    return {"chain": chain, "columns": columns, "rows": rows}


def active_chains() -> list[IndustryChain]:
    return list(IndustryChain.objects.filter(is_active=True).order_by("sort_order", "name"))
