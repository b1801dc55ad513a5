"""The stage machine: allowed and refused moves, checklist items, reasons, staleness, deadlines."""

from datetime import datetime, timedelta
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from factories import make_broker

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.engagements import services
from techmarket.engagements.models import Engagement, Stage, StageEntry
from techmarket.engagements.workflow import ENGAGEMENT, NEXT_STEP_DAYS
from techmarket.workflow.engine import StaleTransition
from techmarket.workflow.workdays import add_working_days

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def tick_all(engagement, broker, *items):
    for item in items:
        services.checklist_tick(engagement=engagement, item=item, acting_user=broker)


def test_opening_moves_the_need_and_the_achievement_to_in_progress(engagement, need, achievement):
    need.refresh_from_db()
    achievement.refresh_from_db()
    assert need.status == achievement.status == ListingStatus.IN_PROGRESS
    assert engagement.stage == Stage.DISCOVERY
    assert [e.stage for e in StageEntry.objects.filter(engagement=engagement)] == [Stage.DISCOVERY]
    assert AuditLog.objects.filter(action="engagements.engagement.create").count() == 1


def test_leaving_a_stage_needs_its_required_checklist_items(engagement, parties, checklist):
    broker = parties["broker"]
    with pytest.raises(ValidationError) as refused:
        services.engagement_move(engagement=engagement, action="to_verification", acting_user=broker)
    messages = refused.value.messages
    assert any("首次会谈已举行" in m for m in messages) and any("保密协议已签署" in m for m in messages)
    assert not any("企业走访" in m for m in messages)  # optional items do not hold a move
    engagement.refresh_from_db()
    assert engagement.stage == Stage.DISCOVERY and engagement.version == 1  # nothing written
    tick_all(engagement, broker, checklist["meeting"], checklist["nda"])
    services.engagement_move(engagement=engagement, action="to_verification", acting_user=broker)
    engagement.refresh_from_db()
    assert engagement.stage == Stage.VERIFICATION
    with pytest.raises(
        ValidationError, match="概念验证报告"
    ):  # skipping ahead still needs this stage's items
        services.engagement_move(engagement=engagement, action="to_transaction", acting_user=broker)


def test_a_later_stage_may_be_reached_directly_but_never_an_earlier_one(engagement, parties):
    broker = parties["broker"]
    services.engagement_move(engagement=engagement, action="to_transaction", acting_user=broker)
    assert engagement.stage == Stage.TRANSACTION
    with pytest.raises(ValidationError, match="当前状态为“交易融资”"):
        services.engagement_move(engagement=engagement, action="to_verification", acting_user=broker)
    entries = list(StageEntry.objects.filter(engagement=engagement))
    assert [e.stage for e in entries] == [Stage.DISCOVERY, Stage.TRANSACTION]
    assert entries[0].left_at is not None and entries[1].left_at is None


def test_only_the_engagements_brokers_and_operators_move_it(engagement, parties, operator):
    for outsider in (parties["enterprise_user"], parties["university_user"], make_broker()):
        with pytest.raises(PermissionDenied):
            services.engagement_move(engagement=engagement, action="to_pilot", acting_user=outsider)
    assistant = make_broker()
    services.engagement_set_assistants(
        engagement=engagement, acting_user=parties["broker"], brokers=[assistant]
    )
    services.engagement_move(engagement=engagement, action="to_pilot", acting_user=assistant)
    services.engagement_move(engagement=engagement, action="to_transaction", acting_user=operator)
    assert engagement.stage == Stage.TRANSACTION
    assert [n for n, _a in ENGAGEMENT.available(parties["enterprise_user"], engagement)] == []


def test_termination_needs_a_listed_reason_and_a_note_and_lists_the_items_again(
    engagement, parties, need, achievement, django_capture_on_commit_callbacks
):
    broker = parties["broker"]
    with pytest.raises(ValidationError) as no_reason:
        services.engagement_move(
            engagement=engagement, action="terminate", acting_user=broker, reason="价格谈不拢"
        )
    assert "termination_reason" in no_reason.value.message_dict
    with pytest.raises(ValidationError) as no_note:
        services.engagement_move(
            engagement=engagement, action="terminate", acting_user=broker, termination_reason="price"
        )
    assert "各方都会看到" in no_note.value.message_dict["reason"][0]
    engagement.refresh_from_db()
    assert engagement.stage == Stage.DISCOVERY
    with django_capture_on_commit_callbacks(execute=True):
        services.engagement_move(
            engagement=engagement,
            action="terminate",
            acting_user=broker,
            termination_reason="price",
            reason="企业预算 50 万，高校报价 200 万。",
        )
    engagement.refresh_from_db()
    assert engagement.stage == Stage.TERMINATED and engagement.ended_stage == Stage.DISCOVERY
    assert engagement.termination_reason == "price" and engagement.due_at is None
    need.refresh_from_db()
    achievement.refresh_from_db()
    assert need.status == achievement.status == ListingStatus.PUBLISHED
    from techmarket.notifications.models import Notification

    notice = Notification.objects.get(user=parties["enterprise_user"], item_key__startswith="eng:")
    assert "价格未谈拢" in notice.body and "200 万" in notice.body


