"""Bookings: an organisation asks, the facility accepts or declines with a reason; instrument slots are never
booked twice; an engagement may be named only by one of its parties."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from facility_helpers import at
from factories import OrganizationFactory, make_broker

from techmarket.facilities import selectors, services
from techmarket.facilities.models import Booking, Facility

pytestmark = pytest.mark.django_db


def _book(facility, user, org, start=None, end=None, **kw):
    return services.booking_open(
        facility=facility, acting_user=user, organization=org, service="扫描电镜测试", starts_at=start,
        ends_at=end, **kw,
    )  # fmt: skip


def test_a_booking_opens_pending_with_a_due_time(centre, ent_user, enterprise):
    booking = _book(centre, ent_user, enterprise)
    assert booking.status == Booking.Status.PENDING and booking.due_at is not None


def test_an_instrument_needs_a_slot_and_the_slot_must_end_after_it_starts(instrument, ent_user, enterprise):
    with pytest.raises(ValidationError) as exc:
        _book(instrument, ent_user, enterprise)
    assert "starts_at" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        _book(instrument, ent_user, enterprise, at(3, 10), at(3, 9))
    assert "ends_at" in exc.value.message_dict
    assert not Booking.objects.unscoped().exists()


def test_overlapping_instrument_slots_are_refused_and_adjacent_ones_allowed(instrument, ent_user, enterprise):
    _book(instrument, ent_user, enterprise, at(3, 9), at(3, 11))
    with pytest.raises(ValidationError) as exc:
        _book(instrument, ent_user, enterprise, at(3, 10), at(3, 12))
    assert "该时段已被预约" in exc.value.message_dict["starts_at"][0]
    with pytest.raises(ValidationError):
        _book(instrument, ent_user, enterprise, at(3, 8), at(3, 12))  # encloses it
    _book(instrument, ent_user, enterprise, at(3, 11), at(3, 12))  # back to back is fine
    assert Booking.objects.unscoped().count() == 2


def test_a_slot_across_midnight_in_beijing_time_clashes_with_the_next_morning(
    instrument, ent_user, enterprise
):
    _book(instrument, ent_user, enterprise, at(3, 22), at(4, 2))
    with pytest.raises(ValidationError):
        _book(instrument, ent_user, enterprise, at(4, 1), at(4, 3))


def test_a_declined_or_withdrawn_booking_frees_its_slot(instrument, ent_user, enterprise, uni_admin):
    first = _book(instrument, ent_user, enterprise, at(3, 9), at(3, 11))
    services.booking_decide(booking=first, acting_user=uni_admin, accept=False, reason="设备检修")
    second = _book(instrument, ent_user, enterprise, at(3, 9), at(3, 11))
    services.booking_withdraw(booking=second, acting_user=ent_user)
    third = _book(instrument, ent_user, enterprise, at(3, 9), at(3, 11))
    assert third.status == Booking.Status.PENDING


def test_declining_without_a_reason_is_refused(centre, ent_user, enterprise, uni_admin):
    booking = _book(centre, ent_user, enterprise)
    with pytest.raises(ValidationError):
        services.booking_decide(booking=booking, acting_user=uni_admin, accept=False, reason="  ")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    services.booking_decide(booking=booking, acting_user=uni_admin, accept=False, reason="本月排期已满")
    booking.refresh_from_db()
    assert booking.status == Booking.Status.DECLINED and booking.decision_note == "本月排期已满"


def test_only_the_facility_decides(centre, ent_user, enterprise, stranger):
    booking = _book(centre, ent_user, enterprise)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.booking_decide(booking=booking, acting_user=ent_user, accept=True)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.booking_decide(booking=booking, acting_user=stranger, accept=True)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING


def test_accepting_a_booking_means_quoting_it(instrument, ent_user, enterprise, uni_admin):
    first = _book(instrument, ent_user, enterprise, at(3, 9), at(3, 11))
    with pytest.raises(ValidationError) as exc:
        services.booking_decide(booking=first, acting_user=uni_admin, accept=True)
    assert "报价" in exc.value.messages[0]
    first.refresh_from_db()
    assert first.status == Booking.Status.PENDING


def test_nobody_books_their_own_facility_or_a_revoked_one(
    centre, uni_admin, university, operator, ent_user, enterprise
):
    with pytest.raises(ValidationError):
        _book(centre, uni_admin, university)
    services.facility_move(facility=centre, action="end_trial", acting_user=operator, reason="试点期满未达标")
    centre.refresh_from_db()
    assert centre.status == Facility.Status.REVOKED
    with pytest.raises(ValidationError):
        _book(centre, ent_user, enterprise)


def test_booking_in_the_name_of_someone_elses_organisation_is_refused(centre, ent_user):
    with pytest.raises(PermissionDenied):
        _book(centre, ent_user, OrganizationFactory())


def test_a_booking_may_name_an_engagement_only_of_its_own_organisation(
    centre, ent_user, enterprise, university, stranger
):
    from techmarket.engagements.services import engagement_open

    broker = make_broker()
    engagement = engagement_open(
        acting_user=broker, title="新材料成果概念验证对接", demand_org=enterprise, supply_org=university
    )
    booking = _book(centre, ent_user, enterprise, engagement=engagement)
    assert booking.engagement == engagement
    other_org = stranger.memberships.first().organization
    with pytest.raises(ValidationError) as exc:
        _book(centre, stranger, other_org, engagement=engagement)
    assert "engagement" in exc.value.message_dict


def test_bookings_are_seen_by_both_sides_only(centre, ent_user, enterprise, uni_admin, stranger):
    booking = _book(centre, ent_user, enterprise)
    assert list(selectors.bookings_visible_to(ent_user)) == [booking]
    assert list(selectors.bookings_visible_to(uni_admin)) == [booking]
    assert not selectors.bookings_visible_to(stranger).exists()
