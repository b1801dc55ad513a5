"""A meeting at a matchmaking event marked 已立项对接 opens an engagement, led by the broker the rule in
engagements.from_events finds (the marking broker, the caseload broker, the organiser's, the region's)."""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.engagements.models import Assignment, BrokerFields, Engagement, Origin, Stage
from techmarket.events import services
from techmarket.events.models import MeetingRequest
from techmarket.notifications.models import Notification
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db


def _member(org):
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user


def _meeting(make_event, requester, invitee, organization_of):
    start = timezone.now() - timedelta(hours=1)
    event = make_event(
        starts_at=start, ends_at=start + timedelta(hours=4), registration_deadline=start + timedelta(hours=3),
        meetings_start=start + timedelta(minutes=30),
    )  # fmt: skip
    a = services.registration_open(
        event=event, acting_user=requester, organization=organization_of[requester]
    )
    b = services.registration_open(event=event, acting_user=invitee, organization=organization_of[invitee])
    meeting = services.meeting_request(event=event, acting_user=requester, invitee=b)
    return services.meeting_decide(meeting=meeting, acting_user=invitee, accept=True), a, b


def test_a_broker_recording_the_outcome_opens_the_engagement_enterprise_on_the_demand_side(make_event):
    university = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    enterprise = OrganizationFactory(name="临沂新能源汽车零部件有限公司")
    broker = make_broker()
    MembershipFactory(user=broker, organization=university, role=Role.MEMBER)
    buyer = _member(enterprise)
    meeting, _a, _b = _meeting(make_event, broker, buyer, {broker: university, buyer: enterprise})
    done = services.meeting_record_outcome(
        meeting=meeting, acting_user=broker, outcome=MeetingRequest.Outcome.ENGAGEMENT
    )
    engagement = Engagement.objects.unscoped().get(pk=done.engagement_id)
    assert (engagement.origin, engagement.stage) == (Origin.EVENT, Stage.DISCOVERY)
    assert (engagement.demand_org, engagement.supply_org, engagement.lead_broker) == (
        enterprise,
        university,
        broker,
    )


def _meet(make_event, need, achievement, enterprise, university):
    seller, buyer = _member(university), _member(enterprise)
    start = timezone.now() - timedelta(hours=1)
    event = make_event(
        starts_at=start, ends_at=start + timedelta(hours=4), registration_deadline=start + timedelta(hours=3),
        meetings_start=start + timedelta(minutes=30),
    )  # fmt: skip
    services.registration_open(event=event, acting_user=buyer, organization=enterprise, need_ids=[need.pk])
    b = services.registration_open(
        event=event, acting_user=seller, organization=university, achievement_ids=[achievement.pk]
    )
    meeting = services.meeting_request(event=event, acting_user=buyer, invitee=b)
    meeting = services.meeting_decide(meeting=meeting, acting_user=seller, accept=True)
    return meeting, buyer


def _mark(meeting, user, capture):
    with capture(execute=True):
        return services.meeting_record_outcome(
            meeting=meeting, acting_user=user, outcome=MeetingRequest.Outcome.ENGAGEMENT, note="先做样件测试"
        )


def test_a_participant_marking_the_meeting_opens_the_engagement_led_by_the_organisers_broker(
    make_event, organiser_org, need, achievement, enterprise, university, django_capture_on_commit_callbacks
):
    make_broker()  # a broker elsewhere, not the organiser's: not chosen
    organisers_broker = UserFactory()
    MembershipFactory(user=organisers_broker, organization=organiser_org, role=Role.BROKER)
    meeting, buyer = _meet(make_event, need, achievement, enterprise, university)
    done = _mark(meeting, buyer, django_capture_on_commit_callbacks)
    engagement = Engagement.objects.unscoped().get(pk=done.engagement_id)
    assert (engagement.demand_org, engagement.supply_org) == (enterprise, university)
    assert (engagement.lead_broker, engagement.opened_by, engagement.origin) == (
        organisers_broker,
        buyer,
        Origin.EVENT,
    )
    assert (engagement.need, engagement.achievement, engagement.summary) == (
        need,
        achievement,
        "先做样件测试",
    )
    need.refresh_from_db()
    assert need.status == "in_progress"  # the need the enterprise brought is now 对接中


