"""Pages and API of 揭榜挂帅: the same selectors and services, clear messages, nothing half-saved."""

from decimal import Decimal

import pytest
from challenge_helpers import CRITERIA, application_data, apply, login, reload, to_review
from django.test import Client
from django.urls import reverse

from techmarket.audit.models import AuditLog
from techmarket.challenges import panels
from techmarket.challenges.models import Application, Challenge, Score
from techmarket.needs.models import Need


def test_public_list_and_detail_show_published_challenges_only(world):
    draft_owner = login(world.enterprise_admin)
    page = draft_owner.post(
        reverse("challenges:create"),
        {
            "owner": world.enterprise.pk,
            "mode": "open_call",
            "title": "草稿榜单：轴承钢纯净度提升",
            "problem": "轴承钢氧含量偏高，疲劳寿命不足，需要提升纯净度。",
            "deliverables": "工艺规程一套",
            "funding_total": "150",
            "enterprise_share": "120",
            "government_share": "30",
            "duration_months": "24",
            "deadline": "2030-06-30T17:00",
            "criteria": "技术方案 | 60\n团队 | 40",
            "targets": "氧含量 | ≤6 | ppm | GB/T 11261",
        },
    )
    assert page.status_code == 302
    draft = Challenge.objects.unscoped().get(title="草稿榜单：轴承钢纯净度提升")
    assert draft.funding_total == Decimal("1500000") and draft.status == "draft"
    assert draft.targets[0] == {"indicator": "氧含量", "value": "≤6", "unit": "ppm", "method": "GB/T 11261"}
    anon = Client()
    listing = anon.get(reverse("challenges:list")).content.decode()
    assert world.challenge.title in listing and draft.title not in listing
    assert anon.get(reverse("challenges:detail", args=[draft.pk])).status_code == 404
    assert draft_owner.get(reverse("challenges:detail", args=[draft.pk])).status_code == 200
    filtered = anon.get(reverse("challenges:list"), {"q": "不存在的关键词"}).content.decode()
    assert "没有符合条件的榜单" in filtered


def test_create_form_refuses_shares_that_do_not_add_up_with_the_message_next_to_the_field(world):
    before = Challenge.objects.unscoped().count()
    page = login(world.enterprise_admin).post(
        reverse("challenges:create"),
        {
            "owner": world.enterprise.pk,
            "mode": "open_call",
            "title": "经费不平的榜单",
            "problem": "这是一个经费来源合计不等于总额的榜单。",
            "deliverables": "无",
            "funding_total": "300",
            "enterprise_share": "150",
            "government_share": "100",
            "duration_months": "24",
            "deadline": "2030-06-30T17:00",
            "criteria": "技术方案 | 100",
        },
    )
    assert page.status_code == 200
    assert "经费来源合计不等于榜单总金额" in page.content.decode()
    assert Challenge.objects.unscoped().count() == before


def test_create_from_a_need_prefills_its_text(world):
    need = Need.objects.create(
        owner=world.enterprise,
        title="冷轧带材板形控制",
        summary="板形不良导致下游冲压开裂。",
        problem="需要板形闭环控制",
        parameters=[{"indicator": "板形偏差", "target": "≤5", "unit": "I"}],
        status="published",
        budget_max=Decimal("300"),
    )
    page = login(world.enterprise_admin).get(reverse("challenges:create"), {"need": need.pk}).content.decode()
    assert "冷轧带材板形控制" in page and "板形偏差 | ≤5 | I" in page and 'value="300' in page


def test_team_applies_through_the_page_and_edits_stop_after_withdrawal(world):
    w = world
    client = login(w.team_a_user)
    page = client.post(
        reverse("challenges:apply", args=[w.challenge.pk]),
        {
            "organization": w.uni_a.pk,
            "lead_expert": w.lead_a.pk,
            "members": str(w.member_a.pk),
            "plan": application_data()["plan"],
            "budget": "设备费 | 800000\n人员费 | 400,000",
            "milestones_plan": "样机 | 检测样机 | 2030-01-31 | 600000",
            "prior_results": "",
        },
    )
    assert page.status_code == 302, page.content.decode()[:2000]
    application = Application.objects.unscoped().get(organization=w.uni_a)
    assert application.budget_total == Decimal("1200000") and list(application.members.all()) == [w.member_a]
    detail = client.get(reverse("challenges:application", args=[application.pk])).content.decode()
    assert "撤回申报" in detail
    client.post(reverse("challenges:withdraw", args=[application.pk]))
    assert reload(application).status == "withdrawn"


