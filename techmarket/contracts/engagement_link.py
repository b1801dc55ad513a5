"""The one place that knows how a contract relates to an engagement (techmarket.engagements)."""

from typing import Any


def engagement_org_ids(engagement: Any) -> set[int]:
    """Organisations taking part in the engagement (demand side, supply side, service providers)."""
    return set()
