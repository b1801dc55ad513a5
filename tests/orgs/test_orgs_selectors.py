"""Who sees which organisations and join requests."""

import pytest
from django.contrib.auth.models import AnonymousUser
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator, make_org_admin

from techmarket.orgs import selectors, services
from techmarket.orgs.models import Organization, Role
from techmarket.reference.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def orgs():
    return {
        "approved": OrganizationFactory(name="甲科技有限公司"),
        "pending": OrganizationFactory(name="乙科技有限公司", status=Organization.Status.PENDING),
        "rejected": OrganizationFactory(name="丙科技有限公司", status=Organization.Status.REJECTED),
    }


def test_anonymous_and_ordinary_users_see_approved_orgs_only(orgs):
    for viewer in (AnonymousUser(), UserFactory()):
        assert list(selectors.organization_list_visible_to(viewer)) == [orgs["approved"]]


def test_members_also_see_their_own_org_under_review(orgs):
    member = MembershipFactory(organization=orgs["pending"], role=Role.ORG_ADMIN).user
    assert set(selectors.organization_list_visible_to(member)) == {orgs["approved"], orgs["pending"]}


def test_operators_see_every_status_and_may_filter_by_status(orgs):
    operator = make_operator()
    visible = set(selectors.organization_list_visible_to(operator))
    assert set(orgs.values()) <= visible
    assert list(selectors.organization_list_visible_to(operator, status="rejected")) == [orgs["rejected"]]


def test_status_filter_does_not_reveal_unapproved_orgs_to_others(orgs):
    for status in ("pending", "rejected"):
        assert list(selectors.organization_list_visible_to(UserFactory(), status=status)) == []
        assert list(selectors.organization_list_visible_to(AnonymousUser(), status=status)) == []


def test_search_matches_name_and_exact_credit_code(orgs):
    viewer = AnonymousUser()
    assert list(selectors.organization_list_visible_to(viewer, q="甲科技")) == [orgs["approved"]]
    assert list(selectors.organization_list_visible_to(viewer, q=orgs["approved"].uscc.lower())) == [
        orgs["approved"]
    ]
    assert list(selectors.organization_list_visible_to(viewer, q="丁")) == []


def test_region_filter_on_a_prefecture_matches_its_counties_only():
    lanshan = OrganizationFactory(region=Region.objects.get(pk="371302"))  # 临沂市兰山区
    huancui = OrganizationFactory(region=Region.objects.get(pk="371002"))  # 威海市环翠区
    viewer = AnonymousUser()
    assert list(selectors.organization_list_visible_to(viewer, region="371300")) == [lanshan]
    # 威海市 371000: a prefix of "371" would wrongly include 临沂 (3713xx).
    assert list(selectors.organization_list_visible_to(viewer, region="371000")) == [huancui]
    assert set(selectors.organization_list_visible_to(viewer, region="370000")) == {lanshan, huancui}
    assert list(selectors.organization_list_visible_to(viewer, region="371302")) == [lanshan]


def test_region_filter_on_a_province_code_ending_in_zeros_stays_in_that_province():
    chongqing = OrganizationFactory(region=Region.objects.get(pk="500101"))
    sichuan = OrganizationFactory(region=Region.objects.get(pk="510104"))
    assert list(selectors.organization_list_visible_to(AnonymousUser(), region="500000")) == [chongqing]
    assert sichuan not in selectors.organization_list_visible_to(AnonymousUser(), region="500000")


def test_review_queue_is_for_operators_oldest_first():
    first = OrganizationFactory(status=Organization.Status.PENDING)
    second = OrganizationFactory(status=Organization.Status.PENDING)
    OrganizationFactory()
    assert list(selectors.organization_review_queue(make_operator())) == [first, second]
    assert list(selectors.organization_review_queue(make_org_admin())) == []


def test_join_requests_to_decide_are_those_of_orgs_the_user_administers():
    org, other = OrganizationFactory(), OrganizationFactory()
    admin = make_org_admin(org)
    mine = services.join_request_create(user=UserFactory(), organization=org)
    services.join_request_create(user=UserFactory(), organization=other)
    assert list(selectors.join_requests_to_decide(admin)) == [mine]
    assert list(selectors.join_requests_to_decide(AnonymousUser())) == []
    assert selectors.join_requests_to_decide(make_operator()).count() == 2


def test_member_list_is_hidden_from_outsiders():
    org = OrganizationFactory()
    member = MembershipFactory(organization=org).user
    assert list(selectors.organization_members(UserFactory(), org)) == []
    assert [m.user for m in selectors.organization_members(member, org)] == [member]
    assert selectors.organization_members(make_operator(), org).count() == 1


def test_members_may_filter_their_own_orgs_by_status(orgs):
    member = MembershipFactory(organization=orgs["pending"], role=Role.ORG_ADMIN).user
    assert list(selectors.organization_list_visible_to(member, status="pending")) == [orgs["pending"]]


@pytest.mark.parametrize(
    ("code", "prefix"),
    [("370000", "37"), ("371000", "3710"), ("500000", "50"), ("371302", "371302"), ("110100", "1101")],
)
def test_region_prefix_strips_whole_levels_only(code, prefix):
    assert selectors.region_prefix(code) == prefix
