"""The core cycle: challenge → application → panel review → award → milestones → final acceptance."""

from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from challenge_helpers import application_data, apply, challenge_data, reload, to_review
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings

from techmarket.audit.models import AuditLog
from techmarket.challenges import panels, services
from techmarket.challenges.models import Application, Challenge, Milestone, Score
from techmarket.workflow.engine import StaleTransition

SH = ZoneInfo("Asia/Shanghai")


def score_all(panel, application, reviewers, values):
    for user, vals in zip(reviewers, values, strict=True):
        crit = list(panel.criteria.all())
        panels.score_submit(
            panel=panel,
            entry=application,
            acting_user=user,
            values={c.pk: v for c, v in zip(crit, vals, strict=True)},
        )


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_full_cycle_from_publication_to_final_acceptance(world, django_capture_on_commit_callbacks):
    from techmarket.notifications.models import Notification

    w = world
    a = apply(w, team="a")
    b = apply(w, team="b")
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    with django_capture_on_commit_callbacks(execute=True):
        panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    users = w.reviewer_users[:3]
    told = set(Notification.objects.filter(title__startswith="评审任务").values_list("user_id", flat=True))
    assert told == {u.pk for u in users}
    score_all(panel, a, users, [(90, 80, 70), (85, 85, 80), (80, 90, 90)])
    score_all(panel, b, users, [(70, 70, 70), (60, 80, 70), (75, 70, 60)])
    panels.panel_close(panel=panel, acting_user=w.operator)
    results = panels.panel_results(reload(panel))
    assert [r.entry.pk for r in results] == [a.pk, b.pk]
    services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="综合得分第一"
    )
    with django_capture_on_commit_callbacks(execute=True):
        challenge = services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    assert challenge.status == Challenge.Status.AWARDED
    assert Notification.objects.filter(user=w.team_a_user, title__startswith="揭榜成功").exists()
    assert Notification.objects.filter(user=w.team_b_user, title__contains="未入选").exists()
    assert reload(a).status == "approved"
    b = reload(b)
    assert b.status == "rejected" and "其他团队" in b.decision_note
    milestones = list(Milestone.objects.filter(application=a).order_by("order"))
    assert [m.title for m in milestones] == ["样机", "产线验证"] and milestones[-1].is_final
    for m in milestones:
        services.milestone_move(milestone=m, action="submit", acting_user=w.team_a_user, note="已完成")
        services.milestone_move(milestone=m, action="accept", acting_user=w.enterprise_admin)
        assert reload(m).accepted_at is not None and reload(m).accepted_by == w.enterprise_admin
    with pytest.raises(ValidationError) as exc:  # 验收 is decided after an acceptance panel
        services.challenge_complete(challenge=reload(w.challenge), acting_user=w.operator, reason="通过")
    assert "验收评审组" in str(exc.value)
    acceptance = services.challenge_acceptance_panel_create(
        challenge=reload(w.challenge), acting_user=w.operator
    )
    assert acceptance.purpose == "acceptance" and services.selection_panel(reload(w.challenge)) == panel
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=acceptance, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=acceptance, acting_user=w.operator)
    assert panels.panel_missing_scores(acceptance) == 3  # only the winner is scored
    # weights 50/30/20: 90,80,70 -> 83; 80,80,80 -> 80; 70,90,60 -> 74; mean 79
    score_all(acceptance, a, users, [(90, 80, 70), (80, 80, 80), (70, 90, 60)])
    panels.panel_close(panel=acceptance, acting_user=w.operator)
    with pytest.raises(ValidationError) as exc:
        services.challenge_complete(challenge=reload(w.challenge), acting_user=w.operator, reason=" ")
    assert "理由" in str(exc.value)
    done = services.challenge_complete(
        challenge=reload(w.challenge),
        acting_user=w.operator,
        reason="各项指标达标，同意通过验收。",
        outcome_patents=2,
        outcome_revenue=Decimal("5000000"),
    )
    assert done.status == Challenge.Status.COMPLETED and done.outcome_patents == 2
    assert reload(done).acceptance_score == Decimal("79.00")
    assert reload(done).status_note == "各项指标达标，同意通过验收。"
    # the outcomes are published with the accepted challenge: on its page and in the API, to a visitor too
    from django.test import Client

    body = Client().get(f"/api/challenges/{done.pk}").json()
    assert body["outcomes"]["patents"] == 2 and Decimal(body["outcomes"]["revenue"]) == Decimal("5000000")
    assert body["outcomes"]["products"] == 0 and body["outcomes"]["jobs"] == 0
    page = Client().get(f"/challenges/{done.pk}/").content.decode()
    assert "专利 2 件" in page and "新增销售收入 500 万元" in page
    from django.utils import timezone

    from techmarket.analytics import compute, indicators
    from techmarket.analytics.compute import Filters
    from techmarket.analytics.periods import Month, Period

    month = Month.of(timezone.localdate())
    assert compute.total(indicators.get("challenges.accepted"), Filters(period=Period(month, month))) == 1
    actions = set(AuditLog.objects.values_list("action", flat=True))
    for expected in (
        "challenges.challenge.publish",
        "challenges.application.submit",
        "challenges.panel.add_member",
        "challenges.panel.score",
        "challenges.panel.close",
        "challenges.challenge.propose_award",
        "challenges.application.award",
        "challenges.application.decline",
        "challenges.challenge.award",
        "challenges.milestone.accept",
        "challenges.challenge.complete",
    ):
        assert expected in actions, expected