def test_apply_page_shows_the_bad_milestone_date_and_saves_nothing(world):
    page = login(world.team_a_user).post(
        reverse("challenges:apply", args=[world.challenge.pk]),
        {
            "organization": world.uni_a.pk,
            "lead_expert": world.lead_a.pk,
            "plan": application_data()["plan"],
            "budget": "设备费 | 800000",
            "milestones_plan": "样机 | 检测样机 | 明年 | 600000",
        },
    )
    assert page.status_code == 200 and "YYYY-MM-DD" in page.content.decode()
    assert not Application.objects.unscoped().exists()


def test_reviewer_scores_through_the_page_and_cannot_score_twice(world):
    w = world
    a = apply(w)
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    crit = list(panel.criteria.all())
    client = login(w.reviewer_users[0])
    tasks = client.get(reverse("challenges:reviews")).content.decode()
    assert w.uni_a.name in tasks and "待评分" in tasks
    bad = client.post(reverse("challenges:review", args=[a.pk]), {f"score_{c.pk}": "120" for c in crit})
    assert bad.status_code == 200 and "超出范围" in bad.content.decode()
    assert not Score.objects.unscoped().exists()
    ok = client.post(reverse("challenges:review", args=[a.pk]), {f"score_{c.pk}": "88" for c in crit})
    assert ok.status_code == 302 and Score.objects.unscoped().count() == len(CRITERIA)
    again = client.post(reverse("challenges:review", args=[a.pk]), {f"score_{c.pk}": "10" for c in crit})
    assert "您已完成对该申报的评分" in again.content.decode()
    assert set(Score.objects.unscoped().values_list("value", flat=True)) == {Decimal("88.00")}


def test_operator_panel_page_explains_exclusions(world):
    w = world
    apply(w)
    to_review(w)
    w.reviewers[0].related_organizations.add(w.uni_a)
    from techmarket.reference.models import Industry

    code = Industry.objects.filter(level=2).values_list("code", flat=True).first()
    Challenge.objects.unscoped().filter(pk=w.challenge.pk).update(industry_id=code)
    for e in w.reviewers:
        e.industries.add(code)
    page = login(w.operator).get(reverse("challenges:panel", args=[w.challenge.pk])).content.decode()
    assert "需回避的专家" in page and "申报了与临沂大学的关联关系" in page


def test_workflow_action_posts_through_the_engine_with_the_seen_state(world):
    w = world
    client = login(w.operator)
    client.post(
        reverse("challenges:action", args=[w.challenge.pk, "start_review"]), {"expected_state": "draft"}
    )
    assert reload(w.challenge).status == "open"  # stale: refused
    client.post(
        reverse("challenges:action", args=[w.challenge.pk, "start_review"]), {"expected_state": "open"}
    )
    assert reload(w.challenge).status == "reviewing"
    assert AuditLog.objects.filter(action="challenges.challenge.start_review").count() == 1
    team = login(w.team_a_user)
    team.post(reverse("challenges:action", args=[w.challenge.pk, "close"]), {"reason": "x"})
    assert reload(w.challenge).status == "reviewing"


# --- API -----------------------------------------------------------------------------------------


def test_api_list_uses_the_same_selector(world):
    anon = Client().get("/api/challenges").json()
    assert [c["id"] for c in anon["items"]] == [world.challenge.pk]
    Challenge.objects.unscoped().filter(pk=world.challenge.pk).update(status="draft")
    assert Client().get("/api/challenges").json()["items"] == []
    assert Client().get(f"/api/challenges/{world.challenge.pk}").status_code == 404


