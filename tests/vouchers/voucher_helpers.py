"""Helpers of the voucher tests (a module of its own: ``conftest`` is a name every test folder uses)."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from techmarket.facilities import services as facility_services
from techmarket.facilities.models import Facility
from techmarket.reference.models import Region


def facility(owner, admin, *, kind=Facility.Kind.VERIFICATION, name="沂蒙科技大学新材料概念验证中心"):
    return facility_services.facility_create(
        acting_user=admin,
        owner=owner,
        data={
            "name": name,
            "kind": kind,
            "region": Region.objects.get(pk="371302"),
            "summary": "面向新材料领域的原理验证、样机试制与小批量试产服务。",
            "capacity": 15,
            "equipment": "X 射线衍射仪",
            "contact_name": "王老师",
            "contact_phone": "0539-8888888",
        },
    )


def accepted_booking(fac, user, org, admin, service="原理验证", price="80000"):
    """A booking the facility quoted and the requester accepted (the state a voucher may pay)."""
    booking = facility_services.booking_open(
        facility=fac, acting_user=user, organization=org, service=service
    )
    booking = facility_services.booking_quote(
        booking=booking, acting_user=admin, price=Decimal(price),
        delivery_date=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    return facility_services.booking_move(booking=booking, action="accept", acting_user=user)
