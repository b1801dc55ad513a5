"""The achievement pages: list with filters, create through the form, review queue, detail with confidential part."""

import pytest
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator, with_search_text

from techmarket.achievements.models import Achievement, AchievementIP
from techmarket.catalog.models import AccessGrant, ListingStatus
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

FORM = {
    "title": "磷酸铁锂电池正极材料低温改性技术",
    "summary": "-20℃ 放电容量保持率达 85%",
    "keywords": "磷酸铁锂，正极材料、低温",
    "discipline": "430",
    "industries": ["38", "26"],
    "trl": "6",
    "stage": "pilot",
    "transfer_modes": ["ordinary_license", "equity"],
    "asking_price_wan": "300",
    "ip_rights": "发明专利|ZL202310123456.6|一种正极材料的制备方法|已授权|2043-03-01\n"
    "软件著作权|2023SR0123456|烧结控制软件",
    "region": "371302",
    "visibility": "public",
    "confidential_detail": "烧结温度曲线",
}


def listed(org, title, **fields):
    fields.setdefault("summary", "摘要")
    item = Achievement.objects.create(
        owner=org, title=title, status=ListingStatus.PUBLISHED, published_at=timezone.now(), **fields
    )
    return with_search_text(item)


@pytest.fixture
def member():
    org = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, name="临沂大学")
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    return user, org


def test_list_filters_by_trl_range_transfer_mode_and_keyword_with_bounded_queries(
    client, member, django_assert_max_num_queries
):
    _user, org = member
    for index in range(22):
        listed(org, f"锂电池正极材料改性 {index}", trl=6, transfer_modes=["equity"], keywords=["正极材料"])
    listed(org, "锂电池回收工艺", trl=3, transfer_modes=["equity"])
    listed(org, "杨木单板阻燃改性", trl=7, transfer_modes=["ordinary_license"], keywords=["阻燃"])
    with django_assert_max_num_queries(14):
        page = client.get(
            "/achievements/", {"q": "锂电池", "trl_min": "5", "trl_max": "9", "transfer_mode": "equity"}
        ).content.decode()
    assert "共 22 项成果" in page and "锂电池回收工艺" not in page and "杨木单板阻燃改性" not in page
    assert "第 1 / 2 页" in page and "TRL 6" in page
    assert (
        "共 1 项成果" in client.get("/achievements/", {"transfer_mode": "ordinary_license"}).content.decode()
    )
    assert "共 1 项成果" in client.get("/achievements/", {"trl_max": "4"}).content.decode()
    assert "没有符合条件的成果" in client.get("/achievements/", {"q": "钠离子"}).content.decode()


def test_list_toolbar_exports_the_current_filters_and_offers_import_to_members(client, member):
    user, _org = member
    page = client.get("/achievements/", {"q": "锂电池", "trl_min": "5"}).content.decode()
    assert "/imports/achievements/export.xlsx?q=%E9%94%82%E7%94%B5%E6%B1%A0&amp;trl_min=5" in page
    assert "/imports/achievements/export.csv?" in page and "批量导入" not in page
    client.force_login(user)
    page = client.get("/achievements/").content.decode()
    assert "/imports/achievements/" in page and "/imports/achievements/template.xlsx" in page


def test_member_creates_a_draft_through_the_form(client, member):
    user, org = member
    client.force_login(user)
    response = client.post("/achievements/new/", {**FORM, "owner": org.pk, "save": "1"})
    item = Achievement.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/achievements/{item.pk}/"
    assert item.status == ListingStatus.DRAFT and item.trl == 6 and item.stage == "pilot"
    assert item.keywords == ["磷酸铁锂", "正极材料", "低温"]
    assert item.transfer_modes == ["ordinary_license", "equity"]
    assert sorted(i.pk for i in item.industries.all()) == ["26", "38"]
    assert [(ip.ip_type, ip.number, ip.legal_status) for ip in item.ip_rights.all()] == [
        ("invention", "ZL202310123456.6", "granted"),
        ("software", "2023SR0123456", "granted"),
    ]
    page = client.get(f"/achievements/{item.pk}/").content.decode()
    assert "ZL202310123456.6" in page and "2043-03-01" in page and "300 万元" in page
    assert "TRL 6 · " in page and "烧结温度曲线" in page  # owner reads the confidential part


def test_submitting_through_the_form_checks_completeness_first(client, member):
    user, org = member
    client.force_login(user)
    incomplete = {**FORM, "owner": org.pk, "asking_price_wan": "", "submit": "1"}
    page = client.post("/achievements/new/", incomplete).content.decode()
    assert "请填写报价（万元）或勾选“面议”" in page and Achievement.objects.count() == 0
    response = client.post("/achievements/new/", {**incomplete, "price_negotiable": "on"})
    item = Achievement.objects.get()
    assert response.status_code == 302 and item.status == ListingStatus.PENDING and item.price_negotiable
    assert "面议" in client.get(f"/achievements/{item.pk}/").content.decode()


def test_a_wrong_patent_check_digit_keeps_the_input_names_the_item_and_writes_nothing(client, member):
    user, org = member
    client.force_login(user)
    ip_lines = "软件著作权|2023SR0123456|烧结控制软件\n发明专利|ZL202310123456.7|一种正极材料的制备方法"
    response = client.post("/achievements/new/", {**FORM, "owner": org.pk, "ip_rights": ip_lines})
    page = response.content.decode()
    assert response.status_code == 200
    assert "第 2 项知识产权" in page and "校验位错误（应为 6）" in page
    assert "ZL202310123456.7" in page and "磷酸铁锂电池正极材料低温改性技术" in page
    assert Achievement.objects.count() == 0 and AchievementIP.objects.count() == 0


