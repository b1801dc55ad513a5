"""Targets with progress and forecast; reports frozen at generation, rendered as PDF with Chinese text."""

import datetime
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from factories import OrganizationFactory, make_bureau, make_operator
from pypdf import PdfReader

from techmarket.analytics import facts, reports, services, targets
from techmarket.analytics.models import Report, Target
from techmarket.analytics.periods import Month, Period
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def documents():
    """Reports are written to the private documents store (a temporary directory in the test settings)."""


def _need(published, title="轧制表面缺陷检测"):
    need = Need.objects.create(
        owner=OrganizationFactory(),
        title=title,
        summary="s",
        problem="p",
        status=ListingStatus.PUBLISHED,
        published_at=published,
    )
    facts.mark_stale(need)  # what the needs' services do through their audit record
    return need


@pytest.fixture
def frozen_now(monkeypatch):
    """15 April 2026 (Beijing time): 3.5 months of the year have gone by."""
    now = datetime.datetime(2026, 4, 15, 12, tzinfo=SH)
    monkeypatch.setattr("django.utils.timezone.now", lambda: now)
    return now


def test_target_progress_and_forecast_at_the_current_pace(frozen_now):
    for day in (1, 2, 3, 4, 5, 6, 7):
        _need(datetime.datetime(2026, 2, day, tzinfo=SH))
    operator = make_operator()
    target = services.target_set(
        acting_user=operator, indicator="needs.published", year=2026, region="", value=Decimal(30)
    )
    row = targets.progress(target)
    # 7 done in 3.5 months → 24 over the year: below 30, a warning.
    assert row["done"] == 7
    assert row["forecast"] == 24
    assert row["status"] == "behind"
    assert row["share"] == 23.3
    services.target_set(
        acting_user=operator, indicator="needs.published", year=2026, region="", value=Decimal(20)
    )
    assert Target.objects.count() == 1  # changed, not duplicated
    assert targets.progress(Target.objects.get())["status"] == "on_track"
    assert (
        AuditLog.objects.filter(action__in=["analytics.target.create", "analytics.target.update"]).count()
        == 2
    )


def test_only_operators_set_targets_and_bad_values_are_refused(frozen_now):
    with pytest.raises(PermissionDenied):
        services.target_set(
            acting_user=make_bureau(), indicator="needs.published", year=2026, region="", value=Decimal(5)
        )
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            acting_user=make_operator(), indicator="no.such", year=2026, region="999999", value=Decimal(-1)
        )
    assert set(exc.value.message_dict) == {"indicator", "region", "value"}
    assert not Target.objects.exists()


def test_report_periods():
    assert reports.period_of("month", Month(2026, 3)) == Period(Month(2026, 3), Month(2026, 3))
    assert reports.period_of("half", Month(2026, 8)) == Period(Month(2026, 7), Month(2026, 12))
    assert reports.period_of("year", Month(2026, 8)) == Period(Month(2026, 1), Month(2026, 12))


def test_monthly_report_renders_chinese_and_keeps_its_figures(documents, frozen_now):
    _need(datetime.datetime(2026, 3, 10, tzinfo=SH))
    _need(datetime.datetime(2026, 3, 11, tzinfo=SH))
    report = services.report_generate(acting_user=make_bureau(), kind="month", month=Month(2026, 3))
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(report.pdf.read())).pages)
    assert "科技成果转化月报（2026年3月）" in text
    assert "一、主要指标" in text and "征集技术需求" in text
    published = next(h for h in report.snapshot["headlines"] if h["key"] == "needs.published")
    assert published["total"] == 2
    # A later change does not alter the report already generated; a new generation is a new row.
    _need(datetime.datetime(2026, 3, 12, tzinfo=SH))
    report.refresh_from_db()
    assert next(h for h in report.snapshot["headlines"] if h["key"] == "needs.published")["total"] == 2
    again = reports.generate(kind="month", month=Month(2026, 3))
    assert next(h for h in again.snapshot["headlines"] if h["key"] == "needs.published")["total"] == 3
    assert Report.objects.count() == 2


