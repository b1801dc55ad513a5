"""An innovation voucher in Chromium: the bureau sets up a batch and issues a voucher, the enterprise spends
part of it on an accepted booking (and is told when it asks for more than the balance), the verification
centre claims the amount with evidence, and the bureau settles it."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from factories import PASSWORD_FOR_BROWSER, MembershipFactory, OrganizationFactory, UserFactory

from techmarket.facilities import services as facility_services
from techmarket.facilities.models import Facility
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Region
from techmarket.vouchers.models import Voucher, VoucherUse

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def _user(username, org, role):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=user, organization=org, role=role)
    return user


def test_voucher_issued_spent_claimed_and_settled(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    base = live_server.url
    bureau = OrganizationFactory(name="临沂市科学技术局", kind=Organization.Kind.GOVERNMENT)
    enterprise = OrganizationFactory(name="临沂新材料科技有限公司")
    university = OrganizationFactory(name="沂蒙科技大学", kind=Organization.Kind.UNIVERSITY)
    _user("kejiju", bureau, Role.BUREAU)
    staff = _user("qiye", enterprise, Role.MEMBER)
    centre_admin = _user("zhongxin", university, Role.ORG_ADMIN)
    centre = facility_services.facility_create(
        acting_user=centre_admin,
        owner=university,
        data={
            "name": "沂蒙科技大学新材料概念验证中心", "kind": Facility.Kind.VERIFICATION,
            "region": Region.objects.get(pk="371302"), "summary": "原理验证、样机试制与小批量试产服务。",
            "capacity": 15, "equipment": "X 射线衍射仪", "contact_name": "王老师", "contact_phone": "0539-8888888",
        },
    )  # fmt: skip
    booking = facility_services.booking_open(
        facility=centre, acting_user=staff, organization=enterprise, service="原理验证"
    )
    booking = facility_services.booking_quote(
        booking=booking, acting_user=centre_admin, price=Decimal("60000"),
        delivery_date=timezone.localdate() + timedelta(days=30),
    )  # fmt: skip
    facility_services.booking_move(booking=booking, action="accept", acting_user=staff)
    today = timezone.localdate()

    # The bureau sets up a batch and issues a voucher of ¥50,000 to the enterprise.
    _login(page, base, "kejiju")
    page.goto(f"{base}/vouchers/batches/new/")
    page.get_by_label("批次名称").fill("2026 年第一批科技创新券")
    page.get_by_label("总预算（元）").fill("1000000")
    page.get_by_label("概念验证服务").check()
    page.get_by_label("中试熟化服务").check()
    page.get_by_label("有效期起").fill((today - timedelta(days=1)).isoformat())
    page.get_by_label("有效期止").fill((today + timedelta(days=90)).isoformat())
    page.get_by_role("button", name="设立").click()
    page.get_by_text("批次已设立").wait_for()
    page.get_by_label("持券企业").select_option(label="临沂新材料科技有限公司")
    page.get_by_label("面额（元）").fill("50000")
    page.get_by_role("button", name="发放", exact=True).click()
    page.get_by_text("已向“临沂新材料科技有限公司”发放创新券").wait_for()
    assert page.get_by_test_id("batch-remaining").inner_text() == "5 万元 / 95 万元"
    voucher = Voucher.objects.unscoped().get()

    # The enterprise sees it, asks for too much, then spends ¥12,000 on its accepted booking.
    _login(page, base, "qiye")
    page.goto(f"{base}/vouchers/")
    page.get_by_role("link", name=voucher.code).click()
    page.get_by_label("服务预约").select_option(label="沂蒙科技大学新材料概念验证中心 · 原理验证")
    page.get_by_label("抵扣金额（元）").fill("60000")
    page.get_by_role("button", name="确认抵扣").click()
    page.get_by_text("抵扣金额 60,000.00 元（6 万元）超过余额 50,000.00 元（5 万元）").wait_for()
    page.get_by_label("服务预约").select_option(label="沂蒙科技大学新材料概念验证中心 · 原理验证")
    page.get_by_label("抵扣金额（元）").fill("12000")
    page.get_by_role("button", name="确认抵扣").click()
    page.get_by_text("已用券抵扣 12,000.00 元（1.20 万元）").wait_for()
    assert page.get_by_test_id("voucher-balance").inner_text() == "38,000.00 元（3.80 万元）"
    assert page.get_by_test_id("voucher-state").inner_text() == "部分使用"
    screenshot("vouchers-spent")
    use = VoucherUse.objects.unscoped().get()

    # The centre claims the amount with its evidence.
    _login(page, base, "zhongxin")
    page.goto(f"{base}/vouchers/uses/")
    page.get_by_role("link", name=voucher.code).click()
    page.get_by_label("兑付说明").fill("已完成原理验证，报告编号 BG-2026-018，发票号 00012345。")
    page.get_by_role("button", name="申请兑付").click()
    page.get_by_text("操作成功").wait_for()
    assert page.get_by_test_id("use-status").inner_text() == "已申请兑付"

    # The bureau settles it.
    _login(page, base, "kejiju")
    page.goto(f"{base}/vouchers/uses/{use.pk}/")
    page.get_by_text("报告编号 BG-2026-018").wait_for()
    page.get_by_label("结算说明").fill("已拨付，凭证号 ZF-0008")
    page.get_by_role("button", name="结算").click()
    page.get_by_text("操作成功").wait_for()
    assert page.get_by_test_id("use-status").inner_text() == "已结算"
    screenshot("vouchers-settled")
    use.refresh_from_db()
    assert use.status == VoucherUse.Status.SETTLED and use.settle_note == "已拨付，凭证号 ZF-0008"