def test_api_application_after_the_deadline_is_refused_in_the_error_body(world):
    from datetime import timedelta

    from django.utils import timezone

    Challenge.objects.unscoped().filter(pk=world.challenge.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    client = login(world.team_a_user)
    body = {"organization_id": world.uni_a.pk, "lead_expert_id": world.lead_a.pk, **application_data()}
    response = client.post(
        f"/api/challenges/{world.challenge.pk}/applications", body, content_type="application/json"
    )
    assert response.status_code in (400, 422)
    assert "揭榜截止时间" in response.content.decode()
    assert not Application.objects.unscoped().exists()


def test_api_scores_outside_the_scale(world):
    w = world
    a = apply(w)
    panel = to_review(w)
    for r in w.reviewers[:3]:
        panels.panel_add_member(panel=panel, expert=r, acting_user=w.operator)
    panels.panel_start_scoring(panel=panel, acting_user=w.operator)
    crit = list(panel.criteria.all())
    client = login(w.reviewer_users[0])
    bad = client.post(
        f"/api/challenges/applications/{a.pk}/scores",
        {"scores": {str(c.pk): 101 for c in crit}},
        content_type="application/json",
    )
    assert bad.status_code in (400, 422) and "超出范围" in bad.content.decode()
    ok = client.post(
        f"/api/challenges/applications/{a.pk}/scores",
        {"scores": {str(c.pk): 90 for c in crit}},
        content_type="application/json",
    )
    assert ok.status_code == 201 and ok.json()["criteria"] == 3


@pytest.mark.django_db
def test_api_figures_count_published_challenges_funding_and_applicants(world):
    apply(world, team="a")
    apply(world, team="b")
    figures = Client().get("/api/challenges/figures").json()
    assert figures["challenges"]["published"] == 1 and figures["challenges"]["applied"] == 1
    assert figures["funding"] == {
        "total": "2000000.00",
        "enterprise": "1500000.00",
        "government": "500000.00",
    }
    assert figures["applications"] == 2 and figures["teams"] == 2 and figures["universities"] == 2
    assert figures["applicants_by_region"] == {"371302": 2}
    assert {a["organization"] for a in figures["applicants"]} == {world.uni_a.name, world.uni_b.name}
    assert figures["by_industry_chain"] == {"": 1}


def test_operator_is_offered_the_next_step_and_the_public_is_not(world):
    operator_page = (
        login(world.operator).get(reverse("challenges:detail", args=[world.challenge.pk])).content.decode()
    )
    assert "截止揭榜，进入评审" in operator_page and "评审与揭榜管理" in operator_page
    public = Client().get(reverse("challenges:detail", args=[world.challenge.pk])).content.decode()
    assert "截止揭榜，进入评审" not in public and "评审与揭榜管理" not in public
    owner = (
        login(world.enterprise_admin)
        .get(reverse("challenges:detail", args=[world.challenge.pk]))
        .content.decode()
    )
    team = (
        login(world.team_a_user).get(reverse("challenges:detail", args=[world.challenge.pk])).content.decode()
    )
    assert "我要揭榜" not in owner and "我要揭榜" in team


def test_public_questions_hide_the_asker_and_show_answers_to_everybody(world):
    w = world
    asker = login(w.team_b_user)
    asker.post(
        reverse("challenges:question", args=[w.challenge.pk]), {"text": "检测速度要求是多少米每分钟？"}
    )
    public = Client().get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    assert "检测速度要求" not in public  # not yet answered
    enterprise = login(w.enterprise_admin)
    from techmarket.challenges.models import Question

    q = Question.objects.unscoped().get()
    enterprise.post(
        reverse("challenges:question_answer", args=[w.challenge.pk, q.pk]), {"answer": "不低于 120 m/min。"}
    )
    public = Client().get(reverse("challenges:detail", args=[w.challenge.pk])).content.decode()
    assert "检测速度要求" in public and "不低于 120 m/min" in public
    assert w.team_b_user.real_name not in public and w.uni_b.name not in public
    # nobody else may answer
    login(w.team_a_user).post(
        reverse("challenges:question_answer", args=[w.challenge.pk, q.pk]), {"answer": "乱答"}
    )
    assert Question.objects.unscoped().get().answer == "不低于 120 m/min。"
    assert AuditLog.objects.filter(action="challenges.question.answer").count() == 1


def test_bureau_publishes_a_batch_and_others_may_not(world, bureau_user):
    page = login(bureau_user).post(
        reverse("challenges:batch_create"),
        {"title": "2027年度揭榜挂帅榜单", "kind": "annual", "year": "2027"},
    )
    assert page.status_code == 302
    from techmarket.challenges.models import Batch

    batch = Batch.objects.unscoped().get()
    assert (
        batch.published_at is not None and AuditLog.objects.filter(action="challenges.batch.create").exists()
    )
    assert "2027年度揭榜挂帅榜单" in Client().get(reverse("challenges:list")).content.decode()
    assert login(world.enterprise_admin).get(reverse("challenges:batch_create")).status_code == 403


def test_workspace_panel_counts_pending_applications_and_review_tasks(world):
    from techmarket.challenges.workspace import challenges_panel

    apply(world)
    panel = challenges_panel(world.team_a_user)
    assert panel is not None and panel["links"][0][2] == 1
    assert challenges_panel(world.enterprise_admin)["links"][2][2] == 1


def test_team_edits_its_application_on_the_page_until_the_deadline(world):
    from datetime import timedelta

    from django.utils import timezone

    a = apply(world)
    client = login(world.team_a_user)
    form = client.get(reverse("challenges:application_edit", args=[a.pk])).content.decode()
    assert "设备费 | 800000" in form
    post = {
        "plan": "更新后的技术方案：增加多光谱成像通道，提升细小划伤的检出率。",
        "budget": "设备费 | 900000",
        "milestones_plan": "样机 | 检测样机 | 2030-01-31 | 500000",
        "members": "",
    }
    assert client.post(reverse("challenges:application_edit", args=[a.pk]), post).status_code == 302
    a = reload(a)
    assert a.plan.startswith("更新后的技术方案") and a.budget == [{"item": "设备费", "amount": "900000"}]
    assert list(a.members.all()) == []
    Challenge.objects.unscoped().filter(pk=world.challenge.pk).update(
        deadline=timezone.now() - timedelta(seconds=1)
    )
    late = client.post(
        reverse("challenges:application_edit", args=[a.pk]), {**post, "plan": "截止后再改" * 5}
    )
    assert "揭榜截止时间" in late.content.decode() and reload(a).plan.startswith("更新后的技术方案")
    assert (
        login(world.team_b_user).get(reverse("challenges:application_edit", args=[a.pk])).status_code == 404
    )


def test_enterprise_edits_a_draft_but_not_a_published_challenge(world):
    from challenge_helpers import challenge_data

    from techmarket.challenges import services

    draft = services.challenge_create(
        owner=world.enterprise, acting_user=world.enterprise_admin, **challenge_data(title="待修改的草稿榜单")
    )
    client = login(world.enterprise_admin)
    form = client.get(reverse("challenges:edit", args=[draft.pk])).content.decode()
    assert "技术方案 | 50" in form and 'value="200' in form
    post = {
        "mode": "open_call",
        "title": "修改后的草稿榜单",
        "problem": draft.problem,
        "deliverables": draft.deliverables,
        "funding_total": "200",
        "enterprise_share": "150",
        "government_share": "50",
        "duration_months": "12",
        "deadline": "2030-06-30T17:00",
        "criteria": "技术方案 | 100",
    }
    assert client.post(reverse("challenges:edit", args=[draft.pk]), post).status_code == 302
    assert reload(draft).title == "修改后的草稿榜单" and reload(draft).duration_months == 12
    published = client.post(reverse("challenges:edit", args=[world.challenge.pk]), post)
    assert "榜单发布后不能再修改" in published.content.decode()
    assert reload(world.challenge).title != "修改后的草稿榜单"


def test_application_page_groups_the_digits_of_budget_amounts(world):
    a = apply(world)
    page = login(world.team_a_user).get(reverse("challenges:application", args=[a.pk])).content.decode()
    assert "800,000.00" in page and ">800000<" not in page


def test_the_publish_button_is_offered_only_to_those_who_may_publish(world):
    from factories import UserFactory

    create = reverse("challenges:create")
    page = login(UserFactory()).get(reverse("challenges:list")).content.decode()
    assert f'href="{create}"' not in page  # no approved enterprise: the button would only bounce back
    assert (
        f'href="{create}"' in login(world.enterprise_admin).get(reverse("challenges:list")).content.decode()
    )
