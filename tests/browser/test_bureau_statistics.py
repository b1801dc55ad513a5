"""The bureau in Chromium: the dashboard, filtered to one county and one chain, its xlsx download, the chain
map and the monthly PDF report (screenshots in test-artifacts/)."""

import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from techmarket.analytics.periods import Month
from techmarket.demo.generator import DEFAULT_PASSWORD, generate
from techmarket.reference.models import IndustryChain

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(monkeypatch):  # type: ignore[no-untyped-def]
    from techmarket.demo.builders import achievements, experts, needs

    monkeypatch.setattr(needs, "NEEDS_PER_RUN", 70)
    monkeypatch.setattr(achievements, "ACHIEVEMENTS_PER_RUN", 120)
    monkeypatch.setattr(experts, "EXPERTS_PER_RUN", 40)
    generate()


def test_bureau_filters_the_dashboard_downloads_xlsx_and_the_monthly_pdf(live_server, page, screenshot, demo):  # type: ignore[no-untyped-def]
    base = live_server.url
    # Months follow today, as the demo data does (generated back from now over two years): the dashboard
    # filtered over the last 24 months up to this one, the monthly report of the last finished month.
    this_month = Month.current()
    report_month = this_month.shift(-1)
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill("demo_bureau")
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="数据", exact=True).click()
    page.get_by_role("heading", name="数据统计").wait_for()
    page.locator("#chart-funnel canvas").wait_for()  # ECharts drew the funnel

    chain = IndustryChain.objects.filter(is_active=True).order_by("sort_order", "name").first()
    page.get_by_label("开始月份").fill(str(this_month.shift(-23)))
    page.get_by_label("结束月份").fill(str(this_month))
    page.get_by_label("地区", exact=True).select_option("371302")  # 兰山区
    page.get_by_label("产业链", exact=True).select_option(str(chain.pk))
    page.get_by_role("button", name="查看").click()
    page.wait_for_url("**region=371302**")
    assert "兰山区" in page.locator("p.text-muted").first.inner_text()
    assert chain.name in page.locator("p.text-muted").first.inner_text()
    page.locator("#chart-series canvas").wait_for()
    screenshot("60-bureau-dashboard")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载 xlsx").nth(1).click()  # the monthly series of the selected figure
    with open(download.value.path(), "rb") as saved:
        rows = list(load_workbook(io.BytesIO(saved.read())).active.iter_rows(values_only=True))
    assert "按月" in rows[0][0]
    assert "兰山区" in rows[1][1] and chain.name in rows[1][1]
    # the monthly series runs through the selected period, up to this month
    assert f"{this_month.year}年{this_month.month}月" in [row[0] for row in rows[2:]]

    # The broker / institution panel: one card per subject, each loading its own table (htmx).
    page.get_by_role("link", name="查看技术经纪人与机构排名").click()
    page.wait_for_url("**leaders=1**")
    subjects = page.locator("a[href*='table=leaders']").count()  # each card, loading or loaded, has its xlsx
    assert subjects >= 1
    page.wait_for_function(
        "n => document.querySelectorAll('[data-testid^=leaders-]').length === n", arg=subjects
    )
    assert "正在加载排名……" not in page.inner_text("body")
    cards = page.locator("[data-testid^=leaders-]")
    assert "前十名" in cards.first.inner_text() and "兰山区" in cards.first.inner_text()
    screenshot("60b-bureau-leaders")

    page.get_by_role("link", name="产业链创新图谱").click()
    page.get_by_role("heading", name="产业链创新图谱").wait_for()
    screenshot("61-bureau-chain-map")

    page.goto(f"{base}/analytics/reports/")
    page.get_by_label("报告期内的月份").fill(str(report_month))
    page.get_by_role("button", name="立即生成").click()
    page.get_by_text("已生成：").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").first.click()
    text = "".join(p.extract_text() for p in PdfReader(download.value.path()).pages)
    assert f"科技成果转化月报（{report_month.year}年{report_month.month}月）" in text and "主要指标" in text
    screenshot("62-bureau-reports")
