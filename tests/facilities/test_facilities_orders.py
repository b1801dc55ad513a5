"""The order flow on the kernel: request → quote → accept → schedule (capacity calendar) → deliver (a report
through documents) → evaluate; who may make each move, what is refused with which message, and that nothing is
half-saved; the report in the engagement and the project counted as verified."""

from datetime import date, time
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from facility_helpers import at
from factories import make_broker

from techmarket.audit.models import AuditLog
from techmarket.documents.models import Document
from techmarket.engagements.models import Activity
from techmarket.engagements.services import engagement_open
from techmarket.facilities import selectors, services
from techmarket.facilities.models import Booking, Project

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
FAR = date(2099, 1, 10)


def _report(content: bytes = PDF, name: str = "报告.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _hours(facility, opens=time(8, 30), closes=time(17, 30), days="12345", parallel=1):
    facility.opens_at, facility.closes_at, facility.open_weekdays = opens, closes, days
    facility.parallel_capacity = parallel
    facility.save()
    return facility


def _ordered(facility, user, org, uni_admin, **kw):
    booking = services.booking_open(
        facility=facility, acting_user=user, organization=org, service="原理验证", **kw
    )
    services.booking_quote(booking=booking, acting_user=uni_admin, price=Decimal("30000"), delivery_date=FAR)
    return services.booking_move(booking=booking, action="accept", acting_user=user)


def test_the_full_order_walks_every_step_with_one_audit_record_each(centre, ent_user, enterprise, uni_admin):
    _hours(centre)
    booking = _ordered(centre, ent_user, enterprise, uni_admin)
    assert booking.status == Booking.Status.ACCEPTED and booking.accepted_at is not None
    services.booking_schedule(booking=booking, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 12))
    services.booking_deliver(booking=booking, acting_user=uni_admin, report=_report())
    assert booking.status == Booking.Status.DELIVERED and booking.report is not None
    services.booking_evaluate(booking=booking, acting_user=ent_user, rating=4, comment="周期符合约定")
    booking.refresh_from_db()
    assert (booking.status, booking.rating) == (Booking.Status.EVALUATED, 4)
    actions = list(
        AuditLog.objects.filter(action__startswith="facilities.booking.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == [
        "facilities.booking.request", "facilities.booking.quote", "facilities.booking.accept",
        "facilities.booking.schedule", "facilities.booking.deliver", "facilities.booking.evaluate",
    ]  # fmt: skip
    assert selectors.facility_rating(centre) == {"count": 1, "mean": 4.0}


def test_a_quote_can_change_before_acceptance_and_never_after(centre, ent_user, enterprise, uni_admin):
    booking = services.booking_open(
        facility=centre, acting_user=ent_user, organization=enterprise, service="样机试制"
    )
    services.booking_quote(booking=booking, acting_user=uni_admin, price=Decimal("50000"), delivery_date=FAR)
    services.booking_quote(booking=booking, acting_user=uni_admin, price=Decimal("45000"), delivery_date=FAR)
    assert booking.quote_price == Decimal("45000")
    services.booking_move(booking=booking, action="accept", acting_user=ent_user)
    with pytest.raises(ValidationError) as exc:
        services.booking_quote(
            booking=booking, acting_user=uni_admin, price=Decimal("90000"), delivery_date=FAR
        )
    assert "报价已被接受，不能再修改" in exc.value.messages[0]
    booking.refresh_from_db()
    assert booking.quote_price == Decimal("45000.00") and booking.status == Booking.Status.ACCEPTED


def test_a_quote_needs_an_amount_and_a_future_date(centre, ent_user, enterprise, uni_admin):
    booking = services.booking_open(
        facility=centre, acting_user=ent_user, organization=enterprise, service="样机试制"
    )
    with pytest.raises(ValidationError) as exc:
        services.booking_quote(
            booking=booking, acting_user=uni_admin, price=None, delivery_date=date(2000, 1, 1)
        )
    assert {"quote_price", "quote_date"} <= set(exc.value.message_dict)
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING and booking.quote_price is None


def test_only_the_requester_accepts_and_only_the_facility_quotes_schedules_and_delivers(
    centre, ent_user, enterprise, uni_admin, stranger
):
    booking = services.booking_open(
        facility=centre, acting_user=ent_user, organization=enterprise, service="原理验证"
    )
    with pytest.raises(PermissionDenied):
        services.booking_quote(booking=booking, acting_user=ent_user, price=Decimal(1), delivery_date=FAR)
    services.booking_quote(booking=booking, acting_user=uni_admin, price=Decimal(1), delivery_date=FAR)
    for user in (uni_admin, stranger):
        with pytest.raises(PermissionDenied):
            services.booking_move(booking=booking, action="accept", acting_user=user)
    services.booking_move(booking=booking, action="accept", acting_user=ent_user)
    with pytest.raises(PermissionDenied):
        services.booking_schedule(
            booking=booking, acting_user=ent_user, starts_at=at(3, 9), ends_at=at(3, 10)
        )
    services.booking_schedule(booking=booking, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 10))
    with pytest.raises(PermissionDenied):
        services.booking_deliver(booking=booking, acting_user=ent_user, report=_report())
    with pytest.raises(ValidationError):  # no evaluation before the delivery
        services.booking_evaluate(booking=booking, acting_user=ent_user, rating=5)


