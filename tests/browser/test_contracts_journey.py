"""A contract in Chromium: the university records it (技术交易额 computed from the deduction) and submits it,
an operator registers it with a number and date, and the bureau's figures count it."""

import pytest
from factories import (
    PASSWORD_FOR_BROWSER,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_bureau,
    make_operator,
)

from techmarket.contracts.defaults import ensure_default_types
from techmarket.contracts.models import TechContract
from techmarket.orgs.models import Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_contract_recorded_registered_and_counted(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    ensure_default_types()  # the transactional flush removed the migration's rows
    base = live_server.url
    university = OrganizationFactory(name="临沂测试大学", kind=Organization.Kind.UNIVERSITY)
    OrganizationFactory(name="临沂测试不锈钢有限公司")
    tto = UserFactory(username="tto", password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=tto, organization=university, role=Role.ORG_ADMIN)
    make_operator(username="yunying", password=PASSWORD_FOR_BROWSER)
    make_bureau(username="kejiju", password=PASSWORD_FOR_BROWSER)

    _login(page, base, "kejiju")
    page.goto(f"{base}/contracts/figures/")
    assert page.get_by_test_id("figure-count").inner_text() == "0"

    _login(page, base, "tto")
    page.goto(f"{base}/contracts/new/")
    page.get_by_label("合同名称").fill("高端不锈钢表面钝化工艺委托开发")
    page.get_by_label("合同类型").select_option(label="技术开发-委托开发")
    page.get_by_label("签订日期").fill("2026-03-02")
    page.get_by_label("卖方（平台机构）").select_option(label="临沂测试大学")
    page.get_by_label("买方（平台机构）").select_option(label="临沂测试不锈钢有限公司")
    page.get_by_label("合同成交额（元）").fill("1000000")
    page.get_by_label("非技术性费用").fill("设备购置:250000")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("技术合同已保存").wait_for()
    assert page.get_by_test_id("technical-amount").inner_text().startswith("750,000.00 元")
    page.get_by_role("button", name="提交认定登记").click()
    assert page.get_by_test_id("contract-status").inner_text() == "待认定"
    contract = TechContract.objects.unscoped().get()

    _login(page, base, "yunying")
    page.goto(f"{base}/contracts/{contract.pk}/")
    page.get_by_label("登记编号（必填）").fill("3713002026000123")
    page.get_by_label("登记日期（必填）").fill("2026-03-20")
    page.get_by_role("button", name="认定登记").click()
    page.get_by_text("操作成功").wait_for()
    assert page.get_by_test_id("contract-status").inner_text() == "已登记"
    screenshot("contracts-registered")

    _login(page, base, "kejiju")
    page.goto(f"{base}/contracts/figures/")
    assert page.get_by_test_id("figure-count").inner_text() == "1"
    assert page.get_by_test_id("figure-technical").inner_text() == "75.00"
    screenshot("contracts-figures")
