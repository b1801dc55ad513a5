"""A meeting at a matchmaking event marked 已立项对接 opens an engagement when a broker records it."""

from datetime import timedelta

import pytest
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.engagements.models import Engagement, Origin, Stage
from techmarket.events import services
from techmarket.events.models import MeetingRequest
from techmarket.orgs.models import Organization, Role

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


def test_a_participant_who_is_not_a_broker_records_the_outcome_alone(make_event):
    university = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    enterprise = OrganizationFactory(name="临沂新能源汽车零部件有限公司")
    seller, buyer = _member(university), _member(enterprise)
    meeting, _a, _b = _meeting(make_event, seller, buyer, {seller: university, buyer: enterprise})
    done = services.meeting_record_outcome(
        meeting=meeting, acting_user=buyer, outcome=MeetingRequest.Outcome.ENGAGEMENT
    )
    assert done.outcome == MeetingRequest.Outcome.ENGAGEMENT and done.engagement_id is None
    assert not Engagement.objects.unscoped().exists()


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
