"""Check-in at the door, meeting outcomes with the engagement hook, figures by month, the iCalendar feed."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import timezone
from factories import OrganizationFactory, UserFactory, make_broker
from icalendar import Calendar

from techmarket.contracts.models import ContractType, TechContract
from techmarket.engagements.models import Engagement
from techmarket.events import hooks, services
from techmarket.events.figures import event_figures
from techmarket.events.ical import events_calendar
from techmarket.events.models import Event, MeetingRequest, Registration
from techmarket.orgs.models import Organization

R = Registration.Status
Out = MeetingRequest.Outcome
pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def test_check_in_with_the_code_marks_attendance_once(event, join, organiser):
    reg = join(event)
    checked = services.registration_check_in(
        event=event, code=f" {reg.checkin_code.lower()} ", acting_user=organiser
    )
    assert checked.status == R.ATTENDED and checked.checked_in_at is not None
    with pytest.raises(ValidationError) as exc:
        services.registration_check_in(event=event, code=reg.checkin_code, acting_user=organiser)
    assert "不能重复使用" in str(exc.value)


def test_check_in_accepts_the_scanned_qr_url(event, join, organiser):
    reg = join(event)
    services.registration_check_in(
        event=event, code=f"https://x.example/c/{reg.checkin_code}", acting_user=organiser
    )
    reg.refresh_from_db()
    assert reg.status == R.ATTENDED


def test_wrong_or_foreign_codes_are_refused_with_what_happened(make_event, join, organiser):
    event, other = make_event(), make_event(title="另一场路演活动")
    foreign = join(other)
    with pytest.raises(ValidationError, match="不存在"):
        services.registration_check_in(event=event, code="ZZZZ2222", acting_user=organiser)
    with pytest.raises(ValidationError, match="不属于本活动"):
        services.registration_check_in(event=event, code=foreign.checkin_code, acting_user=organiser)
    foreign.refresh_from_db()
    assert foreign.status == R.CONFIRMED


def test_waitlisted_cannot_check_in_and_only_the_organiser_checks_in(make_event, join, organiser):
    event = make_event(capacity=1)
    confirmed, waiting = join(event), join(event)
    with pytest.raises(ValidationError, match="候补"):
        services.registration_check_in(event=event, code=waiting.checkin_code, acting_user=organiser)
    with pytest.raises(PermissionDenied):
        services.registration_check_in(event=event, code=confirmed.checkin_code, acting_user=confirmed.user)


def _held_meeting(make_event, join):
    start = timezone.now() - timedelta(hours=1)
    event = make_event(
        starts_at=start, ends_at=start + timedelta(hours=4), registration_deadline=start + timedelta(hours=3),
        meetings_start=start + timedelta(minutes=30),
    )  # fmt: skip
    a, b = join(event), join(event)
    meeting = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    return services.meeting_decide(meeting=meeting, acting_user=b.user, accept=True)


def test_outcome_engagement_calls_the_registered_opener_and_keeps_its_id(make_event, join):
    meeting = _held_meeting(make_event, join)
    calls = []

    def opener(m, user):
        calls.append((m.pk, user.pk))
        return 4242

    hooks.register_engagement_opener(opener)
    try:
        done = services.meeting_record_outcome(
            meeting=meeting, acting_user=meeting.requester.user, outcome=Out.ENGAGEMENT, rating=5
        )
    finally:
        hooks.unregister_engagement_opener(opener)
    assert calls == [(meeting.pk, meeting.requester.user_id)]
    assert (done.outcome, done.rating, done.engagement_id) == (Out.ENGAGEMENT, 5, 4242)


def test_a_failing_opener_leaves_the_outcome_unsaved(make_event, join):
    meeting = _held_meeting(make_event, join)

    def opener(m, user):
        raise ValidationError("对接项目无法创建")

    hooks.register_engagement_opener(opener)
    try:
        with pytest.raises(ValidationError):
            services.meeting_record_outcome(
                meeting=meeting, acting_user=meeting.invitee.user, outcome=Out.ENGAGEMENT
            )
    finally:
        hooks.unregister_engagement_opener(opener)
    meeting.refresh_from_db()
    assert meeting.outcome == ""


def test_outcome_bad_input_and_strangers_are_refused(make_event, join, event):
    meeting = _held_meeting(make_event, join)
    with pytest.raises(ValidationError):
        services.meeting_record_outcome(meeting=meeting, acting_user=meeting.invitee.user, outcome="won")
    with pytest.raises(ValidationError):
        services.meeting_record_outcome(
            meeting=meeting, acting_user=meeting.invitee.user, outcome=Out.CONTINUE, rating=9
        )
    with pytest.raises(PermissionDenied):
        services.meeting_record_outcome(meeting=meeting, acting_user=join(event).user, outcome=Out.CONTINUE)


def test_outcome_before_the_event_is_refused(event, join):
    a, b = join(event), join(event)
    meeting = services.meeting_request(event=event, acting_user=a.user, invitee=b)
    services.meeting_decide(meeting=meeting, acting_user=b.user, accept=True)
    with pytest.raises(ValidationError, match="活动开始后"):
        services.meeting_record_outcome(meeting=meeting, acting_user=a.user, outcome=Out.CONTINUE)


def test_figures_against_a_hand_built_fixture(organiser_org):
    """Two events in March 2026 and one in April; a cancelled one is not counted. Two meetings of the first
    opened engagements; their registered contracts count for it, a draft one and one from elsewhere do not."""
    enterprise = OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    university = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)

    def event_at(day, month, status=Event.Status.CLOSED):
        start = datetime(2026, month, day, 9, tzinfo=SH)
        return Event.objects.create(
            title=f"活动{month}-{day}", kind=Event.Kind.ROADSHOW, organiser=organiser_org, summary="简介",
            starts_at=start, ends_at=start + timedelta(hours=5), registration_deadline=start, capacity=20,
            status=status,
        )  # fmt: skip

    def reg(event, status=R.CONFIRMED, org=None):
        return Registration.objects.create(event=event, user=UserFactory(), status=status, organization=org)

    def engagement_with(*contracts):
        e = Engagement.objects.create(
            title="活动对接项目", demand_org=enterprise, supply_org=university, lead_broker=make_broker()
        )
        for amount, status in contracts:
            TechContract.objects.create(
                title="委托开发合同", contract_type=ContractType.objects.first(), signed_on=date(2026, 5, 6),
                total_amount=Decimal(amount), technical_amount=Decimal(amount), payment_mode="lump_sum",
                owner=university, status=status, engagement=e,
            )  # fmt: skip
        return e

    march1, march2, april = event_at(1, 3), event_at(31, 3), event_at(1, 4)
    cancelled = event_at(15, 3, status=Event.Status.CANCELLED)
    reg(cancelled, org=enterprise)
    a, b, c = reg(march1, R.ATTENDED, enterprise), reg(march1, org=university), reg(march1)
    reg(march1, R.CANCELLED, enterprise), reg(march1, R.WAITLISTED, university)
    reg(march2)
    d, e = reg(april, org=enterprise), reg(april)
    first = engagement_with(("1000000.00", "registered"), ("500000.00", "draft"))
    second = engagement_with(("300000.50", "registered"))
    engagement_with(("999.00", "registered"))  # an engagement from elsewhere
    for x, y, outcome, engagement in [
        (a, b, Out.AGREEMENT, second),
        (b, c, Out.ENGAGEMENT, first),
        (a, c, Out.NOT_HELD, None),
    ]:
        MeetingRequest.objects.create(
            event=march1, requested_by=x.user, requester=x, invitee=y, status=MeetingRequest.Status.ACCEPTED,
            outcome=outcome, engagement_id=engagement.pk if engagement else None,
        )  # fmt: skip
    MeetingRequest.objects.create(
        event=march1, requested_by=c.user, requester=c, invitee=a, status="declined"
    )
    MeetingRequest.objects.create(event=april, requested_by=d.user, requester=d, invitee=e)
    data = event_figures(year=2026)
    by_month = {row["month"]: row for row in data["months"]}
    assert by_month["2026-03"] == {
        "month": "2026-03", "events": 2, "registrations": 4, "attended": 1, "meetings_requested": 4,
        "meetings_accepted": 3, "meetings_held": 2, "deals": 2, "agreements": 1, "engagements": 2,
        "contracts": 2, "contract_amount": Decimal("1300000.50"),
    }  # fmt: skip
    assert by_month["2026-04"]["meetings_requested"] == 1 and by_month["2026-04"]["meetings_accepted"] == 0
    assert (by_month["2026-04"]["engagements"], by_month["2026-04"]["contracts"]) == (0, 0)
    assert data["totals"]["events"] == 3 and data["totals"]["registrations"] == 6
    assert data["totals"]["contract_amount"] == Decimal("1300000.50")
    assert [(k["kind"], k["registrations"], k["attended"]) for k in data["participants_by_kind"]] == [
        ("enterprise", 2, 1),
        ("university", 1, 0),
        ("person", 3, 0),
    ]
    assert event_figures(year=2025)["months"] == []
    assert event_figures(year=2026, organiser=organiser_org.pk + 999)["months"] == []
    page = Client().get("/events/figures/?year=2026").content.decode()
    assert "1,300,000.50" in page and "1300000.50" not in page  # grouped like every other amount


def test_icalendar_output_is_parseable_with_times_and_cancellation(event, organiser):
    services.event_move(event=event, action="cancel", acting_user=organiser, reason="场地调整")
    body = events_calendar([event], base_url="https://tm.example.cn/")
    cal = Calendar.from_ical(body)
    [vevent] = cal.walk("VEVENT")
    assert str(vevent["summary"]) == "[对接会] 新能源汽车产业链供需对接会"
    assert vevent.decoded("dtstart") == event.starts_at.replace(microsecond=0)
    assert str(vevent["status"]) == "CANCELLED"
    assert str(vevent["url"]) == f"https://tm.example.cn/events/{event.pk}/"