def test_milestone_rework_needs_reason_and_sets_a_new_due_time(world):
    w = world
    a = apply(w)
    ms = Milestone.objects.create(
        application=a, order=1, title="样机", deliverable="样机", planned_date=datetime.now().date()
    )
    w.challenge.status = Challenge.Status.AWARDED
    w.challenge.save()
    ms = reload(ms)
    services.milestone_move(milestone=ms, action="submit", acting_user=w.team_a_user)
    with pytest.raises(ValidationError) as exc:
        services.milestone_move(milestone=reload(ms), action="rework", acting_user=w.enterprise_admin)
    assert "原因" in str(exc.value)
    moved = services.milestone_move(
        milestone=reload(ms), action="rework", acting_user=w.enterprise_admin, reason="检出率未达 98%"
    )
    assert moved.status == Milestone.Status.REWORK and moved.due_at is not None and moved.review_note
    with pytest.raises(PermissionDenied):  # the team cannot accept its own work
        services.milestone_move(milestone=reload(ms), action="accept", acting_user=w.team_a_user)


def test_a_stale_challenge_move_is_refused(world):
    w = world
    with pytest.raises(StaleTransition):
        services.challenge_move(
            challenge=w.challenge, action="start_review", acting_user=w.operator, expected_state="draft"
        )


# --- bad input from the issue -----------------------------------------------------------------------


def test_funding_shares_that_do_not_add_up_are_refused_and_nothing_saved(world):
    before = Challenge.objects.unscoped().count()
    with pytest.raises(ValidationError) as exc:
        services.challenge_create(
            owner=world.enterprise,
            acting_user=world.enterprise_admin,
            **challenge_data(government_share=Decimal("400000")),
        )
    assert "经费来源合计不等于榜单总金额" in exc.value.message_dict["funding_total"][0]
    assert Challenge.objects.unscoped().count() == before


def test_enterprise_share_below_the_configured_minimum_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        services.challenge_create(
            owner=world.enterprise,
            acting_user=world.enterprise_admin,
            **challenge_data(
                funding_total=Decimal("900000"),
                enterprise_share=Decimal("500000"),
                government_share=Decimal("400000"),
            ),
        )
    assert "不得低于 100 万元" in exc.value.message_dict["enterprise_share"][0]
    with override_settings(CHALLENGE_MIN_ENTERPRISE_SHARE=Decimal("500000")):
        ok = services.challenge_create(
            owner=world.enterprise,
            acting_user=world.enterprise_admin,
            **challenge_data(
                funding_total=Decimal("900000"),
                enterprise_share=Decimal("500000"),
                government_share=Decimal("400000"),
            ),
        )
    assert ok.pk


