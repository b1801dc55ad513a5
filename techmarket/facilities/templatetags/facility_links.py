"""The facilities panel of an engagement page: the bookings that serve it (with their delivered reports) and,
in the 概念验证 and 中试熟化 stages, the services that fit (a code match, see selectors.services_for_engagement)."""

from typing import Any

from django import template

register = template.Library()


@register.inclusion_tag("facilities/_engagement_panel.html", takes_context=True)
def engagement_facilities(context: Any, engagement: Any) -> dict[str, Any]:
    from ..selectors import bookings_visible_to, services_for_engagement

    user = context["request"].user
    bookings = list(
        bookings_visible_to(user).filter(engagement=engagement).select_related("report", "facility_service")
    )
    return {
        "engagement": engagement,
        "bookings": bookings,
        "suggested": services_for_engagement(user, engagement) if engagement.is_open else [],
    }