def test_due_reports_are_generated_once(documents, frozen_now):
    assert reports.due_reports() == [("month", Month(2026, 3))]
    from techmarket.analytics.tasks import generate_due_reports

    assert generate_due_reports() == ["科技大市场科技成果转化月报（2026年3月）"]
    assert reports.due_reports() == []
    assert reports.due_reports(Month(2027, 1)) == [
        ("month", Month(2026, 12)),
        ("half", Month(2026, 12)),
        ("year", Month(2026, 12)),
    ]


def test_report_pages_and_downloads(client, documents, frozen_now):
    bureau = make_bureau()
    client.force_login(bureau)
    assert client.post("/analytics/reports/", {"kind": "month", "month": "2026-13"}).status_code == 200
    assert not Report.objects.exists()
    assert client.post("/analytics/reports/", {"kind": "month", "month": "2026-03"}).status_code == 302
    report = Report.objects.get()
    response = client.get(f"/analytics/reports/{report.pk}/pdf/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert AuditLog.objects.filter(action="analytics.report.download", actor=bureau).exists()
    assert client.get(f"/analytics/reports/{report.pk}/exe/").status_code == 404
    assert client.get("/api/statistics/reports").json()[0]["title"].endswith("（2026年3月）")
    from factories import UserFactory

    client.force_login(UserFactory())
    assert client.get(f"/analytics/reports/{report.pk}/pdf/").status_code == 403


def test_targets_page_for_operator_and_bureau(client, frozen_now):
    operator = make_operator()
    client.force_login(operator)
    response = client.post(
        "/analytics/targets/",
        {"indicator": "needs.published", "year": "2026", "region": "371300", "value": "12"},
    )
    assert response.status_code == 302
    bad = client.post("/analytics/targets/", {"indicator": "needs.published", "year": "2026", "value": "0"})
    assert bad.status_code == 200 and "目标值" in bad.content.decode()
    client.force_login(make_bureau())
    html = client.get("/analytics/targets/?year=2026").content.decode()
    assert "征集技术需求" in html and "临沂市" in html
    assert client.post("/analytics/targets/", {"delete": Target.objects.get().pk}).status_code == 403
    assert client.get("/api/statistics/targets?year=2026").json()[0]["status"] == "behind"


def test_a_monthly_minimum_lists_the_finished_months_that_missed_it_and_warns(client, frozen_now):
    """ "At least one a month": on 15 April, January and February reached it, March did not; April is still
    running and is not counted as missed."""
    _need(datetime.datetime(2026, 1, 31, 23, 30, tzinfo=SH))  # still January in Beijing time
    _need(datetime.datetime(2026, 2, 10, tzinfo=SH))
    _need(datetime.datetime(2026, 3, 31, 16, 30, tzinfo=datetime.UTC))  # 1 April 00:30 in Beijing: April
    operator = make_operator()
    with pytest.raises(ValidationError) as exc:
        services.target_set(
            acting_user=operator,
            indicator="needs.published",
            year=2026,
            region="",
            value=Decimal(12),
            monthly_minimum=Decimal(2),
        )
    assert "超过了年度目标" in str(exc.value)
    with pytest.raises(ValidationError):
        services.target_set(
            acting_user=operator,
            indicator="needs.published",
            year=2026,
            region="",
            value=Decimal(12),
            monthly_minimum=Decimal(0),
        )
    target = services.target_set(
        acting_user=operator,
        indicator="needs.published",
        year=2026,
        region="",
        value=Decimal(12),
        monthly_minimum=Decimal(1),
    )
    row = targets.progress(target)
    assert row["missed"] == [Month(2026, 3)]
    assert row["status"] == "missed_months"
    client.force_login(make_bureau())
    html = client.get("/analytics/").content.decode()
    assert "目标预警" in html and "未达到的月份：2026年3月" in html
    assert "2026年3月" in client.get("/analytics/targets/?year=2026").content.decode()
    api = client.get("/api/statistics/targets?year=2026").json()[0]
    assert api["missed_months"] == ["2026-03"] and api["monthly_minimum"] == "1.00"
    # A March need later (through its service's audit record) clears the warning.
    _need(datetime.datetime(2026, 3, 20, tzinfo=SH))
    assert targets.progress(Target.objects.get())["missed"] == []
