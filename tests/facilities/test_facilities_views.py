"""Pages and API of facilities: list with filters and empty state, detail, create, booking and deciding."""

import pytest
from django.urls import reverse

from techmarket.facilities.models import Booking, Facility

pytestmark = pytest.mark.django_db


def test_the_list_shows_facilities_and_an_empty_state(client, centre):
    page = client.get(reverse("facilities:list"))
    assert page.status_code == 200 and centre.name in page.content.decode()
    empty = client.get(reverse("facilities:list"), {"kind": "instrument"})
    assert "没有符合条件的服务平台" in empty.content.decode()


def test_the_list_pages_in_a_bounded_number_of_queries(
    client, centre, instrument, django_assert_max_num_queries
):
    with django_assert_max_num_queries(12):
        client.get(reverse("facilities:list"))


def test_the_detail_shows_equipment_and_record(client, centre):
    page = client.get(reverse("facilities:detail", args=[centre.pk])).content.decode()
    assert "扫描电子显微镜" in page and "已通过验证 0 项" in page


def test_a_visitor_is_told_to_log_in_to_book(client, centre, uni_admin):
    url = reverse("facilities:detail", args=[centre.pk])
    page = client.get(url).content.decode()  # before: an empty right-hand column, no way to book
    assert "登录后预约" in page and f"/accounts/login/?next={url}" in page
    client.force_login(uni_admin)
    assert "登录后预约" not in client.get(url).content.decode()


def test_an_admin_creates_a_facility_through_the_form(client, university, uni_admin):
    client.force_login(uni_admin)
    response = client.post(
        reverse("facilities:create"),
        {
            "name": "沂蒙科技大学中试基地", "kind": "pilot", "owner": university.pk, "region": "371302",
            "summary": "新材料工艺放大与小批量试产。", "capacity": 8, "contact_name": "李工",
            "contact_phone": "0539-1234567", "equipment": "",
        },
    )  # fmt: skip
    facility = Facility.objects.unscoped().get(name="沂蒙科技大学中试基地")
    assert response.status_code == 302 and facility.owner == university


def test_the_create_page_is_refused_to_a_plain_member(client, ent_user):
    client.force_login(ent_user)
    assert client.get(reverse("facilities:create")).status_code == 403


def test_booking_and_declining_without_reason_through_the_pages(
    client, centre, ent_user, enterprise, uni_admin
):
    client.force_login(ent_user)
    client.post(
        reverse("facilities:book", args=[centre.pk]), {"organization": enterprise.pk, "service": "原理验证"}
    )
    booking = Booking.objects.unscoped().get()
    client.force_login(uni_admin)
    response = client.post(
        reverse("facilities:booking_action", args=[booking.pk, "decline"]), {"reason": ""}, follow=True
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.PENDING
    assert any("原因" in str(m) for m in response.context["messages"])
    client.post(
        reverse("facilities:booking_action", args=[booking.pk, "quote"]),
        {"quote_price": "30000", "quote_date": "2099-01-10", "expected_state": "pending"},
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.QUOTED and booking.quote_price == 30000
    client.force_login(ent_user)
    client.post(
        reverse("facilities:booking_action", args=[booking.pk, "accept"]), {"expected_state": "quoted"}
    )
    booking.refresh_from_db()
    assert booking.status == Booking.Status.ACCEPTED


def test_the_api_lists_and_refuses_an_overlapping_slot(client, instrument, ent_user, enterprise):
    listing = client.get("/api/facilities", {"kind": "instrument"}).json()
    assert [row["id"] for row in listing["items"]] == [instrument.pk]
    client.force_login(ent_user)
    body = {"organization_id": enterprise.pk, "service": "电镜测试", "starts_at": "2026-12-03T09:00:00+08:00",
            "ends_at": "2026-12-03T11:00:00+08:00"}  # fmt: skip
    first = client.post(f"/api/facilities/{instrument.pk}/bookings", body, content_type="application/json")
    assert first.status_code == 201
    again = client.post(f"/api/facilities/{instrument.pk}/bookings", body, content_type="application/json")
    assert again.status_code == 422 and "starts_at" in str(again.json())
    record = client.get(f"/api/facilities/{instrument.pk}/record").json()
    assert record == {"verified": 0, "transferred": 0, "running": 0, "meets_record": False}


def test_the_booking_form_offers_the_organisations_open_engagements(
    client, centre, ent_user, enterprise, university
):
    from factories import make_broker

    from techmarket.engagements.services import engagement_open

    engagement = engagement_open(
        acting_user=make_broker(),
        title="新材料成果概念验证对接",
        demand_org=enterprise,
        supply_org=university,
    )
    client.force_login(ent_user)
    page = client.get(reverse("facilities:detail", args=[centre.pk])).content.decode()
    assert "新材料成果概念验证对接" in page
    client.post(
        reverse("facilities:book", args=[centre.pk]),
        {"organization": enterprise.pk, "service": "原理验证", "engagement": engagement.pk},
    )
    assert Booking.objects.unscoped().get().engagement == engagement


def test_the_bookings_page_and_workspace_panel_show_both_sides(
    client, centre, ent_user, enterprise, uni_admin
):
    from techmarket.facilities.services import booking_open
    from techmarket.facilities.workspace import facilities_panel

    booking = booking_open(facility=centre, acting_user=ent_user, organization=enterprise, service="样机试制")
    client.force_login(uni_admin)
    page = client.get(reverse("facilities:bookings")).content.decode()
    assert "样机试制" in page and "本机构提交的预约" in page
    panel = facilities_panel(uni_admin)
    assert panel is not None and panel["links"][0][2] == 1
    # an answer redirects back, never to another site
    response = client.post(
        reverse("facilities:booking_action", args=[booking.pk, "quote"]),
        {"quote_price": "8000", "quote_date": "2099-01-10", "next": "https://evil.example/"},
    )
    assert response.status_code == 302 and response.url == reverse("facilities:booking", args=[booking.pk])
    client.force_login(ent_user)
    assert "已报价" in client.get(reverse("facilities:bookings")).content.decode()


def test_the_bookings_page_needs_a_login(client):
    assert client.get(reverse("facilities:bookings")).status_code == 302
