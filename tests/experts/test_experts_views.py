"""The experts pages: directory with filters, contact details by role, contact requests, profile form."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.experts.models import Availability, ContactPermission, Expert
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db

EMAIL = "wanglx@lyu.edu.cn"


def _expert(affiliation, name, fields, **extra):
    expert = Expert.objects.create(name=name, affiliation=affiliation, research_fields=fields, **extra)
    return expert


def test_list_filters_by_keyword_discipline_availability_panel_and_region(client, expert, university):
    expert.disciplines.set(["430"])
    expert.industries.set(["38"])
    jinan = OrganizationFactory(
        name="济南材料研究院", kind=Organization.Kind.INSTITUTE, region=Region.objects.get(pk="370102")
    )
    other = _expert(
        jinan, "刘海波", "农产品冷链保鲜", availability=[Availability.CHALLENGE], panel_eligible=True
    )
    other.disciplines.set(["550"])

    def names(query):
        page = client.get("/experts/", query).content.decode()
        return {n for n in ("王立新", "刘海波") if n in page}

    assert names({}) == {"王立新", "刘海波"}
    assert names({"q": "锂电池"}) == {"王立新"}
    assert names({"discipline": "550"}) == {"刘海波"}
    assert names({"industry": "38"}) == {"王立新"}
    assert names({"availability": "consulting"}) == {"王立新"}
    assert names({"panel_eligible": "1"}) == {"刘海波"}
    assert names({"region": "370100"}) == {"刘海波"}
    assert names({"affiliation": university.pk}) == {"王立新"}


def test_list_page_query_count_does_not_grow_with_the_number_of_experts(
    client, university, django_assert_max_num_queries
):
    broker = make_broker()
    client.force_login(broker)
    for n in range(3):
        _expert(university, f"专家{n}", "储能材料").disciplines.set(["430", "530"])
    with django_assert_max_num_queries(20) as few:
        client.get("/experts/")
    for n in range(3, 23):
        _expert(university, f"专家{n}", "储能材料").disciplines.set(["430", "530"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/experts/")
    assert "共 23 位专家" in response.content.decode() and "第 1 / 2 页" in response.content.decode()


def test_empty_directory_says_so_in_chinese(client):
    assert "没有符合条件的专家" in client.get("/experts/", {"q": "不存在的方向"}).content.decode()


def test_visitor_and_plain_user_do_not_see_contact_details(client, expert):
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert EMAIL not in page and "0539-8766123" not in page and "登录" in page
    client.force_login(UserFactory())
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert EMAIL not in page and "申请联系" in page and f"/experts/{expert.pk}/contact/" in page


@pytest.mark.parametrize("who", ["broker", "operator", "self", "affiliation_admin"])
def test_contact_details_shown_to_brokers_operators_the_expert_and_affiliation_admins(
    client, expert, expert_user, university_admin, who
):
    user = {"broker": make_broker, "operator": make_operator}.get(who, lambda: None)() or {
        "self": expert_user,
        "affiliation_admin": university_admin,
    }[who]
    client.force_login(user)
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert EMAIL in page and "0539-8766123" in page and f"/experts/{expert.pk}/contact/" not in page


def test_contact_request_accepted_by_the_expert_reveals_contact_to_the_requester(client, expert, expert_user):
    requester = UserFactory(real_name="赵经理")
    client.force_login(requester)
    client.post(f"/experts/{expert.pk}/contact/", {"message": "想咨询正极材料低温改性"})
    permission = ContactPermission.objects.get(expert=expert, user=requester)
    assert permission.status == ContactPermission.Status.REQUESTED
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert EMAIL not in page and "等待专家确认" in page

    client.force_login(expert_user)
    inbox = client.get("/experts/requests/").content.decode()
    assert "赵经理" in inbox and "想咨询正极材料低温改性" in inbox
    response = client.post(f"/experts/requests/{permission.pk}/decide/", {"accept": "1", "next": "mine"})
    assert response.status_code == 302 and response["Location"] == "/experts/requests/"

    client.force_login(requester)
    assert EMAIL in client.get(f"/experts/{expert.pk}/").content.decode()


def test_only_the_expert_may_decide_a_contact_request(client, expert, university_admin):
    requester = UserFactory()
    permission = ContactPermission.objects.create(expert=expert, user=requester)
    client.force_login(university_admin)
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert str(requester) in page and "由专家本人决定" in page  # the admin sees the request, read-only
    assert client.post(f"/experts/requests/{permission.pk}/decide/", {"accept": "1"}).status_code == 404
    client.force_login(requester)
    assert client.post(f"/experts/requests/{permission.pk}/decide/", {"accept": "1"}).status_code == 404
    permission.refresh_from_db()
    assert permission.status == ContactPermission.Status.REQUESTED


def test_declined_requester_keeps_the_details_hidden(client, expert, expert_user):
    requester = UserFactory()
    permission = ContactPermission.objects.create(expert=expert, user=requester)
    client.force_login(expert_user)
    client.post(f"/experts/requests/{permission.pk}/decide/", {"accept": "0"})
    client.force_login(requester)
    page = client.get(f"/experts/{expert.pk}/").content.decode()
    assert EMAIL not in page and "暂未同意" in page


FORM = {
    "name": "孙悦",
    "title": "副教授",
    "research_fields": "高端化工催化剂",
    "bio": "",
    "disciplines": ["150"],
    "industries": ["26"],
    "availability": ["challenge", "consulting"],
    "email": "sunyue@lyu.edu.cn",
    "phone": "0539-8766000",
}


def test_member_creates_own_profile_linked_to_their_account(client, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.EXPERT)
    partner = OrganizationFactory(name="临沂化工集团有限公司")
    client.force_login(member)
    response = client.post(
        "/experts/new/", {**FORM, "affiliation": university.pk, "related_organizations": [partner.pk]}
    )
    expert = Expert.objects.get(name="孙悦")
    assert response.status_code == 302 and response["Location"] == f"/experts/{expert.pk}/"
    assert expert.user == member and expert.availability == ["challenge", "consulting"]
    assert [d.pk for d in expert.disciplines.all()] == ["150"]
    assert list(expert.related_organizations.all()) == [partner]
    # A second visit to "create" leads to the existing profile instead of a duplicate.
    assert client.get("/experts/new/")["Location"] == f"/experts/{expert.pk}/edit/"


def test_panel_eligible_is_offered_to_operators_only(client, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.EXPERT)
    client.force_login(member)
    assert 'name="panel_eligible"' not in client.get("/experts/new/").content.decode()
    client.post("/experts/new/", {**FORM, "affiliation": university.pk, "panel_eligible": "on"})
    assert Expert.objects.get().panel_eligible is False
    client.force_login(make_operator())
    assert 'name="panel_eligible"' in client.get("/experts/new/").content.decode()


def test_user_without_an_approved_organisation_is_sent_to_the_workspace(client):
    client.force_login(UserFactory())
    response = client.get("/experts/new/")
    assert response.status_code == 302 and response["Location"] == "/workspace/"


def test_member_cannot_register_experts_for_another_organisation(client, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    stranger_org = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    client.force_login(member)
    response = client.post("/experts/new/", {**FORM, "affiliation": stranger_org.pk})
    assert response.status_code == 200 and "affiliation" in response.context["form"].errors
    assert not Expert.objects.exists()


def test_bad_input_keeps_the_form_with_field_errors(client, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    client.force_login(member)
    response = client.post(
        "/experts/new/",
        {
            **FORM,
            "affiliation": university.pk,
            "name": "孙悦",
            "research_fields": "<script>x</script>",
            "phone": "12",
        },
    )
    form = response.context["form"]
    assert response.status_code == 200 and {"research_fields", "phone"} <= set(form.errors)
    page = response.content.decode()
    assert "孙悦" in page and "联系电话" in page and 'aria-invalid="true"' in page
    assert not Expert.objects.exists()


def test_edit_allowed_to_the_expert_and_admin_refused_to_others(
    client, expert, expert_user, university_admin
):
    url = f"/experts/{expert.pk}/edit/"
    client.force_login(UserFactory())
    assert client.get(url).status_code == 403
    client.force_login(make_broker())
    assert client.get(url).status_code == 403
    client.force_login(university_admin)
    assert client.get(url).status_code == 200
    client.force_login(expert_user)
    data = {
        **FORM,
        "name": "王立新",
        "affiliation": expert.affiliation_id,
        "research_fields": "固态电池电解质",
        "is_active": "on",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.research_fields == "固态电池电解质" and expert.is_active


def test_workspace_shows_profile_and_pending_request_counts(client, expert, expert_user):
    ContactPermission.objects.create(expert=expert, user=UserFactory())
    ContactPermission.objects.create(
        expert=expert, user=UserFactory(), status=ContactPermission.Status.ACCEPTED
    )
    client.force_login(expert_user)
    panels = {p["title"]: p["links"] for p in client.get("/workspace/").context["panels"]}
    links = {str(label): (url, count) for label, url, count in panels["专家人才"]}
    assert links["我的专家档案"] == (f"/experts/{expert.pk}/", 1)
    assert links["待处理的联系申请"] == ("/experts/requests/", 1)


def test_list_page_links_to_export_for_users_and_to_import_for_admins(client, user, university_admin):
    client.force_login(user)
    page = client.get("/experts/", {"q": "电池"}).content.decode()
    assert "/imports/experts/export.xlsx?q=" in page and "/imports/experts/template.xlsx" not in page
    client.force_login(university_admin)
    page = client.get("/experts/").content.decode()
    assert 'href="/imports/experts/"' in page and "/imports/experts/template.xlsx" in page