def test_a_report_in_the_wrong_format_is_refused_and_nothing_is_saved(
    centre, ent_user, enterprise, uni_admin
):
    booking = _ordered(centre, ent_user, enterprise, uni_admin)
    services.booking_schedule(booking=booking, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 10))
    with pytest.raises(ValidationError) as exc:
        services.booking_deliver(booking=booking, acting_user=uni_admin, report=_report(PNG, "报告.png"))
    assert "PDF 或 Word" in exc.value.message_dict["report"][0]
    with pytest.raises(ValidationError):  # a PNG named .pdf: the content decides
        services.booking_deliver(booking=booking, acting_user=uni_admin, report=_report(PNG, "报告.pdf"))
    booking.refresh_from_db()
    assert booking.status == Booking.Status.SCHEDULED and booking.report_id is None
    assert not Document.objects.exists()


def test_the_calendar_refuses_closed_days_hours_outside_opening_and_double_booking(
    instrument, ent_user, enterprise, uni_admin
):
    _hours(instrument)  # Mon–Fri 08:30–17:30 Beijing time; 2026-12-05 is a Saturday
    for start, end, words in (
        (at(5, 9), at(5, 10), "不是开放日"),
        (at(3, 7), at(3, 9), "开始时间不在开放时间"),
        (at(3, 16), at(3, 18), "结束时间不在开放时间"),
    ):
        with pytest.raises(ValidationError) as exc:
            services.booking_open(
                facility=instrument, acting_user=ent_user, organization=enterprise, service="电镜",
                starts_at=start, ends_at=end,
            )  # fmt: skip
        assert words in " ".join(exc.value.messages)
    assert not Booking.objects.unscoped().exists()
    services.booking_open(
        facility=instrument, acting_user=ent_user, organization=enterprise, service="电镜",
        starts_at=at(3, 9), ends_at=at(3, 11),
    )  # fmt: skip
    with pytest.raises(ValidationError) as exc:
        services.booking_open(
            facility=instrument, acting_user=ent_user, organization=enterprise, service="电镜",
            starts_at=at(3, 10), ends_at=at(3, 12),
        )  # fmt: skip
    assert "已被预约满" in exc.value.messages[0]


def test_scheduling_respects_the_parallel_capacity_and_a_cancellation_frees_the_slot(
    centre, ent_user, enterprise, uni_admin
):
    _hours(centre, parallel=2)
    a, b, c = (_ordered(centre, ent_user, enterprise, uni_admin) for _n in range(3))
    services.booking_schedule(booking=a, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 12))
    services.booking_schedule(booking=b, acting_user=uni_admin, starts_at=at(3, 10), ends_at=at(3, 11))
    with pytest.raises(ValidationError) as exc:
        services.booking_schedule(
            booking=c, acting_user=uni_admin, starts_at=at(3, 10, 30), ends_at=at(3, 13)
        )
    assert "同时最多 2 项" in exc.value.messages[0]
    c.refresh_from_db()
    assert c.status == Booking.Status.ACCEPTED and c.starts_at is None
    with pytest.raises(ValidationError):  # a cancellation needs a reason
        services.booking_move(booking=a, action="cancel", acting_user=ent_user)
    services.booking_move(booking=a, action="cancel", acting_user=ent_user, reason="样品未备齐")
    services.booking_schedule(booking=c, acting_user=uni_admin, starts_at=at(3, 10, 30), ends_at=at(3, 13))
    assert c.status == Booking.Status.SCHEDULED


