"""The facilities journey in Chromium: a broker in an engagement (概念验证 stage) books a verification service
suggested on the engagement page, the centre quotes, the enterprise accepts, the centre schedules and delivers
a report, the report appears in the engagement and the verification project counts as verified."""

import pytest
from factories import PASSWORD_FOR_BROWSER, MembershipFactory, OrganizationFactory, UserFactory, make_broker

from techmarket.engagements.models import Engagement, Stage
from techmarket.engagements.services import engagement_open
from techmarket.facilities import services
from techmarket.facilities.models import Booking, Facility, Project
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Region

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n% verification report\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def test_broker_books_centre_quotes_enterprise_accepts_report_reaches_engagement(  # type: ignore[no-untyped-def]
    live_server, page, screenshot, tmp_path
):
    base = live_server.url
    institute = OrganizationFactory(name="临沂先进材料研究院", kind=Organization.Kind.INSTITUTE)
    centre_admin = UserFactory(username="centre", password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=centre_admin, organization=institute, role=Role.ORG_ADMIN)
    enterprise = OrganizationFactory(name="临沂不锈钢制品有限公司")
    boss = UserFactory(username="boss", password=PASSWORD_FOR_BROWSER)
    MembershipFactory(user=boss, organization=enterprise, role=Role.ORG_ADMIN)
    university = OrganizationFactory(name="临沂测试大学", kind=Organization.Kind.UNIVERSITY)
    broker = make_broker(username="broker", password=PASSWORD_FOR_BROWSER)
    centre = services.facility_create(
        acting_user=centre_admin,
        owner=institute,
        data={
            "name": "临沂先进材料概念验证中心", "kind": Facility.Kind.VERIFICATION,
            "region": Region.objects.get(pk="371302"), "summary": "面向新材料领域的原理验证与样机试制服务。",
            "capacity": 15, "contact_name": "王老师", "contact_phone": "0539-8888888",
        },
    )  # fmt: skip
    services.facility_service_save(
        facility=centre, acting_user=centre_admin,
        data={"name": "不锈钢表面钝化原理验证", "kind": "principle", "unit": "项", "price": None,
              "lead_time_days": 30, "requirements": "工艺说明与试样 10 件"},
    )  # fmt: skip
    engagement = engagement_open(
        acting_user=broker, title="不锈钢钝化工艺成果对接", demand_org=enterprise, supply_org=university
    )
    Engagement.objects.unscoped().filter(pk=engagement.pk).update(stage=Stage.VERIFICATION)

    # The broker finds the service on the engagement page and books it for the enterprise.
    _login(page, base, "broker")
    page.goto(f"{base}/engagements/{engagement.pk}/")
    page.get_by_role("link", name="不锈钢表面钝化原理验证").click()
    page.get_by_label("申请单位").select_option(label="临沂不锈钢制品有限公司")
    assert page.get_by_label("所属对接项目").input_value() == str(engagement.pk)
    page.get_by_label("需求说明").fill("验证钝化膜耐蚀性能，样品已备齐。")
    page.get_by_role("button", name="提交预约").click()
    page.get_by_text("预约已提交").wait_for()
    assert page.locator("#booking-status").inner_text() == "待报价"
    booking = Booking.objects.unscoped().get()
    assert booking.organization == enterprise and booking.requested_by == broker

    # The centre quotes.
    _login(page, base, "centre")
    page.goto(f"{base}/facilities/bookings/{booking.pk}/")
    page.get_by_label("报价（元）").fill("28000")
    page.get_by_label("预计交付日期").fill("2099-01-10")
    page.get_by_role("button", name="报价", exact=True).click()
    page.get_by_text("报价已发送").wait_for()
    assert page.locator("#booking-status").inner_text() == "已报价"

    # The enterprise accepts the quote.
    _login(page, base, "boss")
    page.goto(f"{base}/facilities/bookings/{booking.pk}/")
    assert page.locator("#quote-price").inner_text() == "28,000.00 元（2.80 万元）"
    page.get_by_role("button", name="接受报价", exact=True).click()
    page.get_by_text("操作成功").wait_for()
    assert page.locator("#booking-status").inner_text() == "已接受报价"

    # The centre schedules the work and delivers the report; the verification passed.
    _login(page, base, "centre")
    page.goto(f"{base}/facilities/bookings/{booking.pk}/")
    page.get_by_label("开始时间").fill("2026-12-03T09:00")
    page.get_by_label("结束时间").fill("2026-12-03T17:00")
    page.get_by_role("button", name="排期", exact=True).click()
    page.get_by_text("已排期。").wait_for()
    report = tmp_path / "钝化验证报告.pdf"
    report.write_bytes(PDF)
    page.get_by_label("服务报告（PDF 或 Word）").set_input_files(str(report))
    page.get_by_label("验证通过").check()
    page.get_by_role("button", name="交付报告").click()
    page.get_by_text("服务报告已交付").wait_for()
    assert page.locator("#booking-status").inner_text() == "已交付"
    assert page.locator("#project-status").inner_text() == "已通过验证"

    # The report appears in the engagement, and the centre's record counts the project as verified.
    _login(page, base, "broker")
    page.goto(f"{base}/engagements/{engagement.pk}/")
    assert "服务报告：不锈钢表面钝化原理验证" in page.locator("#facility-services").inner_text()
    assert "交付了服务报告" in page.locator("#timeline").inner_text()
    screenshot("facilities-report-in-engagement")
    page.goto(f"{base}/facilities/{centre.pk}/")
    assert "已通过验证 1 项" in page.content()
    project = Project.objects.unscoped().get()
    assert project.status == Project.Status.VERIFIED and project.engagement_id == engagement.pk