def test_the_broker_holding_the_brought_need_in_their_caseload_leads_before_the_organisers(
    make_event, organiser_org, need, achievement, enterprise, university, django_capture_on_commit_callbacks
):
    organisers_broker = UserFactory()
    MembershipFactory(user=organisers_broker, organization=organiser_org, role=Role.BROKER)
    caseload_broker = make_broker()
    Assignment.objects.create(need=need, broker=caseload_broker, via=Assignment.Via.CLAIMED)
    meeting, buyer = _meet(make_event, need, achievement, enterprise, university)
    done = _mark(meeting, buyer, django_capture_on_commit_callbacks)
    assert Engagement.objects.unscoped().get(pk=done.engagement_id).lead_broker == caseload_broker


def test_without_caseload_or_organiser_broker_the_broker_serving_the_enterprises_region_leads(
    make_event, need, achievement, enterprise, university, django_capture_on_commit_callbacks
):
    make_broker()  # registered first, serves no region
    regional = make_broker()
    fields = BrokerFields.objects.create(broker=regional)
    fields.regions.set([Region.objects.get(pk="371300")])  # 临沂市 covers 兰山区 (371302)
    meeting, buyer = _meet(make_event, need, achievement, enterprise, university)
    done = _mark(meeting, buyer, django_capture_on_commit_callbacks)
    assert Engagement.objects.unscoped().get(pk=done.engagement_id).lead_broker == regional


def test_with_no_broker_to_lead_the_outcome_is_recorded_and_the_operators_are_asked_to_assign(
    make_event, need, achievement, enterprise, university, django_capture_on_commit_callbacks
):
    operator = make_operator()
    meeting, buyer = _meet(make_event, need, achievement, enterprise, university)
    done = _mark(meeting, buyer, django_capture_on_commit_callbacks)
    assert done.outcome == MeetingRequest.Outcome.ENGAGEMENT and done.engagement_id is None
    assert not Engagement.objects.unscoped().exists()
    notice = Notification.objects.get(user=operator, item_key=f"events.meeting:{meeting.pk}:needs_broker")
    assert "分派经纪人" in notice.title


def test_the_bureau_dashboard_counts_held_events_and_their_deals(make_event):
    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period

    university = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    enterprise = OrganizationFactory(name="临沂新能源汽车零部件有限公司")
    seller, buyer = _member(university), _member(enterprise)
    meeting, _a, _b = _meeting(make_event, seller, buyer, {seller: university, buyer: enterprise})
    services.meeting_record_outcome(
        meeting=meeting, acting_user=buyer, outcome=MeetingRequest.Outcome.AGREEMENT
    )
    this_month = Month.of(timezone.localtime(meeting.event.starts_at).date())
    flt = Filters(period=Period(this_month, this_month))
    assert compute.total(indicators.get("events.held"), flt) == 1
    assert compute.total(indicators.get("events.participants"), flt) == 2
    assert compute.total(indicators.get("events.deals"), flt) == 1
    assert (
        compute.total(
            indicators.get("events.held"), Filters(period=Period(this_month.shift(1), this_month.shift(1)))
        )
        == 0
    )


def test_the_bureau_dashboard_counts_registered_contracts_of_engagements_opened_at_events(make_event):
    from datetime import date
    from decimal import Decimal

    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period
    from techmarket.contracts.models import ContractType, TechContract

    university = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    enterprise = OrganizationFactory(name="临沂新能源汽车零部件有限公司")
    broker = make_broker()
    MembershipFactory(user=broker, organization=university, role=Role.MEMBER)
    buyer = _member(enterprise)
    meeting, _a, _b = _meeting(make_event, broker, buyer, {broker: university, buyer: enterprise})
    done = services.meeting_record_outcome(
        meeting=meeting, acting_user=broker, outcome=MeetingRequest.Outcome.ENGAGEMENT
    )
    other = Engagement.objects.create(
        title="其他来源的项目", demand_org=enterprise, supply_org=university, lead_broker=broker
    )
    for engagement_id, amount in [(done.engagement_id, "2500000.00"), (other.pk, "100.00")]:
        TechContract.objects.create(
            title="委托开发合同", contract_type=ContractType.objects.first(), signed_on=date(2026, 5, 6),
            total_amount=Decimal(amount), technical_amount=Decimal(amount), payment_mode="lump_sum",
            owner=university, status="registered", registered_on=date(2026, 5, 20), engagement_id=engagement_id,
        )  # fmt: skip
    may = Month.of(date(2026, 5, 1))
    flt = Filters(period=Period(may, may))
    assert compute.total(indicators.get("events.contracts"), flt) == 1
    assert compute.total(indicators.get("events.contract_amount"), flt) == Decimal("250.00")  # 万元
