"""A loan in Chromium on demo data: the demo enterprise opens the 成果转化贷, sees its innovation points,
consents and applies; the bank sees the points explained line by line, is refused an amount outside the
product's range, approves within it with a reason; the enterprise reads the decision."""

import pytest

from techmarket.demo.builders import finance as demo_finance
from techmarket.demo.builders import orgs as demo_orgs
from techmarket.demo.context import DemoContext
from techmarket.demo.generator import DEFAULT_PASSWORD, DEFAULT_SEED
from techmarket.finance.models import LoanApplication

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_demo_enterprise_applies_for_a_transfer_loan_with_its_points_and_the_bank_decides(  # type: ignore[no-untyped-def]
    live_server, page, screenshot
):
    ctx = DemoContext(seed=DEFAULT_SEED, password=DEFAULT_PASSWORD)
    demo_orgs.build(ctx)
    demo_finance.build(ctx)
    base = live_server.url

    _login(page, base, "demo_enterprise")
    page.goto(f"{base}/finance/?kind=transfer_loan")
    page.get_by_role("link", name="成果转化贷").first.click()
    assert "当前创新积分" in page.locator("body").inner_text()
    page.get_by_label("申请额度（万元）").fill("300")
    page.get_by_label("申请期限（月）").fill("24")
    page.get_by_label("资金用途").fill("受让高校专利并建设中试线")
    page.get_by_role("button", name="授权并提交申请").click()
    page.get_by_text("请阅读并勾选数据授权").wait_for()  # no consent: refused, nothing saved
    assert not LoanApplication.objects.unscoped().filter(requested_by__username="demo_enterprise").exists()
    page.get_by_label("我代表本企业同意", exact=False).check()
    page.get_by_role("button", name="授权并提交申请").click()
    page.get_by_text("融资申请已提交").wait_for()
    assert page.locator("#application-status").inner_text() == "待审批"
    assert "创新积分及每一分的明细" in page.locator("body").inner_text()
    application = LoanApplication.objects.unscoped().get(
        requested_by__username="demo_enterprise", status="pending"
    )

    _login(page, base, "demo_bank")
    page.goto(f"{base}/finance/applications/?side=received&status=pending")
    page.get_by_role("link", name=f"{application.organization.name} → 成果转化贷").click()
    assert (
        "授权发明专利 5 件 × 5 分 = 25 分，超过上限，按 20 分计"
        in page.locator("#shared-points").inner_text()
    )
    screenshot("finance-bank-sees-points")
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("批准额度（万元）").fill("1200")
    page.get_by_label("年利率/费率（%）").fill("3.85")
    page.get_by_label("批准期限（月）").fill("24")
    page.get_by_label("审批意见").fill("积分达标，技术合同已登记，同意授信。")
    page.get_by_role("button", name="提交审批结果").click()
    page.get_by_text("超出该产品的额度范围（50 万元–1,000 万元）", exact=False).wait_for()
    assert page.locator("#application-status").inner_text() == "待审批"
    page.get_by_label("批准", exact=True).check()
    page.get_by_label("批准额度（万元）").fill("250")
    page.get_by_label("年利率/费率（%）").fill("3.85")
    page.get_by_label("批准期限（月）").fill("24")
    page.get_by_label("审批意见").fill("积分达标，技术合同已登记，同意授信。")
    page.get_by_role("button", name="提交审批结果").click()
    page.get_by_text("审批结果已保存").wait_for()
    assert page.locator("#application-status").inner_text() == "已批准"

    _login(page, base, "demo_enterprise")
    page.goto(f"{base}/finance/applications/{application.pk}/")
    assert page.locator("#decision-note").inner_text() == "积分达标，技术合同已登记，同意授信。"
    assert "2,500,000.00 元（250 万元），3.85%，24 个月" in page.locator("body").inner_text()
    screenshot("finance-enterprise-sees-decision")