def test_deadline_boundary_in_asia_shanghai(world):
    w = world
    deadline = datetime(2026, 12, 31, 17, 0, tzinfo=SH)
    Challenge.objects.unscoped().filter(pk=w.challenge.pk).update(deadline=deadline)
    w.challenge = reload(w.challenge)
    just_before = deadline - timedelta(seconds=1)
    a = apply(w, team="a", now=just_before)
    assert a.status == "pending"
    with pytest.raises(ValidationError) as exc:
        apply(w, team="b", now=deadline)
    assert "北京时间 2026-12-31 17:00" in exc.value.messages[0]
    assert not Application.objects.unscoped().filter(organization=w.uni_b).exists()
    # edits too stop at the deadline
    with pytest.raises(ValidationError):
        services.application_update(application=a, acting_user=w.team_a_user, now=deadline, plan="x" * 30)
    services.application_update(
        application=a, acting_user=w.team_a_user, now=just_before, plan="新的方案" * 10
    )
    assert reload(a).plan.startswith("新的方案")


def test_application_twice_and_eligibility_are_refused(world):
    w = world
    apply(w)
    with pytest.raises(ValidationError) as exc:
        apply(w)
    assert "已揭此榜" in exc.value.messages[0]
    Challenge.objects.unscoped().filter(pk=w.challenge.pk).update(eligible_kinds=["enterprise"])
    w.challenge = reload(w.challenge)
    with pytest.raises(ValidationError) as exc:
        apply(w, team="b")
    assert "只接受以下类型的机构" in exc.value.message_dict["organization"][0]


def test_budget_over_the_challenge_amount_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        apply(world, budget=[{"item": "设备费", "amount": "3000000"}])
    assert "超过榜单总金额" in exc.value.message_dict["budget"][0]
    assert not Application.objects.unscoped().exists()


def test_withdrawn_application_may_apply_again(world):
    a = apply(world)
    services.application_withdraw(application=a, acting_user=world.team_a_user)
    again = apply(world)
    assert reload(a).status == "withdrawn" and again.status == "pending"


def test_scores_outside_the_scale_or_twice_are_refused_and_nothing_half_saved(world):
    w = world
    a = apply(w)
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    crit = list(panel.criteria.all())
    with pytest.raises(ValidationError) as exc:
        panels.score_submit(
            panel=panel,
            entry=a,
            acting_user=w.reviewer_users[0],
            values={crit[0].pk: 90, crit[1].pk: 101, crit[2].pk: 50},
        )
    assert "超出范围" in exc.value.message_dict[f"score_{crit[1].pk}"][0]
    with pytest.raises(ValidationError):
        panels.score_submit(
            panel=panel,
            entry=a,
            acting_user=w.reviewer_users[0],
            values={crit[0].pk: -1, crit[1].pk: "abc", crit[2].pk: 5},
        )
    assert not Score.objects.unscoped().exists()
    panels.score_submit(
        panel=panel, entry=a, acting_user=w.reviewer_users[0], values={c.pk: 80 for c in crit}
    )
    with pytest.raises(ValidationError) as exc:
        panels.score_submit(
            panel=panel, entry=a, acting_user=w.reviewer_users[0], values={c.pk: 90 for c in crit}
        )
    assert "不能重复" in exc.value.messages[0]
    assert Score.objects.unscoped().count() == 3
    assert set(Score.objects.unscoped().values_list("value", flat=True)) == {Decimal("80.00")}


def test_panel_cannot_close_before_every_score_is_in(world):
    w = world
    apply(w)
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    with pytest.raises(ValidationError) as exc:
        panels.panel_close(panel=panel, acting_user=w.operator)
    assert "3 份评分未完成" in exc.value.messages[0]


def test_panel_needs_the_minimum_number_of_reviewers(world):
    w = world
    apply(w)
    panel = to_review(w)
    panels.panel_add_member(panel=panel, expert=w.reviewers[0], acting_user=w.operator)
    with pytest.raises(ValidationError) as exc:
        panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    assert "至少需要 3 位" in exc.value.messages[0]


