"""The main navigation's grouped menu: policies, finance, vouchers and investors under one 政策与金融 drop-down,
each role seeing the entries meant for it, the group left out when none is, and the page showing it."""

import re

import pytest
from django.contrib.auth.models import AnonymousUser
from factories import OrganizationFactory, make_bureau, make_operator, make_org_admin

from techmarket.core import navigation
from techmarket.core.navigation import GROUPS, POLICY_FINANCE, Group, Section, menu
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db

EVERYONE = ["政策", "金融产品", "投资机构"]


def _group(user):
    entries = {e.label: e for e in menu(user)}
    group = entries.get("政策与金融")
    return [c.label for c in group.children] if group else None


def _member(kind):
    return make_org_admin(OrganizationFactory(kind=kind))


def test_visitors_see_the_public_pages_of_the_group_only():
    assert _group(AnonymousUser()) == EVERYONE


def test_an_enterprise_sees_its_policies_applications_vouchers_and_financing():
    assert _group(_member(Organization.Kind.ENTERPRISE)) == [
        "政策", "符合条件的政策", "政策申请", "金融产品", "融资申请", "创新券", "投资机构", "融资需求",
    ]  # fmt: skip


def test_a_bank_sees_the_loan_applications_but_no_policy_pages_of_enterprises():
    labels = _group(_member(Organization.Kind.BANK))
    assert labels == ["政策", "金融产品", "融资申请", "创新券", "投资机构", "融资需求"]


def test_the_bureau_sees_the_policy_applications_and_the_points_ranking():
    labels = _group(make_bureau())
    assert "政策申请" in labels and "创新积分排名" in labels
    assert "符合条件的政策" not in labels and "融资申请" not in labels


def test_the_operator_sees_every_entry_except_the_enterprise_view():
    labels = _group(make_operator())
    assert "创新积分排名" in labels and "融资申请" in labels and "政策申请" in labels
    assert "符合条件的政策" not in labels


def test_grouped_entries_are_not_repeated_in_the_bar():
    top = [e.label for e in menu(make_operator())]
    for label in ("政策", "金融产品", "创新券", "投资机构"):
        assert label not in top
    assert top.count("政策与金融") == 1
    assert top.index("政策与金融") < top.index("数据")  # the group takes its place (order 72 < 80)


def test_a_group_without_any_entry_for_the_user_is_left_out(monkeypatch):
    monkeypatch.setattr(navigation, "catalogue_sections", lambda: [])
    monkeypatch.setattr(navigation, "GROUPS", {**GROUPS, "ops": Group("运营专区", 5)})
    monkeypatch.setattr(
        navigation,
        "SECTIONS",
        [
            Section("首页", "core:home", 1),
            Section("审计", "audit:log", 6, lambda u: False, "ops"),
            Section("尚未上线", "nonexistent:list", 7, group="ops"),
        ],
    )
    assert [e.label for e in menu(AnonymousUser())] == ["首页"]


def test_the_page_shows_the_group_as_a_dropdown_with_the_current_entry_marked(client):
    client.force_login(_member(Organization.Kind.ENTERPRISE))
    html = client.get("/policies/").content.decode()
    block = re.search(
        r'dropdown-toggle[^"]*"[^>]*>政策与金融</a>\s*<ul class="dropdown-menu">(.*?)</ul>', html, re.S
    )
    assert block is not None
    assert 'dropdown-toggle active"' in html
    items = block.group(1)
    assert 'class="dropdown-item active" aria-current="page" href="/policies/">政策</a>' in items
    assert 'href="/vouchers/">创新券</a>' in items and 'href="/finance/applications/">融资申请</a>' in items
    assert POLICY_FINANCE in GROUPS
