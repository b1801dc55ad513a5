"""First impressions in Chromium on coherent demo data: the portal home page, a need with its suggestions,
the broker's workbench and each role's workspace. Screenshots go to test-artifacts/ (looked at by hand)."""

import pytest
from django.core.management import call_command

from techmarket.catalog.models import LISTED_STATUSES
from techmarket.demo.generator import DEFAULT_PASSWORD, generate
from techmarket.needs.models import Need

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(settings, tmp_path, monkeypatch):  # type: ignore[no-untyped-def]
    """The demo generator at a smaller size (same builders), indexed for matching."""
    from techmarket.demo.builders import achievements, experts, needs
    from techmarket.matching import engine

    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    engine.forget()
    monkeypatch.setattr(needs, "NEEDS_PER_RUN", 70)
    monkeypatch.setattr(achievements, "ACHIEVEMENTS_PER_RUN", 160)
    monkeypatch.setattr(experts, "EXPERTS_PER_RUN", 80)
    generate()
    call_command("matching_rebuild", verbosity=0)
    yield
    engine.forget()


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_home_page_search_and_a_need_with_suggestions(live_server, page, screenshot, demo):  # type: ignore[no-untyped-def]
    base = live_server.url
    page.goto(base + "/")
    assert page.get_by_role("heading", name="最新技术需求").is_visible()
    assert page.get_by_role("heading", name="成果转化全链条").is_visible()
    screenshot("20-home")
    page.get_by_label("搜索需求、成果和专家").fill("保鲜")
    page.get_by_role("button", name="搜索").first.click()
    page.get_by_role("heading", name="搜索需求、成果和专家").wait_for()
    screenshot("21-search")

    _login(page, base, "demo_enterprise")
    need = (
        Need.objects.filter(
            owner__memberships__user__username="demo_enterprise",
            kind="technology",
            status__in=LISTED_STATUSES,
        )
        .order_by("pk")
        .first()
    )
    page.goto(f"{base}/needs/{need.pk}/")
    page.locator("#match-panel .match-item, #match-nothing-good").first.wait_for()
    screenshot("22-need-with-suggestions")
    text = page.locator("#match-panel").inner_text()
    assert "得分" not in text and "依据占比" not in text

    page.goto(f"{base}/needs/new/?kind=talent")
    assert page.get_by_label("岗位名称").is_visible()
    assert not page.get_by_label(
        "指标", exact=True
    ).first.is_visible()  # technical rows belong to technology needs
    screenshot("25-need-form-talent")
    page.goto(f"{base}/needs/new/")
    page.get_by_role("button", name="＋ 添加一项指标").click()
    assert page.get_by_label("指标", exact=True).count() == 2
    assert "---------" not in page.locator("main form").inner_text()
    screenshot("26-need-form-technology")


def test_workbench_and_every_role_workspace(live_server, page, screenshot, demo):  # type: ignore[no-untyped-def]
    base = live_server.url
    _login(page, base, "demo_broker")
    page.goto(base + "/matching/workbench/")
    page.locator("#workbench-needs").wait_for()
    screenshot("23-workbench")
    page.locator("#workbench-needs a").first.click()
    page.locator("#need-summary").wait_for()
    screenshot("24-workbench-need")

    expected = {
        "demo_enterprise": "发布技术需求",
        "demo_university": "发布科技成果",
        "demo_expert": "建立专家档案",
        "demo_broker": "匹配工作台",
        "demo_bureau": "浏览技术需求",
        "demo_investor": "可作价入股的成果",
        "demo_operator": "审核需求",
        "demo_pending": "浏览技术需求",
    }
    for number, (username, first) in enumerate(expected.items()):
        _login(page, base, username)
        page.goto(base + "/workspace/")
        actions = page.locator("#first-actions a")
        labels = [actions.nth(i).inner_text() for i in range(actions.count())]
        assert first in labels[:2] or (username == "demo_expert" and "我的专家档案" in labels), (
            username,
            labels,
        )
        if username in ("demo_bureau", "demo_investor", "demo_expert", "demo_pending"):
            assert "发布技术需求" not in labels, username
        if username == "demo_pending":
            assert page.locator("#pending-org-banner").is_visible()
        screenshot(f"3{number}-workspace-{username.removeprefix('demo_')}")