@override_settings(CHALLENGE_PUBLICITY_WORKING_DAYS=0)
def test_award_waits_for_objections_to_be_answered(world):
    w = world
    a = apply(w)
    panel = to_review(w)
    Challenge.objects.unscoped().filter(pk=w.challenge.pk).update(status="reviewing")
    panel.status = panel.Status.CLOSED
    panel.save()
    challenge = services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="第一名"
    )
    objection = services.objection_raise(
        challenge=challenge, acting_user=w.team_b_user, text="拟揭榜团队的前期成果与事实不符。"
    )
    with pytest.raises(ValidationError) as exc:
        services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    assert "未答复的公示异议" in exc.value.messages[0]
    with pytest.raises(ValidationError):
        services.objection_answer(objection=objection, acting_user=w.operator, upheld=False, answer="")
    services.objection_answer(
        objection=objection, acting_user=w.operator, upheld=False, answer="经核实，前期成果属实。"
    )
    assert services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator).status == "awarded"
    assert AuditLog.objects.filter(action="challenges.objection.dismiss").exists()


def test_award_before_the_end_of_the_publicity_period_is_refused(world):
    w = world
    a = apply(w)
    panel = to_review(w)
    panel.status = panel.Status.CLOSED
    panel.save()
    services.challenge_propose_award(
        challenge=reload(w.challenge), application=a, acting_user=w.operator, reason="第一"
    )
    with pytest.raises(ValidationError) as exc:
        services.challenge_award(challenge=reload(w.challenge), acting_user=w.operator)
    assert "公示期至" in exc.value.messages[0]


def test_challenge_from_a_need_carries_text_and_parameters(world):
    from techmarket.needs.models import Need

    need = Need.objects.create(
        owner=world.enterprise,
        title="不锈钢带材表面缺陷检测",
        summary="需要在线检测。",
        problem="漏检率高",
        parameters=[{"indicator": "检出率", "target": "98", "unit": "%"}],
        budget_max=Decimal("200"),
    )
    data = services.from_need(need)
    assert data["targets"] == [{"indicator": "检出率", "value": "98", "unit": "%", "method": ""}]
    assert data["funding_total"] == Decimal("2000000") and data["need"] == need
    assert "漏检率高" in data["problem"]
    assert Application.objects.unscoped().count() == 0  # nothing written by a draft
    assert application_data()["budget"]


def test_overdue_milestone_reminds_the_team_and_the_enterprise_then_operators(world):
    from techmarket.notifications.models import Notification
    from techmarket.workflow.services import overdue_notify

    w = world
    a = apply(w)
    Milestone.objects.create(
        application=a,
        order=1,
        title="样机",
        deliverable="样机",
        planned_date=datetime(2026, 3, 2).date(),
        due_at=datetime(2026, 3, 2, 17, 0, tzinfo=SH),
    )
    counts = overdue_notify(now=datetime(2026, 3, 10, 9, 0, tzinfo=SH))
    assert counts["overdue"] >= 1
    told = set(Notification.objects.filter(title__contains="样机").values_list("user_id", flat=True))
    assert {w.team_a_user.pk, w.enterprise_admin.pk, w.operator.pk} <= told


def test_publication_notifies_experts_in_the_field_but_not_the_enterprise(
    world, django_capture_on_commit_callbacks
):
    from techmarket.challenges.events import suggested_experts
    from techmarket.notifications.models import Notification
    from techmarket.reference.models import Industry

    w = world
    industry = Industry.objects.filter(level=2).order_by("code").first()
    w.lead_b.industries.add(industry)
    insider = w.lead_a  # reuse a user-bearing expert moved into the enterprise
    insider.affiliation = w.enterprise
    insider.save()
    insider.industries.add(industry)
    challenge = services.challenge_create(
        owner=w.enterprise,
        acting_user=w.enterprise_admin,
        **challenge_data(title="新的榜单：板形控制", industry=industry),
    )
    assert [e.pk for e in suggested_experts(challenge)] == [w.lead_b.pk]
    with django_capture_on_commit_callbacks(execute=True):
        services.challenge_move(challenge=challenge, action="publish", acting_user=w.operator)
    notified = set(
        Notification.objects.filter(title__contains="新的榜单：板形控制").values_list("user_id", flat=True)
    )
    assert notified == {w.team_b_user.pk}
