"""Bookings as a request type: an organisation asks, the facility quotes (the "approve" of the request, with
the price and date saved with the move) or declines with a reason. The rest of the order moves through the
``facilities.order`` workflow (workflow.py)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type

from .models import Booking
from .permissions import may_manage

B = Booking.Status


def _deciders(booking: Booking) -> list[Any]:
    from techmarket.orgs.models import Membership, Role

    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=booking.facility.owner_id, role=Role.ORG_ADMIN, is_active=True
        ).select_related("user")
    ]


BOOKING_REQUEST = register_request_type(
    RequestType(
        name="facilities.booking",
        model=Booking,
        requester_field="requested_by",
        subject=lambda b: b.facility,
        may_decide=lambda user, b: may_manage(user, b.facility),
        deciders=_deciders,
        due_working_days=3,
        pending=B.PENDING,
        approved=B.QUOTED,
        rejected=B.DECLINED,
        withdrawn=B.WITHDRAWN,
        reason_on_reject=True,
        approve_label=_("报价"),
        reject_label=_("谢绝"),
        audit_prefix="facilities.booking",
        audit_verbs={"approve": "quote", "reject": "decline"},
        extra_audit=lambda b: snapshot(
            b, ["facility_id", "organization_id", "starts_at", "ends_at", "quote_price", "quote_date"]
        ),
        url=lambda b: reverse("facilities:detail", args=[b.facility_id]),
    )
)
