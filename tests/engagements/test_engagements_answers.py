"""A broker's recommendation is answered by both sides; two yes answers open an engagement; a refusal
carries a reason the other side sees; an unanswered one is reminded to the broker, then the operators."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from techmarket.catalog.models import ListingStatus
from techmarket.engagements.answers import recommendation_answer
from techmarket.engagements.models import Engagement, RecommendationAnswer, Side
from techmarket.engagements.selectors import answers_visible_to
from techmarket.matching.services import feedback_record
from techmarket.workflow.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def recommended(parties, need, achievement, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        feedback_record(
            acting_user=parties["broker"],
            source=need,
            target=achievement,
            decision="recommend",
            reason="低温改性路线契合，建议先做样品对比。",
            score=0.8,
        )
    answers = {a.side: a for a in RecommendationAnswer.objects.unscoped().all()}
    return answers


def test_a_recommendation_asks_both_sides_with_a_working_day_deadline(recommended, parties):
    demand, supply = recommended[Side.DEMAND], recommended[Side.SUPPLY]
    assert demand.organization == parties["demand"] and supply.organization == parties["supply"]
    assert demand.status == supply.status == "pending"
    assert demand.note == "低温改性路线契合，建议先做样品对比。"
    assert abs(demand.due_at - add_working_days(demand.created_at, 5)) < timedelta(seconds=1)


def test_two_yes_answers_open_an_engagement_led_by_the_recommending_broker(recommended, parties, need):
    recommendation_answer(
        answer=recommended[Side.DEMAND], acting_user=parties["enterprise_user"], interested=True
    )
    assert not Engagement.objects.unscoped().exists()
    supply = recommended[Side.SUPPLY]
    recommendation_answer(answer=supply, acting_user=parties["university_user"], interested=True)
    engagement = Engagement.objects.unscoped().get()
    assert engagement.lead_broker == parties["broker"] and engagement.origin == "recommendation"
    assert engagement.demand_org == parties["demand"] and engagement.supply_org == parties["supply"]
    assert supply.engagement == engagement
    need.refresh_from_db()
    assert need.status == ListingStatus.IN_PROGRESS


def test_a_refusal_needs_a_reason_that_the_other_side_and_the_broker_see(recommended, parties):
    supply = recommended[Side.SUPPLY]
    with pytest.raises(ValidationError) as refused:
        recommendation_answer(answer=supply, acting_user=parties["university_user"], interested=False)
    assert "原因" in refused.value.message_dict["reason"][0]
    recommendation_answer(
        answer=supply, acting_user=parties["university_user"], interested=False, reason="课题组今年无中试产能"
    )
    for who in (parties["enterprise_user"], parties["broker"]):
        seen = answers_visible_to(who).get(pk=supply.pk)
        assert seen.status == "rejected" and seen.decision_note == "课题组今年无中试产能"
    recommendation_answer(
        answer=recommended[Side.DEMAND], acting_user=parties["enterprise_user"], interested=True
    )
    assert not Engagement.objects.unscoped().exists()


def test_only_the_side_asked_may_answer(recommended, parties):
    with pytest.raises(PermissionDenied):
        recommendation_answer(
            answer=recommended[Side.SUPPLY], acting_user=parties["enterprise_user"], interested=True
        )
    with pytest.raises(PermissionDenied):
        recommendation_answer(answer=recommended[Side.DEMAND], acting_user=parties["broker"], interested=True)


def test_an_unanswered_recommendation_reminds_the_broker_then_the_operators(recommended, parties, operator):
    from techmarket.notifications.models import Notification
    from techmarket.workflow.services import overdue_notify

    due = recommended[Side.DEMAND].due_at
    overdue_notify(now=due + timedelta(minutes=1))
    assert Notification.objects.filter(user=parties["broker"], item_key__startswith="wf:od:").count() == 2
    assert not Notification.objects.filter(
        user=parties["enterprise_user"], item_key__startswith="wf:"
    ).exists()
    overdue_notify(now=add_working_days(due, 3))
    assert Notification.objects.filter(user=operator, item_key__startswith="wf:op:").count() == 2


def test_the_answer_deadline_is_configured_per_request_kind(parties, need, achievement, settings):
    settings.REQUEST_DUE_WORKING_DAYS = {"engagements.recommendation_answer": 2}
    feedback_record(acting_user=parties["broker"], source=need, target=achievement, decision="recommend")
    answer = RecommendationAnswer.objects.unscoped().first()
    assert abs(answer.due_at - add_working_days(answer.created_at, 2)) < timedelta(seconds=1)
