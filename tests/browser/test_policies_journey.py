"""The policy journey in Chromium: an operator writes a policy with its rules in the form (the preview counts
the matching enterprises), publishes it; the enterprise is told why it fits (the push with its reasons),
applies for 直达快享; the bureau approves an amount and pays."""

import datetime
from decimal import Decimal

import pytest
from factories import (
    PASSWORD_FOR_BROWSER,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_bureau,
    make_operator,
)

from techmarket.orgs.models import CertificationRecord, EnterpriseProfile, OrganizationTag, Role
from techmarket.policies.models import Policy, PolicyApplication, PolicyPush

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_operator_publishes_enterprise_is_pushed_applies_bureau_approves(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    base = live_server.url
    enterprise = OrganizationFactory(name="临沂博创新能源材料股份有限公司")  # 临沂市兰山区
    EnterpriseProfile.objects.create(
        organization=enterprise, total_staff=260, rd_staff_count=40, rd_spending_ratio=Decimal("4.50")
    )
    tag = OrganizationTag.objects.get(name="高新技术企业")
    CertificationRecord.objects.create(
        organization=enterprise, tag=tag, valid_until=datetime.date(2099, 12, 31)
    )
    far = OrganizationFactory(name="外省某材料有限公司", region_id="110101")
    EnterpriseProfile.objects.create(organization=far, total_staff=30, rd_spending_ratio=Decimal("1.20"))
    user = UserFactory(username="pj_enterprise", password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=user, organization=enterprise, role=Role.ORG_ADMIN)
    make_operator(username="pj_operator", password=PASSWORD_FOR_BROWSER)
    make_bureau(username="pj_bureau", password=PASSWORD_FOR_BROWSER)

    # The operator writes the policy and its rules in the form, checks how many enterprises match.
    _login(page, base, "pj_operator")
    page.goto(f"{base}/policies/new/")
    page.get_by_label("政策名称").fill("临沂市企业研发投入后补助")
    page.get_by_label("发文单位").fill("临沂市科学技术局")
    page.get_by_label("层级").select_option(label="市")
    page.get_by_label("支持方式").select_option(label="资金补贴")
    page.get_by_label("政策要点").fill("对研发投入占比不低于 3% 的高新技术企业给予后补助。")
    page.get_by_label("单个企业最高金额（元）").fill("500000")
    page.get_by_label("直达快享：符合条件的企业可在线申请").check()
    page.get_by_label("第 1 条：条件").select_option(label="注册地")
    page.get_by_label("第 1 条：运算").select_option(label="属于其中之一")
    page.get_by_label("第 1 条：取值").fill("临沂市")
    page.get_by_label("第 2 条：条件").select_option(label="研发投入占比（%）")
    page.get_by_label("第 2 条：运算").select_option(label="不少于（≥）")
    page.get_by_label("第 2 条：取值").fill("3")
    page.get_by_role("button", name="添加一条条件").click()
    page.get_by_label("第 3 条：条件").select_option(label="资质")
    page.get_by_label("第 3 条：运算").select_option(label="持有有效资质")
    page.get_by_label("第 3 条：取值").fill("高新技术企业")
    page.get_by_role("button", name="检查条件并统计符合的企业").click()
    page.get_by_text("当前符合条件的企业 1 家").wait_for()
    screenshot("policies-rule-builder")
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_text("政策已保存。").wait_for()
    page.get_by_role("button", name="发布并推送").click()
    page.get_by_text("操作成功：政策当前状态为“已发布”").wait_for()
    policy = Policy.objects.unscoped().get()
    assert policy.rules.count() == 3
    assert list(PolicyPush.objects.unscoped().values_list("organization__name", flat=True)) == [
        enterprise.name
    ]

    # The enterprise is told which policy fits and why.
    _login(page, base, "pj_enterprise")
    page.goto(f"{base}/notifications/")
    page.get_by_text("政策推送：贵企业符合“临沂市企业研发投入后补助”的申报条件").wait_for()
    page.get_by_text("研发投入占比 4.5% ≥ 3% ✓", exact=False).first.wait_for()
    screenshot("policies-push")
    page.goto(f"{base}/policies/qualify/")
    page.get_by_text("最高可获 50 万元").wait_for()
    page.get_by_role("link", name="临沂市企业研发投入后补助").first.click()
    page.get_by_text("高新技术企业（有效期至 2099-12-31）✓").wait_for()
    page.get_by_label("申请金额（元）").fill("300000")
    page.get_by_label("申请说明").fill("2025 年研发投入 1200 万元，较上年增加 300 万元。")
    page.get_by_label("联系电话").fill("0539-8123456")
    page.get_by_role("button", name="提交申请").click()
    page.get_by_text("申请已提交").wait_for()
    screenshot("policies-applied")

    # The bureau approves an amount within the maximum and pays.
    _login(page, base, "pj_bureau")
    page.goto(f"{base}/policies/applications/?status=pending")
    page.get_by_text("按政策汇总").wait_for()
    page.get_by_role("link", name=enterprise.name).click()
    page.get_by_label("核定金额（元）").fill("600000")
    page.get_by_role("button", name="核定通过").click()
    page.get_by_text("超过该政策单个企业最高 500,000.00 元（50 万元）").wait_for()
    page.get_by_label("核定金额（元）").fill("280000")
    page.get_by_label("审核意见").fill("按研发投入增量核定")
    page.get_by_role("button", name="核定通过").click()
    page.get_by_text("操作成功：申请当前状态为“已核定”").wait_for()
    page.get_by_label("拨付凭证号").fill("LYKJ-2026-0001")
    page.get_by_role("button", name="确认拨付").click()
    page.get_by_text("操作成功：申请当前状态为“已拨付”").wait_for()
    screenshot("policies-paid")
    application = PolicyApplication.objects.unscoped().get()
    assert (application.status, application.approved_amount, application.paid_amount) == (
        "paid", Decimal("280000.00"), Decimal("280000.00"),
    )  # fmt: skip