def test_only_a_deal_solves_the_need_and_the_achievement(engagement, parties, need, achievement, operator):
    from techmarket.catalog.workflow import listing_transition

    with pytest.raises(PermissionDenied):
        listing_transition(item=need, action="solve", acting_user=operator)
    services.engagement_move(
        engagement=engagement, action="deal", acting_user=parties["broker"], reason="签约"
    )
    need.refresh_from_db()
    achievement.refresh_from_db()
    assert need.status == achievement.status == ListingStatus.SOLVED
    assert engagement.status == "deal" and engagement.closed_at is not None
    with pytest.raises(ValidationError, match="当前状态为“成交”"):
        services.engagement_move(engagement=engagement, action="to_pilot", acting_user=parties["broker"])


def test_a_terminated_engagement_keeps_the_need_in_progress_while_another_is_open(
    engagement, parties, need, achievement
):
    other = services.engagement_open(
        acting_user=parties["broker"],
        title="低温正极材料第二供给方",
        demand_org=parties["demand"],
        supply_org=parties["supply"],
        need=need,
    )
    services.engagement_move(
        engagement=engagement,
        action="terminate",
        acting_user=parties["broker"],
        termination_reason="other",
        reason="x",
    )
    need.refresh_from_db()
    assert need.status == ListingStatus.IN_PROGRESS and other.is_open


def test_of_two_concurrent_moves_the_second_is_refused(engagement, parties, operator):
    seen = engagement.stage
    twin = Engagement.objects.unscoped().get(pk=engagement.pk)
    services.engagement_move(
        engagement=engagement, action="to_pilot", acting_user=parties["broker"], expected_state=seen
    )
    with pytest.raises(StaleTransition, match="已被他人处理"):
        services.engagement_move(
            engagement=twin,
            action="terminate",
            acting_user=operator,
            termination_reason="other",
            reason="x",
            expected_state=seen,
        )
    twin.refresh_from_db()
    assert twin.stage == Stage.PILOT and twin.termination_reason == ""


def test_two_people_saving_the_same_engagement_the_second_is_refused_and_nothing_is_lost(
    engagement, parties, operator
):
    version = engagement.version
    twin = Engagement.objects.unscoped().get(pk=engagement.pk)
    services.engagement_update(
        engagement=engagement, acting_user=parties["broker"], expected_version=version, next_step="寄送样品"
    )
    with pytest.raises(ValidationError, match="已被他人修改"):
        services.engagement_update(
            engagement=twin, acting_user=operator, expected_version=version, next_step="安排走访"
        )
    twin.refresh_from_db()
    assert twin.next_step == "寄送样品" and twin.version == version + 1


def test_next_step_dates_in_the_past_are_refused(engagement, parties):
    with pytest.raises(ValidationError) as refused:
        services.engagement_update(
            engagement=engagement,
            acting_user=parties["broker"],
            expected_version=engagement.version,
            next_step_on=timezone.localdate() - timedelta(days=1),
        )
    assert "不能早于今天" in refused.value.message_dict["next_step_on"][0]


def test_activities_in_the_future_are_refused(engagement, parties):
    with pytest.raises(ValidationError) as refused:
        services.activity_log(
            engagement=engagement,
            acting_user=parties["broker"],
            kind="meeting",
            happened_on=timezone.localdate() + timedelta(days=3),
            summary="首次会谈",
        )
    assert "happened_on" in refused.value.message_dict
    assert not engagement.activities.exists()


def test_a_move_sets_the_next_step_deadline_in_working_days_across_the_national_day_and_its_make_up_day(
    engagement, parties
):
    # 2026 国庆: 10/1–10/7 off; Saturday 10/10 is a 调休 working day.
    now = datetime(2026, 9, 30, 10, 0, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=now):
        services.engagement_move(engagement=engagement, action="to_pilot", acting_user=parties["broker"])
    engagement.refresh_from_db()
    assert engagement.due_at == add_working_days(now, NEXT_STEP_DAYS)
    # 8, 9, Sat 10 (调休), 12–16, 19, 20: the tenth working day is Tuesday 10/20.
    assert timezone.localtime(engagement.due_at).date() == datetime(2026, 10, 20).date()


def test_an_overdue_engagement_reminds_its_broker_then_the_operators(engagement, parties, operator):
    from techmarket.notifications.models import Notification
    from techmarket.workflow.services import overdue_notify

    due = engagement.due_at
    overdue_notify(now=due + timedelta(minutes=1))
    assert Notification.objects.filter(user=parties["broker"], item_key__startswith="wf:od:").count() == 1
    assert not Notification.objects.filter(user=operator, item_key__startswith="wf:op:").exists()
    overdue_notify(now=add_working_days(due, 3))
    assert Notification.objects.filter(user=operator, item_key__startswith="wf:op:").count() == 1
    assert Notification.objects.filter(user=parties["broker"], item_key__startswith="wf:od:").count() == 1
