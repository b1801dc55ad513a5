"""The first journey of every enterprise: register, get approved by an operator, see the workspace."""

import re

import pytest
from django.core import mail

from techmarket.accounts.models import User
from techmarket.orgs.models import Membership, Organization, Role
from techmarket.orgs.validators import make_uscc

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Yimeng-2026-secure"


def _operator() -> User:
    org = Organization.objects.create(
        name="测试平台运营中心",
        kind=Organization.Kind.SERVICE,
        uscc=make_uscc("91371302MA3C00001"),
        region_id="371302",
        status=Organization.Status.APPROVED,
        is_platform_operator=True,
    )
    user = User.objects.create(username="operator1", email="operator1@example.com", real_name="运营小王")
    user.set_password(PASSWORD)
    user.email_verified_at = user.date_joined
    user.save()
    Membership.objects.create(user=user, organization=org, role=Role.OPERATOR)
    return user


def _login(page, base: str, username: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()


def _logout(page) -> None:  # type: ignore[no-untyped-def]
    page.locator("nav .dropdown-toggle").last.click()
    page.get_by_role("button", name="退出登录").click()


def test_enterprise_registers_operator_approves_user_sees_workspace(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    _operator()
    base = live_server.url
    uscc = make_uscc("91371302MA3D12345")

    page.goto(base + "/")
    assert "科技大市场" in page.title()
    screenshot("01-home")

    page.get_by_role("link", name="注册").first.click()
    page.get_by_label("用户名").fill("linyi_newmat")
    page.get_by_label("姓名").fill("张建华")
    page.get_by_label("电子邮箱").fill("zhang@linyi-newmat.example.com")
    page.get_by_label("手机号码").fill("13805390001")
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("注册新机构（提交平台审核）").check()
    page.get_by_label("机构全称").fill("临沂沂河新材料科技有限公司")
    page.get_by_label("机构类型").select_option("enterprise")
    # A wrong check character first: the form names the field and the expected character.
    wrong = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    page.get_by_label("统一社会信用代码").fill(wrong)
    page.get_by_label("所在地区").select_option("371302")
    page.get_by_label("所属行业").select_option("26")
    page.get_by_label("我已阅读并同意平台用户协议和隐私政策").check()
    page.get_by_role("button", name="提交注册").click()
    error = page.locator("#id_org_uscc_error")
    assert f"应为“{uscc[17]}”" in error.inner_text()
    screenshot("02-register-uscc-error")

    page.get_by_label("统一社会信用代码").fill(uscc)
    page.locator("#id_password1").fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_role("button", name="提交注册").click()
    page.get_by_role("heading", name="注册成功，请验证邮箱").wait_for()

    assert len(mail.outbox) == 1
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body)
    assert link is not None
    # The mail links to SITE_URL; follow the same path on the live server.
    page.goto(base + "/accounts/" + link.group(0).split("/accounts/", 1)[1])
    assert "验证成功" in page.locator(".alert").first.inner_text()

    _login(page, base, "linyi_newmat")
    page.get_by_text("机构待审核").wait_for()
    screenshot("03-workspace-pending")
    _logout(page)

    _login(page, base, "operator1")
    page.get_by_text("有 1 家机构等待审核").wait_for()
    page.goto(base + "/orgs/review/")
    card = page.locator(".card", has_text="临沂沂河新材料科技有限公司")
    screenshot("04-operator-review-queue")
    card.get_by_role("button", name="审核通过").click()
    assert "已通过“临沂沂河新材料科技有限公司”的注册审核" in page.locator(".alert").first.inner_text()
    _logout(page)

    _login(page, base, "linyi_newmat")
    page.get_by_role("heading", name="张建华的工作台").wait_for()
    workspace = page.locator("main").inner_text()
    assert "临沂沂河新材料科技有限公司" in workspace
    assert "已通过审核" in workspace and "机构管理员" in workspace
    screenshot("05-workspace-approved")
    org = Organization.objects.get(uscc=uscc)
    assert org.status == Organization.Status.APPROVED
