"""Home page, workspace, error pages, navigation and the rate limiter."""

import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.core import navigation
from techmarket.core.navigation import Section, available_sections
from techmarket.core.ratelimit import hit
from techmarket.orgs import services
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


def test_home_page_renders_in_chinese_for_visitors(client):
    response = client.get(reverse("core:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "科技大市场" in html
    assert "机构入驻" in html and "登录" in html


def test_home_page_counts_only_approved_orgs_by_kind(client):
    for _ in range(2):
        OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    OrganizationFactory(kind=Organization.Kind.ENTERPRISE, status=Organization.Status.PENDING)
    OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    OrganizationFactory(kind=Organization.Kind.INVESTOR)
    stats = client.get(reverse("core:home")).context["stats"]
    assert stats == {"enterprises": 2, "universities": 2, "services": 1}


def test_home_page_offers_the_workspace_to_logged_in_users(user_client):
    assert "进入工作台" in user_client.get(reverse("core:home")).content.decode()


def test_workspace_requires_login(client):
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_workspace_renders_in_chinese_with_memberships_and_roles():
    user = UserFactory(real_name="周八")
    org = OrganizationFactory(name="周八所在的公司")
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    c = Client()
    c.force_login(user)
    response = c.get(reverse("core:workspace"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "周八的工作台" in html
    assert "周八所在的公司" in html
    assert "机构管理员" in html
    assert response.context["roles"] == ["机构管理员"]


def test_workspace_shows_the_rejection_reason_of_my_org(operator):
    user = UserFactory()
    org = OrganizationFactory(status=Organization.Status.PENDING)
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    services.organization_reject(organization=org, acting_user=operator, reason="请补充法人证书")
    c = Client()
    c.force_login(user)
    assert "请补充法人证书" in c.get(reverse("core:workspace")).content.decode()


def test_workspace_shows_operators_the_review_queue_count():
    operator = make_operator()
    OrganizationFactory(status=Organization.Status.PENDING)
    OrganizationFactory(status=Organization.Status.PENDING)
    c = Client()
    c.force_login(operator)
    response = c.get(reverse("core:workspace"))
    assert response.context["review_queue_count"] == 2
    assert "有 2 家机构等待审核" in response.content.decode()


def test_workspace_hides_the_review_queue_from_non_operators(user_client):
    OrganizationFactory(status=Organization.Status.PENDING)
    response = user_client.get(reverse("core:workspace"))
    assert "review_queue_count" not in response.context
    assert "等待审核" not in response.content.decode()


def test_workspace_lists_join_requests_i_can_decide():
    org = OrganizationFactory()
    admin = MembershipFactory(organization=org, role=Role.ORG_ADMIN).user
    applicant = UserFactory(real_name="申请人吴九")
    services.join_request_create(user=applicant, organization=org, message="我是新员工")
    c = Client()
    c.force_login(admin)
    html = c.get(reverse("core:workspace")).content.decode()
    assert "申请人吴九" in html and "我是新员工" in html


def test_unknown_page_gives_the_chinese_404_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_forbidden_page_is_in_chinese_and_offers_no_login_link_to_logged_in_users(user_client):
    response = user_client.get(reverse("audit:log"))
    assert response.status_code == 403
    html = response.content.decode()
    assert "没有权限访问此页面" in html
    assert "联系所在机构的管理员" in html


def test_navigation_lists_only_sections_whose_url_exists(monkeypatch):
    monkeypatch.setattr(navigation, "catalogue_sections", lambda: [])
    monkeypatch.setattr(
        navigation,
        "SECTIONS",
        [Section("首页", "core:home"), Section("尚未上线", "nonexistent:list"), Section("机构", "orgs:list")],
    )
    assert available_sections() == [("首页", "/", "core:home"), ("机构", "/orgs/", "orgs:list")]


def test_navigation_in_the_page_has_no_dead_links(client):
    from django.contrib.auth.models import AnonymousUser

    html = client.get(reverse("core:home")).content.decode()
    shown = available_sections(AnonymousUser())
    for label, url, _name in shown:
        assert f'href="{url}">{label}</a>' in html
    labels_without_pages = [
        str(s.label) for s in navigation.all_sections() if s.url_name not in {n for _l, _u, n in shown}
    ]
    for label in labels_without_pages:
        assert f">{label}</a>" not in html


def test_rate_limiter_allows_the_limit_then_refuses_per_key():
    assert [hit("k1", limit=3, window_seconds=60) for _ in range(5)] == [True, True, True, False, False]
    assert hit("k2", limit=3, window_seconds=60)


def test_rate_limiter_starts_a_new_window_when_the_old_one_expired():
    from django.core.cache import cache

    for _ in range(3):
        hit("k3", limit=2, window_seconds=60)
    cache.delete("rl:k3")  # what expiry of the window does
    assert hit("k3", limit=2, window_seconds=60)


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/api/needs?kind=%00", "/api/achievements?industry=a%00b", "/needs/?q=%00"])
def test_a_nul_character_in_the_query_is_a_400_not_a_server_error(client, url):
    response = client.get(url)
    assert response.status_code == 400
    assert "非法字符" in response.content.decode()


def test_favicon_ico_leads_to_the_site_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"].endswith("favicon.svg")
