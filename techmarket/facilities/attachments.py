"""Facility documents and photos (认定材料, 设备照片): visible with the facility, uploaded by its managers.
A booking's documents (the delivered service report): visible with the booking, uploaded by the facility."""

from typing import Any

from techmarket.documents.registry import register

from .permissions import may_manage
from .selectors import bookings_visible_to, facility_list_visible_to

register(
    "facilities.facility",
    can_view=lambda user, facility: facility_list_visible_to(user).filter(pk=facility.pk).exists(),
    can_upload=may_manage,
    can_view_confidential=None,
)


def _may_upload_report(user: Any, booking: Any) -> bool:
    from .models import Booking

    return booking.status in (Booking.Status.SCHEDULED, Booking.Status.DELIVERED) and may_manage(
        user, booking.facility
    )


register(
    "facilities.booking",
    can_view=lambda user, booking: bookings_visible_to(user).filter(pk=booking.pk).exists(),
    can_upload=_may_upload_report,
    can_view_confidential=None,
)
