"""The service catalogue (search, validation, who maintains it), the Excel export, the services matched to an
engagement in the 概念验证 / 中试熟化 stages, and the utilisation of capacity against a hand-built calendar."""

import io
from datetime import datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from facility_helpers import at
from factories import make_broker
from openpyxl import load_workbook

from techmarket.engagements.models import Engagement, Stage
from techmarket.engagements.services import engagement_open
from techmarket.facilities import selectors, services
from techmarket.facilities.models import Booking, Facility, FacilityService

pytestmark = pytest.mark.django_db

SH = ZoneInfo("Asia/Shanghai")


def _service(facility, user, **kw):
    data = {
        "name": "原理验证",
        "kind": "principle",
        "unit": "项",
        "price": Decimal("30000"),
        "lead_time_days": 30,
    }
    data.update(kw)
    return services.facility_service_save(facility=facility, acting_user=user, data=data)


def test_services_are_validated_searchable_and_kept_by_the_facility_only(
    centre, instrument, uni_admin, ent_user
):
    with pytest.raises(ValidationError) as exc:
        _service(centre, uni_admin, name="", kind="magic", unit="")
    assert {"name", "unit"} <= set(exc.value.message_dict)
    with pytest.raises(ValidationError) as exc:
        _service(centre, uni_admin, price=Decimal("-1"))
    assert "price" in exc.value.message_dict
    with pytest.raises(PermissionDenied):
        _service(centre, ent_user)
    assert not FacilityService.objects.unscoped().exists()
    verification = _service(centre, uni_admin, price=None, requirements="技术方案与前期数据")
    hours = _service(instrument, uni_admin, name="扫描电镜机时", kind="machine_hours", unit="小时", price=600)
    assert verification.negotiable and not hours.negotiable
    assert list(selectors.services_visible_to(ent_user, q="前期数据")) == [verification]
    assert list(selectors.services_visible_to(ent_user, kind="machine_hours")) == [hours]
    assert list(selectors.services_visible_to(ent_user, facility_kind="instrument")) == [hours]
    # the facility list finds a facility by one of its services
    assert list(selectors.facility_list_visible_to(ent_user, q="扫描电镜机时")) == [instrument]
    # an unchanged save writes nothing; a stopped service leaves the public catalogue
    same = {"name": "原理验证", "kind": "principle", "unit": "项", "price": None, "lead_time_days": 30,
            "requirements": "技术方案与前期数据"}  # fmt: skip
    again = services.facility_service_save(
        facility=centre, acting_user=uni_admin, service=verification, data=same
    )
    assert again.updated_at == verification.updated_at
    services.facility_service_save(
        facility=centre, acting_user=uni_admin, service=verification,
        data={"name": "原理验证", "kind": "principle", "unit": "项", "price": None, "is_active": False},
    )  # fmt: skip
    assert list(selectors.services_visible_to(ent_user)) == [hours]