def test_a_malformed_ip_line_is_reported_by_item_number(client, member):
    user, org = member
    client.force_login(user)
    page = client.post(
        "/achievements/new/",
        {**FORM, "owner": org.pk, "ip_rights": "发明专利|ZL202310123456.6|名称\n专利|123"},
    ).content.decode()
    assert "第 2 项" in page and "类型“专利”无效" in page and Achievement.objects.count() == 0


def test_operator_review_queue_and_request_changes_with_reason(client, member):
    user, org = member
    item = Achievement.objects.create(
        owner=org,
        title="秸秆制备生物炭基肥",
        summary="摘要",
        trl=5,
        price_negotiable=True,
        transfer_modes=["transfer"],
        status=ListingStatus.PENDING,
        submitted_at=timezone.now(),
    )
    client.force_login(make_operator())
    assert "秸秆制备生物炭基肥" in client.get("/achievements/review/").content.decode()
    client.post(f"/achievements/{item.pk}/actions/request_changes/", {"reason": ""})
    item.refresh_from_db()
    assert item.status == ListingStatus.PENDING  # refused without a reason
    response = client.post(
        f"/achievements/{item.pk}/actions/request_changes/",
        {"reason": "请补充田间试验数据", "next": "review"},
    )
    item.refresh_from_db()
    assert response["Location"] == "/achievements/review/" and item.status == ListingStatus.CHANGES_REQUESTED
    assert "没有待审核的成果" in client.get("/achievements/review/").content.decode()
    client.force_login(user)
    assert "请补充田间试验数据" in client.get(f"/achievements/{item.pk}/").content.decode()
    assert client.get("/achievements/review/").status_code == 403


def test_visitor_sees_the_public_summary_but_not_the_confidential_detail(client, member):
    _user, org = member
    item = listed(
        org,
        "陶瓷膜低成本制备",
        summary="公开摘要文字",
        confidential_detail="保密的烧结曲线",
        trl=4,
        keywords=["陶瓷膜"],
    )
    page = client.get(f"/achievements/{item.pk}/").content.decode()
    assert "公开摘要文字" in page and "保密的烧结曲线" not in page and "登录" in page
    assert "陶瓷膜" in page and "未报价" in page


def test_owner_grants_access_and_the_requester_then_reads_the_confidential_part(client, member):
    owner, org = member
    item = listed(org, "陶瓷膜低成本制备", confidential_detail="保密的烧结曲线")
    company = OrganizationFactory(name="临沂膜材料有限公司")
    requester = UserFactory()
    MembershipFactory(user=requester, organization=company)
    client.force_login(requester)
    page = client.get(f"/achievements/{item.pk}/").content.decode()
    assert "申请查看" in page and "保密的烧结曲线" not in page
    client.post(
        f"/achievements/{item.pk}/access/",
        {"organization": company.pk, "purpose": "评估量产可行性", "nda_accepted": "on"},
    )
    grant = AccessGrant.objects.get()
    assert grant.status == AccessGrant.Status.REQUESTED
    assert "保密的烧结曲线" not in client.get(f"/achievements/{item.pk}/").content.decode()
    client.force_login(owner)
    assert "评估量产可行性" in client.get(f"/achievements/{item.pk}/").content.decode()
    client.post(f"/achievements/{item.pk}/access/{grant.pk}/", {"grant": "1"})
    client.force_login(requester)
    assert "保密的烧结曲线" in client.get(f"/achievements/{item.pk}/").content.decode()


def test_editing_a_published_achievement_sends_it_back_to_review(client, member):
    user, org = member
    client.force_login(user)
    client.post("/achievements/new/", {**FORM, "owner": org.pk, "submit": "1"})
    item = Achievement.objects.get()
    item.status = ListingStatus.PUBLISHED
    item.save(update_fields=["status"])
    form_page = client.get(f"/achievements/{item.pk}/edit/").content.decode()
    assert (
        "磷酸铁锂、正极材料、低温" in form_page
        and "发明专利|ZL202310123456.6|一种正极材料的制备方法" in form_page
    )
    response = client.post(
        f"/achievements/{item.pk}/edit/",
        {
            **FORM,
            "title": "磷酸铁锂正极材料低温改性（第二版）",
            "save": "1",
            "ip_rights": "发明专利|ZL202310123456.6|一种正极材料的制备方法|已授权",
        },
    )
    item.refresh_from_db()
    assert response.status_code == 302 and item.status == ListingStatus.PENDING
    assert item.title == "磷酸铁锂正极材料低温改性（第二版）" and item.ip_rights.count() == 1
    client.logout()
    assert "共 0 项成果" in client.get("/achievements/").content.decode()  # hidden again until re-approved


def test_the_trl_name_reads_in_the_pages_language(client, member):
    from techmarket.reference.models import TechnologyReadinessLevel

    _user, org = member
    trl = TechnologyReadinessLevel.objects.get(level=6)
    assert trl.name and trl.name_en
    url = f"/achievements/{listed(org, '低温烧结碳化硅陶瓷膜', trl=6).pk}/"
    assert f"TRL 6 · {trl.name}" in client.get(url).content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get(url).content.decode()
    assert f"TRL 6 · {trl.name_en}" in html and trl.name not in html  # was the Chinese name
