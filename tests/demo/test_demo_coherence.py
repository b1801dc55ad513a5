"""Demo data that does not contradict itself: organisations have a field and everything they post follows it."""

import pytest
from django.db.models import Count

from techmarket.achievements.models import Achievement
from techmarket.demo.builders import achievements, experts, needs
from techmarket.demo.generator import generate
from techmarket.demo.topics import FACTS
from techmarket.needs.models import Need, NeedKind
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(monkeypatch):
    monkeypatch.setattr(needs, "NEEDS_PER_RUN", 80)
    monkeypatch.setattr(achievements, "ACHIEVEMENTS_PER_RUN", 160)
    monkeypatch.setattr(experts, "EXPERTS_PER_RUN", 80)
    return generate()


def test_an_enterprise_posts_needs_in_its_own_industry_and_titles_are_unique(demo):
    assert Need.objects.count() > 50
    for need in Need.objects.select_related("owner"):
        assert need.industry_id == need.owner.industry_id, (need.owner.name, need.title)
    assert not Need.objects.values("title").annotate(n=Count("pk")).filter(n__gt=1).exists()
    assert not Achievement.objects.values("title").annotate(n=Count("pk")).filter(n__gt=1).exists()


def test_achievements_of_enterprises_are_in_their_own_product_line(demo):
    for item in Achievement.objects.filter(owner__kind=Organization.Kind.ENTERPRISE).select_related("owner"):
        assert item.owner.industry_id in set(item.industries.values_list("code", flat=True)), item.title


def test_codes_and_chain_links_follow_the_topic(demo):
    chains = {facts.chain for facts in FACTS.values() if facts.chain}
    industries = {facts.industry for facts in FACTS.values()}
    assert not Need.objects.exclude(industry_id__in=industries).exists()
    for need in Need.objects.exclude(chain_node=None).select_related("chain_node__chain"):
        assert (need.chain_node.chain.name, need.chain_node.name) in chains
    # no IGBT packaging tagged as software (65)
    assert not Achievement.objects.filter(title__contains="功率半导体", industries__code="65").exists()


def test_talent_and_cooperation_needs_read_like_what_they_are(demo):
    talent = Need.objects.filter(kind=NeedKind.TALENT)
    cooperation = Need.objects.filter(kind=NeedKind.COOPERATION)
    assert talent.exists() and cooperation.exists()
    assert all(n.talent_position and n.talent_modes and n.title.startswith(("招聘", "引进")) for n in talent)
    assert all(n.cooperation_forms for n in cooperation)
    summaries = [n.summary[:12] for n in Need.objects.all()]
    assert len(set(summaries)) > len(summaries) // 2  # not one template for every text
    assert not Need.objects.filter(summary__contains="某企业寻求").exists()


def test_policy_organisation_kinds_and_recognised_transfer_institutions_exist(demo):
    kinds = set(Organization.objects.values_list("kind", flat=True))
    assert {"industry_ri", "consortium", "new_rd"} <= kinds
    assert Organization.objects.filter(
        kind=Organization.Kind.SERVICE, recognition_level="provincial"
    ).exists()
    assert Achievement.objects.exclude(empowerment="").exists()


def test_an_event_agenda_follows_its_own_start_time():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from techmarket.demo.builders.events import _agenda

    start = datetime(2027, 1, 15, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    lines = _agenda(start).splitlines()
    assert lines[0] == "14:00 签到" and lines[-1] == "17:00 结束"
    assert "16:00 一对一洽谈" in lines  # meetings start two hours in


def test_a_past_event_meeting_marked_engagement_opened_an_engagement_that_links_back(demo, client):
    from techmarket.engagements.models import Engagement, Origin
    from techmarket.events.models import MeetingRequest
    from techmarket.events.selectors import event_of_engagement

    marked = MeetingRequest.objects.filter(outcome=MeetingRequest.Outcome.ENGAGEMENT).select_related(
        "event", "requester__organization", "invitee__organization"
    )
    assert marked.exists()
    meeting = marked.exclude(engagement_id=None).first()
    assert meeting is not None, "no meeting marked 已立项对接 opened an engagement"
    engagement = Engagement.objects.unscoped().get(pk=meeting.engagement_id)
    assert engagement.origin == Origin.EVENT
    assert engagement.created_at <= meeting.event.ends_at  # dated at the event, not at the seeding
    assert {engagement.demand_org_id, engagement.supply_org_id} == {
        meeting.requester.organization_id,
        meeting.invitee.organization_id,
    }
    broker = engagement.lead_broker
    assert event_of_engagement(broker, engagement.pk) == meeting.event
    client.force_login(broker)
    page = client.get(f"/engagements/{engagement.pk}/")
    assert page.status_code == 200
    assert f"/events/{meeting.event.pk}/" in page.content.decode()


def test_a_past_event_meeting_marked_signed_has_a_deal_and_a_registered_contract_after_the_event(demo):
    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.contracts.models import TechContract
    from techmarket.engagements.models import Engagement, Stage
    from techmarket.events.models import MeetingRequest

    signed = MeetingRequest.objects.filter(outcome=MeetingRequest.Outcome.AGREEMENT).exclude(
        engagement_id=None
    )
    assert signed.exists(), "no meeting marked 已签约 carried an engagement"
    for meeting in signed.select_related("event"):
        engagement = Engagement.objects.unscoped().get(pk=meeting.engagement_id)
        assert engagement.stage == Stage.DEAL
        assert meeting.event.ends_at <= engagement.closed_at
        contract = TechContract.objects.unscoped().get(engagement=engagement)
        assert contract.status == "registered"
        assert contract.signed_on >= meeting.event.ends_at.date()
    from datetime import timedelta

    from django.utils import timezone

    from techmarket.analytics.periods import Month, Period

    today = timezone.localdate()
    year = Filters(period=Period(Month.of(today - timedelta(days=365)), Month.of(today)))
    assert compute.total(indicators.get("events.contracts"), year) == signed.count()
    assert compute.total(indicators.get("events.contract_amount"), year) > 0


def test_two_years_of_monthly_history_give_the_bureaus_charts_a_shape(demo):
    """Issue 16's demo data: the dashboard's monthly series over the last two years have values in most
    months of both years, not one spike in the current month."""
    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period

    now = Month.current()
    first = now.shift(-23)
    two_years = Filters(period=Period(first, now))
    shapes = {}
    for key in ("needs.published", "achievements.published", "orgs.approved"):
        series = compute.series(indicators.get(key), two_years)
        assert len(series) == 24
        shapes[key] = [month for month, value in series if value]
    for key, months in shapes.items():
        assert len(months) >= 12, (key, len(months))
        assert months[0] <= first.shift(3), key  # values in the first year too
    # The contracts the deals and events registered are spread over more than one month.
    registered = compute.series(indicators.get("contracts.registered"), two_years)
    assert len([m for m, v in registered if v]) >= 2
