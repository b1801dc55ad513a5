"""First impressions: the platform's language, the mode `make run` serves, the portal home page, the
role-aware workspace, local API docs and the operator's audit log in words."""

import importlib
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_bureau, make_operator

from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.core.workspace_actions import first_actions, organizations_with_roles
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def _client(user):
    c = Client()
    c.force_login(user)
    return c


def _member(kind, role=Role.ORG_ADMIN, status=Organization.Status.APPROVED):
    org = OrganizationFactory(kind=kind, status=status)
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=role)
    return user, org


# --- language ------------------------------------------------------------------------------------------


def test_a_browser_asking_for_english_still_gets_the_chinese_platform(client):
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert '<html lang="zh-hans">' in response.content.decode()
    assert "机构入驻" in response.content.decode()


def test_english_is_used_once_the_user_chooses_it_with_the_switch(client):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("core:home"), HTTP_ACCEPT_LANGUAGE="zh-CN")
    assert '<html lang="en">' in response.content.decode()


# --- the mode `make run` serves -------------------------------------------------------------------------


def test_run_settings_serve_the_platform_with_debug_off_and_static_files(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    run = importlib.import_module("config.settings.run")
    assert run.DEBUG is False
    assert "whitenoise.middleware.WhiteNoiseMiddleware" in run.MIDDLEWARE
    assert "127.0.0.1" in run.ALLOWED_HOSTS and run.SECRET_KEY


def test_make_run_uses_the_run_settings_and_collects_static_while_make_dev_keeps_debug():
    makefile = (ROOT / "Makefile").read_text()
    run = makefile.split("\nrun: install", 1)[1].split("\n\n", 1)[0]
    dev = makefile.split("\ndev: install", 1)[1].split("\n\n", 1)[0]
    assert "run: export DJANGO_SETTINGS_MODULE = config.settings.run" in makefile
    assert "collectstatic --noinput" in run and "runserver" in run
    assert "runserver" in dev and "config.settings.run" not in dev


def test_a_wrong_address_shows_the_chinese_404_page_not_a_debug_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" not in html and "URLconf" not in html
    assert "页面" in html


def test_api_docs_load_swagger_from_our_static_files_not_a_cdn(client):
    html = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn.jsdelivr" not in html and "unpkg.com" not in html


# --- home page ----------------------------------------------------------------------------------------------


def test_home_page_shows_figures_latest_needs_search_and_the_transfer_chain(client):
    org = OrganizationFactory()
    Need.objects.create(
        owner=org,
        title="果蔬预冷保鲜技术攻关",
        summary="摘要",
        problem="难题",
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
    )
    Need.objects.create(
        owner=org, title="草稿中的需求", summary="摘要", problem="难题", status=ListingStatus.DRAFT
    )
    response = client.get(reverse("core:home"))
    html = response.content.decode()
    assert "果蔬预冷保鲜技术攻关" in html and "草稿中的需求" not in html
    assert {f["label"]: f["value"] for f in response.context["figures"]}["技术需求"] == 1
    assert 'action="/search/"' in html
    for stage in ("发现对接", "概念验证", "中试熟化", "交易融资", "产业化"):
        assert stage in html
    # the third card describes service and investment organisations, not only brokers
    assert "投资机构发现" in html


def test_portal_search_finds_needs_and_leaves_out_hidden_ones(client):
    org = OrganizationFactory()
    Need.objects.create(
        owner=org,
        title="磷酸铁锂正极材料改性",
        summary="锂电池正极",
        problem="低温",
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
        search_text="",
    )
    Need.objects.create(
        owner=org,
        title="磷酸铁锂内部需求",
        summary="锂电池",
        problem="低温",
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.ORGANIZATION,
    )
    for need in Need.objects.all():
        need.search_text = need.compute_search_text()
        need.save(update_fields=["search_text"])
    response = client.get(reverse("core:search"), {"q": "锂电池"})
    groups = {g["kind"]: g for g in response.context["groups"]}
    assert [row["title"] for row in groups["needs"]["rows"]] == ["磷酸铁锂正极材料改性"]


# --- role-aware workspace -------------------------------------------------------------------------------------


def _labels(user):
    response = _client(user).get(reverse("core:workspace"))
    assert response.status_code == 200
    return [a["label"] for a in response.context["first_actions"]], response


def test_enterprise_workspace_starts_with_publishing_the_three_kinds_of_needs():
    user, _org = _member(Organization.Kind.ENTERPRISE)
    labels, response = _labels(user)
    assert labels[:3] == ["发布技术需求", "发布人才需求", "发布校企合作需求"]
    assert "发布科技成果" not in labels
    assert response.context["first_actions"][0]["primary"]


def test_university_workspace_starts_with_publishing_achievements():
    user, _org = _member(Organization.Kind.UNIVERSITY)
    labels, _response = _labels(user)
    assert labels[0] == "发布科技成果"
    assert "从 Excel 批量导入成果" in labels and "发布技术需求" not in labels


def test_bureau_workspace_offers_browsing_and_figures_and_no_publish_form():
    user = make_bureau()
    labels, response = _labels(user)
    assert "发布技术需求" not in labels and "发布科技成果" not in labels
    assert labels[0] == "浏览技术需求"
    assert response.context["headline"]
    created = _client(user).get(reverse("needs:create"))
    assert created.status_code == 302 and created["Location"] == reverse("core:workspace")


def test_investor_and_expert_workspaces_have_their_own_first_actions():
    investor, _org = _member(Organization.Kind.INVESTOR)
    labels, _response = _labels(investor)
    assert labels[0] == "可作价入股的成果" and "发布技术需求" not in labels
    expert, _org = _member(Organization.Kind.UNIVERSITY, role=Role.EXPERT)
    labels, _response = _labels(expert)
    assert (
        labels[0] == "建立专家档案" and "发布科技成果" not in labels
    )  # the office publishes, the expert keeps a profile


def test_member_of_an_organisation_under_review_sees_a_banner_and_no_publish_buttons():
    user, org = _member(Organization.Kind.ENTERPRISE, status=Organization.Status.PENDING)
    labels, response = _labels(user)
    assert 'id="pending-org-banner"' in response.content.decode()
    assert org.name in response.content.decode()
    assert "发布技术需求" not in labels and labels[0] == "浏览技术需求"


def test_operator_organisation_is_listed_once_with_both_roles():
    operator = make_operator()
    org = operator.memberships.get().organization
    MembershipFactory(user=operator, organization=org, role=Role.ORG_ADMIN)
    _labels_, response = _labels(operator)
    rows = response.context["organization_rows"]
    assert len(rows) == 1 and len(rows[0]["memberships"]) == 2
    assert response.content.decode().count(f">{org.name}</a>") == 1


def test_first_actions_have_no_duplicates_and_one_primary_button():
    links = first_actions(roles={Role.BROKER, Role.OPERATOR}, org_kinds={Organization.Kind.SERVICE})
    urls = [link["url"] for link in links]
    assert len(urls) == len(set(urls))
    assert sum(1 for link in links if link["primary"]) == 1


def test_organizations_with_roles_groups_memberships_per_organisation():
    class M:
        def __init__(self, org_id, role):
            self.organization_id, self.organization, self.role = org_id, f"org{org_id}", role

    rows = organizations_with_roles([M(1, "operator"), M(1, "org_admin"), M(2, "member")])
    assert [len(r["memberships"]) for r in rows] == [2, 1]


# --- operator pages ------------------------------------------------------------------------------------------


def test_audit_log_shows_action_names_and_offers_choices():
    from techmarket.audit.services import audit_record

    operator = make_operator()
    audit_record(actor=operator, action="accounts.user.login", target=operator)
    response = _client(operator).get(reverse("audit:log"))
    html = response.content.decode()
    assert "用户 · 登录" in html
    form = response.context["form"]
    assert ("accounts.user.login", "用户 · 登录") in form.fields["action"].choices
    assert (
        _client(operator).get(reverse("audit:log"), {"action": "accounts."}).context["page"].paginator.count
        == 1
    )


def test_headline_counts_types_with_states_of_their_own_as_a_visitor_sees_them():
    """A challenge is listed as 揭榜中, not as a reviewed need's 已发布: the bureau's tile counts what the public
    list shows, and a draft is not counted."""
    import sys

    from django.contrib.auth.models import AnonymousUser
    from factories import make_org_admin

    from techmarket.catalog import registry
    from techmarket.challenges import services as challenge_services
    from techmarket.core.portal import headline_figures

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "challenges"))
    from challenge_helpers import challenge_data

    ctype = next(t for t in registry.all_types() if t.model._meta.label_lower == "challenges.challenge")

    def tile():
        return {str(f["label"]): f["value"] for f in headline_figures()}[str(ctype.label)]

    assert tile() == 0
    owner = OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    admin = make_org_admin(owner)
    draft = challenge_services.challenge_create(owner=owner, acting_user=admin, **challenge_data())
    assert tile() == 0
    challenge_services.challenge_move(challenge=draft, action="submit", acting_user=admin)
    challenge_services.challenge_move(challenge=draft, action="publish", acting_user=make_operator())
    assert ctype.list_visible(AnonymousUser()).filter(pk=draft.pk).exists()
    assert tile() == 1
