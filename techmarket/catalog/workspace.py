"""The workspace panel every reviewed catalogue type shares: own items, items sent back, items expiring
soon, and the operators' review queue — each a link to the type's pages with a count."""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles

from .models import ListingStatus
from .registry import CatalogueType


def listing_panel(ctype: CatalogueType) -> Callable[[Any], dict[str, Any] | None]:
    def panel(user: Any) -> dict[str, Any] | None:
        pages = ctype.pages
        assert pages is not None, f"{ctype.key}: listing_panel needs ListingPages"
        # extra["owner_kinds"]: organisation kinds that publish this type (a bureau has no "own needs")
        kinds = ctype.extra.get("owner_kinds")
        orgs = [o for o in roles.user_organizations(user) if kinds is None or o.kind in kinds]
        out: dict[str, Any] = {"title": ctype.label, "links": []}
        mine_url = reverse(f"{ctype.key}:mine")
        if orgs:
            mine = ctype.list_visible(user).filter(owner__in=orgs)
            soon = timezone.now() + timedelta(days=30)
            out["links"] += [
                (pages.mine_title, mine_url, mine.count()),
                (
                    _("需整改"),
                    mine_url + "?status=changes_requested",
                    mine.filter(status=ListingStatus.CHANGES_REQUESTED).count(),
                ),
                (
                    _("30 天内到期"),
                    mine_url + "?expiring=30",
                    mine.filter(status=ListingStatus.PUBLISHED, expires_at__lte=soon).count(),
                ),
            ]
        if roles.is_operator(user):
            out["links"].append(
                (
                    pages.review_title,
                    reverse(f"{ctype.key}:review"),
                    ctype.list_visible(user, status=ListingStatus.PENDING).count(),
                )
            )
        return out if out["links"] else None

    return panel
