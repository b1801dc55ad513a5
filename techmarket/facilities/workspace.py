"""The facilities panel of the workspace: bookings to quote, quotes to accept, and the organisation's own
bookings."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from .models import Booking
from .selectors import bookings_visible_to


def facilities_panel(user: Any) -> dict[str, Any] | None:
    if not getattr(user, "is_authenticated", False):
        return None
    from techmarket.accounts import roles

    orgs = [o.pk for o in roles.user_organizations(user)]
    if not orgs:
        return None
    visible = bookings_visible_to(user)
    to_answer = visible.filter(facility__owner_id__in=orgs, status=Booking.Status.PENDING).count()
    made = visible.filter(organization_id__in=orgs).count()
    to_accept = visible.filter(organization_id__in=orgs, status=Booking.Status.QUOTED).count()
    if not to_answer and not made:
        return None
    url = reverse("facilities:bookings")
    return {
        "title": _("概念验证与中试"),
        "links": [
            (_("待报价的服务预约"), url + "?status=pending", to_answer),
            (_("待确认的报价"), url + "?status=quoted", to_accept),
            (_("本机构的服务预约"), url, made),
        ],
    }