def test_a_broker_books_for_the_enterprise_which_accepts_and_the_report_reaches_the_engagement(
    centre, ent_user, enterprise, university, uni_admin
):
    broker = make_broker()
    engagement = engagement_open(
        acting_user=broker, title="新材料成果概念验证对接", demand_org=enterprise, supply_org=university
    )
    university_centre = centre  # the supply side's own centre: the enterprise books it
    booking = services.booking_open(
        facility=university_centre, acting_user=broker, organization=enterprise, service="原理验证",
        engagement=engagement,
    )  # fmt: skip
    assert booking.requested_by == broker and booking.organization == enterprise
    assert selectors.bookings_visible_to(broker).filter(pk=booking.pk).exists()
    services.booking_quote(booking=booking, acting_user=uni_admin, price=Decimal("20000"), delivery_date=FAR)
    services.booking_move(booking=booking, action="accept", acting_user=ent_user)
    services.booking_schedule(booking=booking, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 17))
    services.booking_deliver(booking=booking, acting_user=uni_admin, report=_report(), verified=True)
    activity = Activity.objects.get(engagement=engagement)
    assert "交付了服务报告" in activity.summary and f"#{booking.pk}" in activity.summary
    project = Project.objects.unscoped().get(booking=booking)
    assert project.status == Project.Status.VERIFIED and project.engagement == engagement
    assert selectors.facility_record(centre)["verified"] == 1


def test_a_broker_may_not_book_for_an_organisation_outside_the_engagement(
    centre, enterprise, university, stranger
):
    broker = make_broker()
    engagement = engagement_open(
        acting_user=broker, title="新材料成果概念验证对接", demand_org=enterprise, supply_org=university
    )
    outsider = stranger.memberships.first().organization
    with pytest.raises(PermissionDenied):
        services.booking_open(
            facility=centre,
            acting_user=broker,
            organization=outsider,
            service="原理验证",
            engagement=engagement,
        )
    with pytest.raises(PermissionDenied):  # and not without the engagement either
        services.booking_open(
            facility=centre, acting_user=broker, organization=enterprise, service="原理验证"
        )


def test_quotes_reports_and_ratings_are_seen_by_the_two_sides_only(
    client, centre, ent_user, enterprise, uni_admin, stranger
):
    booking = _ordered(centre, ent_user, enterprise, uni_admin)
    services.booking_schedule(booking=booking, acting_user=uni_admin, starts_at=at(3, 9), ends_at=at(3, 10))
    services.booking_deliver(booking=booking, acting_user=uni_admin, report=_report())
    services.booking_evaluate(booking=booking, acting_user=ent_user, rating=5, comment="非常专业的团队")
    url = f"/facilities/bookings/{booking.pk}/"
    for user in (ent_user, uni_admin):
        client.force_login(user)
        page = client.get(url).content.decode()
        assert "30,000.00 元（3 万元）" in page and "非常专业的团队" in page and "服务报告" in page
        assert client.get(f"/api/facilities/bookings/{booking.pk}").json()["quote_price"] == "30000.00"
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    assert client.get(f"/api/facilities/bookings/{booking.pk}").status_code == 404
    # the public facility page shows the mean rating, never the comment
    client.logout()
    page = client.get(f"/facilities/{centre.pk}/").content.decode()
    assert "5.0 分" in page and "非常专业的团队" not in page


def test_the_whole_order_through_the_pages(client, centre, ent_user, enterprise, uni_admin):
    _hours(centre)
    offered = services.facility_service_save(
        facility=centre, acting_user=uni_admin,
        data={"name": "原理验证", "kind": "principle", "unit": "项", "price": None, "lead_time_days": 30},
    )  # fmt: skip
    client.force_login(ent_user)
    client.post(
        f"/facilities/{centre.pk}/book/", {"organization": enterprise.pk, "facility_service": offered.pk}
    )
    booking = Booking.objects.unscoped().get()
    assert booking.facility_service == offered and booking.service == "原理验证"
    client.force_login(uni_admin)
    post = client.post
    post(f"/facilities/bookings/{booking.pk}/quote/", {"quote_price": "12000", "quote_date": "2099-01-10"})
    client.force_login(ent_user)
    post(f"/facilities/bookings/{booking.pk}/accept/", {"expected_state": "quoted"})
    client.force_login(uni_admin)
    post(
        f"/facilities/bookings/{booking.pk}/schedule/",
        {"starts_at": "2026-12-05T09:00", "ends_at": "2026-12-05T10:00"},
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACCEPTED  # a Saturday: refused
    post(
        f"/facilities/bookings/{booking.pk}/schedule/",
        {"starts_at": "2026-12-03T09:00", "ends_at": "2026-12-03T10:00"},
    )
    response = post(
        f"/facilities/bookings/{booking.pk}/deliver/", {"report": _report(PNG, "x.png")}, follow=True
    )
    assert any("PDF 或 Word" in str(m) for m in response.context["messages"])
    post(f"/facilities/bookings/{booking.pk}/deliver/", {"report": _report(), "verified": "on"})
    client.force_login(ent_user)
    post(f"/facilities/bookings/{booking.pk}/evaluate/", {"rating": "5"})
    booking.refresh_from_db()
    assert booking.status == Booking.Status.EVALUATED and booking.rating == 5
    assert Project.objects.unscoped().get(booking=booking).status == Project.Status.VERIFIED