def test_the_catalogue_page_and_the_excel_export(client, centre, uni_admin, ent_user):
    _service(centre, uni_admin, price=None)
    page = client.get("/facilities/services/", {"q": "原理"}).content.decode()
    assert "原理验证" in page and "面议" in page
    assert "没有符合条件的服务" in client.get("/facilities/services/", {"q": "不存在的服务"}).content.decode()
    assert client.get("/facilities/export.xlsx").status_code == 302  # login first
    client.force_login(ent_user)
    response = client.get("/facilities/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    facilities, offered = book["服务平台"], book["服务目录"]
    assert facilities.cell(2, 2).value == centre.name
    assert [c.value for c in offered[2]][2:6] == ["原理验证", "原理验证", "项", "面议"]


def test_services_are_matched_to_an_engagement_in_the_verification_stage_only(
    centre, instrument, uni_admin, enterprise, university, stranger
):
    other_org = stranger.memberships.first().organization
    outside = services.facility_create(
        acting_user=stranger, owner=other_org,
        data={"name": "临沂中试基地有限公司中试基地", "kind": "pilot", "region": centre.region,
              "summary": "面向新材料的工艺放大与小批量试产。", "contact_name": "李工", "contact_phone": "0539-1"},
    )  # fmt: skip
    principle = _service(outside, stranger, name="外部原理验证")
    scale_up = _service(outside, stranger, name="工艺放大", kind="scale_up", unit="批次")
    _service(centre, uni_admin, name="大学自己的原理验证")  # the supply side's own centre is not suggested
    broker = make_broker()
    engagement = engagement_open(
        acting_user=broker, title="新材料成果概念验证对接", demand_org=enterprise, supply_org=university
    )
    assert selectors.services_for_engagement(broker, engagement) == []  # 发现对接: nothing yet
    Engagement.objects.unscoped().filter(pk=engagement.pk).update(stage=Stage.VERIFICATION)
    engagement.refresh_from_db()
    rows = selectors.services_for_engagement(broker, engagement)
    assert [s for s, _r in rows] == [principle] and "概念验证" in rows[0][1]
    Engagement.objects.unscoped().filter(pk=engagement.pk).update(stage=Stage.PILOT)
    engagement.refresh_from_db()
    assert [s for s, _r in selectors.services_for_engagement(broker, engagement)] == [scale_up]


def test_utilisation_is_booked_hours_over_opening_hours_in_beijing_time(
    centre, ent_user, enterprise, uni_admin
):
    # Mon–Fri 08:00–18:00, two services at once; the week of Mon 2026-11-30 .. Sun 2026-12-06.
    centre.opens_at, centre.closes_at, centre.open_weekdays, centre.parallel_capacity = (
        time(8),
        time(18),
        "12345",
        2,
    )
    centre.save()
    start, end = datetime(2026, 11, 30, tzinfo=SH), datetime(2026, 12, 7, tzinfo=SH)
    assert selectors.available_hours(centre, start, end) == Decimal(5 * 10 * 2)

    def order(s, e, status):
        return Booking.objects.unscoped().create(
            facility=centre, requested_by=ent_user, organization=enterprise, service="验证",
            starts_at=s, ends_at=e, status=status,
        )  # fmt: skip

    order(at(1, 8), at(1, 18), Booking.Status.SCHEDULED)  # 10 h
    order(at(3, 9), at(3, 14), Booking.Status.DELIVERED)  # 5 h
    order(at(4, 9), at(4, 14), Booking.Status.CANCELLED)  # freed: not counted
    order(at(4, 9), at(4, 14), Booking.Status.PENDING)  # not committed yet: not counted
    order(
        datetime(2026, 11, 27, 9, tzinfo=SH), datetime(2026, 11, 27, 12, tzinfo=SH), Booking.Status.SCHEDULED
    )
    [row] = selectors.utilisation([centre], start, end)
    assert row["booked_hours"] == Decimal("15.00") and row["available_hours"] == Decimal("100.00")
    assert row["utilisation"] == Decimal("15.00")
    # A window starting at Beijing midnight of Tuesday: Monday's hours are outside it.
    tuesday = datetime(2026, 12, 1, tzinfo=SH)
    [row] = selectors.utilisation([centre], tuesday, end)
    assert row["available_hours"] == Decimal("80.00") and row["booked_hours"] == Decimal("15.00")


def test_the_utilisation_endpoint_and_metric(client, centre, ent_user, enterprise):
    from techmarket.analytics.evaluations import _METRICS
    from techmarket.analytics.periods import Month, Period

    Booking.objects.unscoped().create(
        facility=centre, requested_by=ent_user, organization=enterprise, service="验证",
        starts_at=at(1, 0), ends_at=at(1, 12), status=Booking.Status.SCHEDULED,
    )  # fmt: skip
    december = Period(Month(2026, 12), Month(2026, 12))
    # all day, every day (no opening hours set), one at a time: 31 × 24 hours in December
    value = _METRICS["facilities.utilisation"].values(december)[centre.pk]
    assert value == (Decimal(12) * 100 / Decimal(31 * 24)).quantize(Decimal("0.01"))
    body = client.get("/api/facilities/utilisation", {"start": "2026-12"}).json()
    assert body == [
        {"facility_id": centre.pk, "facility": centre.name, "booked_hours": "12.00",
         "available_hours": "744.00", "utilisation": str(value)}
    ]  # fmt: skip
    assert client.get("/api/facilities/utilisation", {"start": "2026-13"}).status_code == 422
    assert Facility.objects.unscoped().count() == 1
