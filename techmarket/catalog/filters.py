"""Code-table filters shared by the catalogue selectors (GB/T 4754 industries, GB/T 2260 regions)."""

from typing import Any

from django.db.models import Q

from techmarket.orgs.selectors import region_prefix


def industry_q(code: str, field: str = "industry") -> Q:
    """A section letter (C) matches the whole section; a numeric code matches itself and every level below."""
    code = code.strip().upper()
    if code.isalpha():
        return Q(**{f"{field}__section": code})
    return Q(**{f"{field}__code__startswith": code})


def region_q(code: str, field: str = "region") -> Q:
    """370000 matches all of Shandong, 371300 all of Linyi, 371302 only that county."""
    return Q(**{f"{field}__code__startswith": region_prefix(code)})


def expiring_within(qs: Any, days: str | None) -> Any:
    """Published items that expire within ``days`` days (the workspace's "expiring soon" link)."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import ListingStatus

    if not days or not str(days).isdigit():
        return qs
    return qs.filter(
        status=ListingStatus.PUBLISHED, expires_at__lte=timezone.now() + timedelta(days=int(days))
    )
