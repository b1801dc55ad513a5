"""The issue's journey in Chromium: a broker recommends an achievement for a need, the enterprise and the
university both say yes, the broker logs a meeting, ticks the checklist and moves the engagement to
概念验证, records the contract from the engagement page, an operator registers it, and the bureau's
contract figures change.

The recommendation itself is made through matching.services.feedback_record (the workbench needs a built
matching index, which the other browser tests cover); every later step is clicked.
"""

import pytest
from factories import (
    PASSWORD_FOR_BROWSER,
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_bureau,
    make_operator,
    with_search_text,
)

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.contracts.defaults import ensure_default_types
from techmarket.contracts.models import TechContract
from techmarket.engagements.models import ChecklistItem, Engagement, Stage
from techmarket.matching import services as matching_services
from techmarket.needs.models import Need
from techmarket.orgs.models import BrokerLevel, Organization, Role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, base, username):  # type: ignore[no-untyped-def]
    page.context.clear_cookies()
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("用户名或邮箱").fill(username)
    page.get_by_label("密码").fill(PASSWORD_FOR_BROWSER)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="工作台", exact=True).wait_for()


def _person(username, org, role=Role.ORG_ADMIN):  # type: ignore[no-untyped-def]
    user = UserFactory(username=username, password=PASSWORD_FOR_BROWSER)
    extra = {"broker_level": BrokerLevel.INTERMEDIATE} if role == Role.BROKER else {}
    MembershipFactory(user=user, organization=org, role=role, **extra)
    return user


def test_recommendation_to_registered_contract(live_server, page, screenshot):  # type: ignore[no-untyped-def]
    ensure_default_types()  # the transactional flush removed the migrations' rows
    for order, label in enumerate(("首次会谈已举行", "保密协议（NDA）已签署"), start=1):
        ChecklistItem.objects.get_or_create(
            stage=Stage.DISCOVERY, label=label, defaults={"required": True, "sort_order": order}
        )
    base = live_server.url
    enterprise = OrganizationFactory(name="临沂金锣新材料有限公司")
    university = OrganizationFactory(name="临沂大学", kind=Organization.Kind.UNIVERSITY)
    agency = OrganizationFactory(name="临沂启航技术转移服务有限公司", kind=Organization.Kind.SERVICE)
    _person("qiye", enterprise)
    _person("gaoxiao", university)
    broker = _person("jingjiren", agency, Role.BROKER)
    make_operator(username="yunying", password=PASSWORD_FOR_BROWSER)
    make_bureau(username="kejiju", password=PASSWORD_FOR_BROWSER)
    need = with_search_text(
        Need.objects.create(
            owner=enterprise,
            title="磷酸铁锂正极材料低温性能改性",
            summary="零下二十度容量衰减严重，需要改性正极材料。",
            problem="提升低温放电容量。",
            status=ListingStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
        )
    )
    achievement = with_search_text(
        Achievement.objects.create(
            owner=university,
            title="低温型磷酸铁锂正极材料碳包覆改性技术",
            summary="碳包覆与离子掺杂改性，零下二十度放电容量保持率 85%。",
            keywords=["磷酸铁锂"],
            trl=6,
            stage="pilot",
            transfer_modes=["ordinary_license"],
            status=ListingStatus.PUBLISHED,
            visibility=Visibility.PUBLIC,
        )
    )
    matching_services.feedback_record(
        acting_user=broker, source=need, target=achievement, decision="recommend", reason="低温性能指标吻合"
    )

    _login(page, base, "kejiju")
    page.goto(f"{base}/contracts/figures/")
    assert page.get_by_test_id("figure-count").inner_text() == "0"

    for username in ("qiye", "gaoxiao"):  # both sides say yes
        _login(page, base, username)
        page.goto(f"{base}/engagements/answers/")
        page.get_by_role("button", name="有意向对接").first.click()
        page.wait_for_load_state()
    engagement = Engagement.objects.unscoped().get()
    assert engagement.lead_broker == broker and engagement.stage == Stage.DISCOVERY

    _login(page, base, "jingjiren")
    page.goto(f"{base}/engagements/{engagement.pk}/")
    log = page.locator("#log-activity")
    log.locator("#id_activity-kind").select_option(label="会谈")
    log.locator("#id_activity-happened_on").fill("2026-03-01")
    log.locator("#id_activity-summary").fill("双方确认低温放电指标与样品测试方案。")
    page.get_by_role("button", name="记录", exact=True).click()
    page.get_by_text("双方确认低温放电指标").wait_for()
    for _item in range(2):
        page.locator("#checklist").get_by_role("button", name="完成").first.click()
        page.wait_for_load_state()
    page.get_by_role("button", name="进入概念验证").click()
    page.wait_for_load_state()
    engagement.refresh_from_db()
    assert engagement.stage == Stage.VERIFICATION

    page.get_by_role("link", name="录入技术合同").click()
    assert page.get_by_label("合同名称").input_value() == engagement.title
    page.get_by_label("合同类型").select_option(label="技术许可-专利实施许可")
    page.get_by_label("签订日期").fill("2026-03-05")
    page.get_by_label("合同成交额（元）").fill("800000")
    page.get_by_label("非技术性费用").fill("样品试制:50000")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("技术合同已保存").wait_for()
    assert page.get_by_test_id("technical-amount").inner_text().startswith("750,000.00 元")
    page.get_by_role("button", name="提交认定登记").click()
    assert page.get_by_test_id("contract-status").inner_text() == "待认定"
    contract = TechContract.objects.unscoped().get()
    assert contract.engagement_id == engagement.pk and list(contract.achievements.all()) == [achievement]

    _login(page, base, "yunying")
    page.goto(f"{base}/contracts/{contract.pk}/")
    page.get_by_label("登记编号（必填）").fill("3713002026000456")
    page.get_by_label("登记日期（必填）").fill("2026-03-20")
    page.get_by_role("button", name="认定登记").click()
    page.get_by_text("操作成功").wait_for()
    assert page.get_by_test_id("contract-status").inner_text() == "已登记"

    _login(page, base, "kejiju")
    page.goto(f"{base}/contracts/figures/")
    assert page.get_by_test_id("figure-count").inner_text() == "1"
    assert page.get_by_test_id("figure-technical").inner_text() == "75.00"
    screenshot("deal-journey-figures")
