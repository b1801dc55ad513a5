"""The needs pages: list with filters, create, review queue, detail with confidential part."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


def listed_need(**fields):
    need = Need(summary="摘要", problem="难题", status=ListingStatus.PUBLISHED, **fields)
    need.search_text = need.compute_search_text()
    need.save()
    return need


FORM = {
    "kind": "technology",
    "title": "高韧性立方氮化硼单晶研制",
    "summary": "开发高韧性 CBN 新牌号",
    "problem": "抗冲击韧性不足",
    "parameters": "抗冲击韧性|≥67|%\n堆积密度|≥1.80|g/cm³",
    "cooperation_modes": ["joint", "commissioned"],
    "budget_min": "50",
    "budget_max": "100",
    "rd_cycle_months": "12",
    "region": "371302",
    "industry": "30",
    "visibility": "public",
    "confidential_detail": "现有触媒配方与合成压力窗口",
    "contact_name": "李工",
    "contact_phone": "13805390001",
}


@pytest.fixture
def member():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def test_member_creates_and_submits_a_need_through_the_form(client, member):
    user, org = member
    client.force_login(user)
    response = client.post("/needs/new/", {**FORM, "owner": org.pk, "submit": "1"})
    need = Need.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/needs/{need.pk}/"
    assert need.status == ListingStatus.PENDING
    assert need.parameters[1] == {"indicator": "堆积密度", "target": "≥1.80", "unit": "g/cm³"}
    assert need.cooperation_modes == ["joint", "commissioned"] and need.industry_id == "30"


def test_form_reports_an_incomplete_parameter_and_keeps_the_input(client, member):
    user, org = member
    client.force_login(user)
    response = client.post("/needs/new/", {**FORM, "owner": org.pk, "parameters": "只有指标没有目标值"})
    assert response.status_code == 200
    assert (
        "第 1 项技术指标" in response.content.decode() and "请填写指标和目标值" in response.content.decode()
    )
    assert "高韧性立方氮化硼单晶研制" in response.content.decode()
    assert Need.objects.count() == 0


def test_operator_sends_back_with_reason_and_the_owner_sees_it(client, member):
    user, org = member
    need = Need.objects.create(
        owner=org, title="生活垃圾三相同步处理", summary="摘要", problem="难题", status=ListingStatus.PENDING
    )
    operator = make_operator()
    client.force_login(operator)
    assert "生活垃圾三相同步处理" in client.get("/needs/review/").content.decode()
    response = client.post(f"/needs/{need.pk}/actions/request_changes/", {"reason": ""})
    need.refresh_from_db()
    assert need.status == ListingStatus.PENDING  # refused without a reason
    client.post(f"/needs/{need.pk}/actions/request_changes/", {"reason": "请补充处理量和排放指标"})
    need.refresh_from_db()
    assert need.status == ListingStatus.CHANGES_REQUESTED
    client.force_login(user)
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "请补充处理量和排放指标" in page and response.status_code == 302


def test_visitor_sees_the_public_summary_but_not_the_confidential_detail(client, member):
    _user, org = member
    need = Need.objects.create(
        owner=org,
        title="陶瓷膜低成本制备",
        summary="公开摘要文字",
        problem="难题",
        confidential_detail="保密的烧结曲线",
        status=ListingStatus.PUBLISHED,
    )
    page = client.get(f"/needs/{need.pk}/").content.decode()
    assert "公开摘要文字" in page and "保密的烧结曲线" not in page and "登录" in page


def test_list_filters_by_keyword_and_region_with_bounded_queries(
    client, member, django_assert_max_num_queries
):
    _user, org = member
    for index in range(25):
        listed_need(
            owner=org, title=f"磷酸铁锂电池正极材料改性 {index}", region_id="371302", industry_id="26"
        )
    listed_need(owner=org, title="木材阻燃处理", region_id="370102")
    with django_assert_max_num_queries(12):
        page = client.get("/needs/", {"q": "锂电池", "region": "371300"}).content.decode()
    assert "共 25 条需求" in page and "木材阻燃处理" not in page
    assert "第 1 / 2 页" in page
    assert "共 1 条需求" in client.get("/needs/", {"q": "阻燃"}).content.decode()
    assert "没有符合条件的需求" in client.get("/needs/", {"q": "不存在的词"}).content.decode()


def test_workspace_expiring_link_lists_only_needs_expiring_within_30_days(client, member):
    from datetime import timedelta

    from django.utils import timezone

    user, org = member
    soon = listed_need(owner=org, title="即将到期的需求", expires_at=timezone.now() + timedelta(days=10))
    listed_need(owner=org, title="还早着呢的需求", expires_at=timezone.now() + timedelta(days=120))
    client.force_login(user)
    workspace = client.get("/workspace/").content.decode()
    assert "/needs/mine/?expiring=30" in workspace
    page = client.get("/needs/mine/", {"expiring": "30"}).content.decode()
    assert soon.title in page and "还早着呢的需求" not in page


def test_a_rejected_form_says_at_its_top_which_fields_to_correct(client, member):
    # The budget and the deadline sit far down the long form: the summary at the top links to them.
    user, org = member
    client.force_login(user)
    response = client.post(
        "/needs/new/",
        {**FORM, "owner": org.pk, "budget_min": "500", "budget_max": "100", "deadline": "2020-01-01"},
    )
    html = response.content.decode()
    assert response.status_code == 200 and Need.objects.count() == 0
    summary = html[html.index('data-testid="form-errors"') :]
    summary = summary[: summary.index("</div></div>")]
    assert "请修改下面标红的字段" in summary
    assert 'href="#id_budget_max"' in summary and 'href="#id_deadline"' in summary
    assert 'href="#id_title"' not in summary
    assert "高韧性立方氮化硼单晶研制" in html  # nothing typed is lost


def test_a_valid_form_shows_no_error_summary(client, member):
    user, org = member
    client.force_login(user)
    assert 'data-testid="form-errors"' not in client.get("/needs/new/").content.decode()


def test_the_technology_kind_is_singular_in_english():
    from django.utils import translation

    from techmarket.needs.models import NeedKind

    with translation.override("en"):
        assert str(NeedKind.TECHNOLOGY.label) == "Technology need"
    with translation.override("zh-hans"):
        assert str(NeedKind.TECHNOLOGY.label) == "技术需求"


def test_only_organisations_that_publish_needs_get_the_post_and_import_buttons(client, member):
    # A bank browses the needs; "发布需求" would only send it back with "技术需求由企业等需求方发布".
    bank = OrganizationFactory(kind="bank")
    banker = UserFactory()
    MembershipFactory(user=banker, organization=bank, role=Role.ORG_ADMIN)
    client.force_login(banker)
    html = client.get("/needs/").content.decode()
    assert 'href="/needs/new/"' not in html and 'href="/needs/mine/"' not in html
    assert (
        'href="/imports/needs/"' not in html
        and 'href="/achievements/new/"' not in client.get("/achievements/").content.decode()
    )
    user, _org = member  # an enterprise
    client.force_login(user)
    html = client.get("/needs/").content.decode()
    assert 'href="/needs/new/"' in html and 'href="/needs/mine/"' in html and 'href="/imports/needs/"' in html
    assert 'href="/needs/new/"' in client.get("/needs/mine/").content.decode()


def test_lists_of_labels_use_the_enumeration_comma_of_the_language(client, member):
    _user, org = member
    need = listed_need(
        owner=org, title="高韧性立方氮化硼单晶研制", cooperation_modes=["joint", "commissioned"]
    )
    url = f"/needs/{need.pk}/"
    assert "合作开发、委托开发" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(url).content.decode()
    assert "Joint development, Commissioned development" in html  # was "Joint development、Commissioned …"


def test_the_missing_problem_is_reported_with_the_other_errors_at_once(client, member):
    # Before, "请填写“技术难题”" came only after the budget had been corrected and the form sent again.
    user, org = member
    client.force_login(user)
    html = client.post(
        "/needs/new/", {**FORM, "owner": org.pk, "problem": "", "budget_min": "500", "budget_max": "100"}
    ).content.decode()
    assert "请填写“技术难题”" in html and "不能低于下限" in html
    assert 'href="#id_problem"' in html and 'href="#id_budget_max"' in html
    assert Need.objects.count() == 0


def test_the_own_needs_page_does_not_link_to_itself(client, member):
    user, _org = member
    client.force_login(user)
    html = client.get("/needs/mine/").content.decode()
    assert 'href="/needs/mine/"' not in html and 'href="/needs/new/"' in html
    assert 'href="/achievements/mine/"' not in client.get("/achievements/mine/").content.decode()
