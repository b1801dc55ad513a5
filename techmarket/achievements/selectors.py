"""Reads on achievements. Every list, count, search and export goes through achievement_list_visible_to."""

from datetime import date
from typing import Any

from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from techmarket.catalog.filters import industry_q, region_q
from techmarket.catalog.search import keyword_filter
from techmarket.catalog.visibility import can_see_identifying_details, listing_visible_q, owner_filter_q

from .models import Achievement

ORDERINGS = {
    "newest": F("published_at").desc(nulls_last=True),
    "oldest": F("published_at").asc(nulls_last=True),
    "trl": F("trl").desc(nulls_last=True),
    "price": F("asking_price_wan").asc(nulls_last=True),
    "updated": F("updated_at").desc(),
}


def achievement_list_visible_to(
    user: Any,
    *,
    q: str = "",
    discipline: str = "",
    industry: str = "",
    region: str = "",
    chain_node: int | None = None,
    trl_min: int | None = None,
    trl_max: int | None = None,
    stage: str = "",
    transfer_mode: str = "",
    status: str = "",
    owner: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    ordering: str = "newest",
) -> QuerySet[Achievement]:
    qs = (
        Achievement.objects.scoped(listing_visible_q(user))
        .select_related("owner", "discipline", "region")
        .prefetch_related("industries")
    )
    if q:
        # Substring search finds 锂电池 inside 磷酸铁锂电池正极材料 without segmentation. Keywords are stored
        # as UTF-8 JSON text on both backends (models.UnicodeJSONEncoder), so icontains sees the characters.
        qs = keyword_filter(qs, q, ["title", "summary", "keywords"])
    if discipline:
        qs = qs.filter(discipline__code__startswith=discipline)
    if industry:
        through = Achievement.industries.through.objects.filter(industry_q(industry))
        qs = qs.filter(pk__in=through.values("achievement_id"))
    if region:
        qs = qs.filter(region_q(region))
    if chain_node:
        qs = qs.filter(Q(chain_node_id=chain_node) | Q(chain_node__parent_id=chain_node))
    if trl_min is not None:
        qs = qs.filter(trl__gte=trl_min)
    if trl_max is not None:
        qs = qs.filter(trl__lte=trl_max)
    if stage:
        qs = qs.filter(stage=stage)
    if transfer_mode:
        # The quoted code matches one whole element of the JSON list on SQLite and PostgreSQL alike
        # (SQLite has no JSON __contains); "license" would otherwise match "exclusive_license".
        qs = qs.filter(transfer_modes__icontains=f'"{transfer_mode}"')
    if status:
        qs = qs.filter(status=status)
    if owner:
        qs = qs.filter(owner_filter_q(user, owner))
    if date_from:
        qs = qs.filter(published_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(published_at__date__lte=date_to)
    return qs.order_by(ORDERINGS.get(ordering, ORDERINGS["newest"]), "-pk")


def achievement_get_visible(user: Any, pk: int) -> Achievement:
    achievement = (
        achievement_list_visible_to(user)
        .filter(pk=pk)
        .prefetch_related("ip_rights", "team__affiliation")
        .first()
    )
    if achievement is None:
        raise Http404
    return achievement


def ip_rights_visible_to(user: Any, achievement: Achievement) -> list[dict[str, Any]]:
    """The IP list as this user may see it: an anonymous item's numbers, titles and expiry dates are
    withheld (they identify the owner) until the user may see the owner or was granted access."""
    reveal = can_see_identifying_details(user, achievement)
    hidden = _("匿名发布：获得授权后可见")
    return [
        {
            "ip_type": ip.ip_type,
            "ip_type_label": ip.get_ip_type_display(),
            "number": ip.number if reveal else "",
            "title": ip.title if reveal else hidden,
            "legal_status": ip.legal_status,
            "legal_status_label": ip.get_legal_status_display(),
            "expiry_date": ip.expiry_date if reveal else None,
        }
        for ip in achievement.ip_rights.all()
    ]
