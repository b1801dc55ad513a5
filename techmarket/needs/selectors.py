"""Reads on needs. Every list, count, search and export goes through need_list_visible_to."""

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404

from techmarket.catalog.filters import industry_q, region_q
from techmarket.catalog.search import keyword_filter
from techmarket.catalog.visibility import listing_visible_q, owner_filter_q

from .models import Need

ORDERINGS = {
    "newest": F("published_at").desc(nulls_last=True),
    "oldest": F("published_at").asc(nulls_last=True),
    "deadline": F("deadline").asc(nulls_last=True),
    "budget": F("budget_max").desc(nulls_last=True),
    "updated": F("updated_at").desc(),
}


def need_list_visible_to(
    user: Any,
    *,
    q: str = "",
    kind: str = "",
    industry: str = "",
    region: str = "",
    chain_node: int | None = None,
    status: str = "",
    owner: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str = "newest",
) -> QuerySet[Need]:
    qs = Need.objects.scoped(listing_visible_q(user)).select_related("owner", "industry", "region")
    if q:
        # Finds 锂电池 inside 磷酸铁锂电池正极材料: see catalog.search.
        qs = keyword_filter(qs, q, ["title", "summary", "problem"])
    if kind:
        qs = qs.filter(kind=kind)
    if industry:
        qs = qs.filter(industry_q(industry))
    if region:
        qs = qs.filter(region_q(region))
    if chain_node:
        qs = qs.filter(Q(chain_node_id=chain_node) | Q(chain_node__parent_id=chain_node))
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_filter_q(user, owner))
    if date_from:
        qs = qs.filter(published_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(published_at__date__lte=date_to)
    return qs.order_by(ORDERINGS.get(ordering, ORDERINGS["newest"]), "-pk")


def need_get_visible(user: Any, pk: int) -> Need:
    need = need_list_visible_to(user).filter(pk=pk).first()
    if need is None:
        raise Http404
    return need
