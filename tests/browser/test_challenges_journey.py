"""揭榜挂帅 in Chromium: the operator publishes a challenge, a team applies, three experts score, the operator
awards it (which opens the engagement), the enterprise accepts a milestone and records its tranche paid."""

import sys
from pathlib import Path

import pytest
from django.utils import timezone
from factories import PASSWORD_FOR_BROWSER

from techmarket.challenges import services
from techmarket.challenges.models import Application, Challenge, Milestone, Payment
from techmarket.engagements.models import Engagement

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "challenges"))
from challenge_helpers import challenge_data, make_world  # noqa: E402

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, user):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_publish_apply_score_award_and_accept_a_milestone(live_server, page, screenshot, settings):  # type: ignore[no-untyped-def]
    settings.CHALLENGE_PUBLICITY_WORKING_DAYS = 0
    base = live_server.url
    w = make_world()
    from techmarket.reference.models import Industry

    industry = Industry.objects.filter(level=2).order_by("code").first()
    code = industry.pk
    for e in w.reviewers:
        e.industries.add(code)
    challenge = services.challenge_create(
        owner=w.enterprise,
        acting_user=w.enterprise_admin,
        **challenge_data(title="精密带材板形闭环控制", industry=industry),
    )
    services.challenge_move(challenge=challenge, action="submit", acting_user=w.enterprise_admin)

    _login(page, base, w.operator)
    page.goto(f"{base}/challenges/{challenge.pk}/")
    page.get_by_role("button", name="发布榜单").click()
    page.get_by_text("操作成功").wait_for()
    assert page.locator("#challenge-status").inner_text() == "揭榜中"

    _login(page, base, w.team_a_user)
    page.goto(f"{base}/challenges/{challenge.pk}/")
    page.get_by_role("link", name="我要揭榜").click()
    page.get_by_label("牵头单位").select_option(str(w.uni_a.pk))
    page.get_by_label("团队负责人（专家编号）").fill(str(w.lead_a.pk))
    page.get_by_label("团队成员（专家编号）").fill(str(w.member_a.pk))
    page.get_by_label("技术方案").fill("采用板形仪与模型预测控制相结合的闭环方案，完成产线中试验证。")
    page.get_by_label("经费预算").fill("设备费 | 800000\n人员费 | 400000")
    page.get_by_label("里程碑计划").fill("样机 | 板形控制样机 | 2030-03-31 | 600000")
    page.get_by_role("button", name="提交").click()
    page.get_by_text("揭榜申报已提交").wait_for()
    screenshot("challenges-application")
    application = Application.objects.unscoped().get(challenge=challenge)

    _login(page, base, w.operator)
    page.goto(f"{base}/challenges/{challenge.pk}/")
    page.get_by_role("button", name="截止揭榜，进入评审").click()
    page.get_by_role("link", name="评审与揭榜管理").click()
    page.get_by_role("button", name="组建评审组").click()
    for _ in range(3):
        page.get_by_role("button", name="选派").first.click()
        page.get_by_text("已保存。").wait_for()
    page.get_by_role("button", name="开始评分").click()
    page.get_by_text("尚缺 3 份评分").wait_for()

    seated = [r.user for r in w.reviewers if challenge_has_member(challenge, r)]
    assert len(seated) == 3
    for user, score in zip(seated, ("90", "85", "80"), strict=True):
        _login(page, base, user)
        page.goto(f"{base}/challenges/reviews/")
        page.get_by_role("link", name=w.uni_a.name).click()
        for field in page.locator("input[name^=score_]").all():
            field.fill(score)
        page.get_by_role("button", name="提交评分").click()
        page.get_by_text("评分已提交。").wait_for()

    _login(page, base, w.operator)
    page.goto(f"{base}/challenges/{challenge.pk}/panel/")
    page.get_by_role("button", name="结束评审，汇总得分").click()
    page.locator("#results-table").wait_for()
    page.get_by_label("决定理由（随公示发布）").fill("专家评审综合得分第一。")
    page.get_by_role("button", name="确定并公示").click()
    page.get_by_role("button", name="公示结束，确认揭榜成功").click()
    page.get_by_text("已保存。").wait_for()
    assert Challenge.objects.unscoped().get(pk=challenge.pk).status == Challenge.Status.AWARDED
    screenshot("challenges-awarded")

    _login(page, base, w.team_a_user)
    page.goto(f"{base}/challenges/applications/{application.pk}/")
    page.get_by_placeholder("完成情况说明").fill("样机已完成，板形偏差 4 I。")
    page.get_by_role("button", name="提交验收").click()
    page.get_by_text("里程碑当前状态：待验收").wait_for()

    _login(page, base, w.enterprise_admin)
    page.goto(f"{base}/challenges/applications/{application.pk}/")
    page.get_by_placeholder("验收意见").first.fill("指标达标，同意拨付。")
    page.get_by_role("button", name="验收通过（拨付经费）").click()
    page.get_by_text("里程碑当前状态：已通过").wait_for()
    screenshot("challenges-milestone-accepted")
    assert Milestone.objects.get(application=application).accepted_by == w.enterprise_admin

    # the accepted milestone's tranche is paid out from the enterprise's share and shown in the totals
    page.get_by_label("拨付金额（元）").fill("250000")
    page.get_by_label("拨付日期").fill(timezone.localdate().isoformat())
    page.get_by_role("button", name="登记拨付").click()
    page.get_by_text("已登记拨付 250,000.00 元（25 万元）").wait_for()
    assert "250,000.00" in page.locator("#funding-summary").inner_text()
    assert Payment.objects.get(milestone__application=application).source == Payment.Source.ENTERPRISE

    # the award opened the engagement between the enterprise and the winning team's organisation
    page.goto(f"{base}/challenges/{challenge.pk}/")
    page.locator("#challenge-engagement a").click()
    page.get_by_role("heading", name="揭榜挂帅：精密带材板形闭环控制").wait_for()
    engagement = Engagement.objects.unscoped().get()
    assert (engagement.demand_org, engagement.supply_org) == (w.enterprise, w.uni_a)
    screenshot("challenges-engagement")


def challenge_has_member(challenge, expert):  # type: ignore[no-untyped-def]
    from techmarket.challenges.models import PanelMember

    return PanelMember.objects.unscoped().filter(panel__subject_id=challenge.pk, expert=expert).exists()
