"""Nothing leaks: every role × every visibility level × every status for list, detail, count and API."""

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_bureau,
    make_operator,
    with_search_text,
)

from techmarket.achievements.models import Achievement
from techmarket.achievements.selectors import achievement_get_visible, achievement_list_visible_to
from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.catalog.services import access_decide, access_request
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "registered", "other_org_member", "owner_member", "broker", "bureau", "operator"]
LISTED = [ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS]
OWNER_NAME = "山东理工新材料研究院"


def expected(role: str, visibility: str, status: str) -> bool:
    if role in {"operator", "owner_member"}:
        return True
    if role == "bureau":  # oversees every published item to its end, whatever its visibility level
        return status in [*LISTED, ListingStatus.SOLVED, ListingStatus.CLOSED]
    if status not in LISTED:
        return False
    return {
        Visibility.PUBLIC: True,
        Visibility.REGISTERED: role != "anonymous",
        Visibility.BROKERS: role == "broker",
        Visibility.ORGANIZATION: False,
    }[visibility]


@pytest.fixture
def world():
    owner_org = OrganizationFactory(name=OWNER_NAME, kind=Organization.Kind.INSTITUTE)
    owner_member = UserFactory()
    MembershipFactory(user=owner_member, organization=owner_org, role=Role.MEMBER)
    other = UserFactory()
    MembershipFactory(user=other, organization=OrganizationFactory(), role=Role.ORG_ADMIN)
    users = {
        "anonymous": None,
        "registered": UserFactory(),
        "other_org_member": other,
        "owner_member": owner_member,
        "broker": make_broker(),
        "bureau": make_bureau(),
        "operator": make_operator(),
    }
    items = {}
    for visibility, status in itertools.product(Visibility.values, ListingStatus.values):
        items[(visibility, status)] = with_search_text(
            Achievement.objects.create(
                owner=owner_org,
                title=f"成果 {visibility} {status}",
                summary="公开摘要",
                trl=5,
                keywords=["高熵合金"],
                confidential_detail="保密：工艺配方与热处理曲线",
                visibility=visibility,
                status=status,
            )
        )
    return users, items


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_selector_list_count_search_and_detail_match_the_visibility_rules(world, role):
    users, items = world
    user = users[role] or AnonymousUser()
    want = {a.pk for (vis, status), a in items.items() if expected(role, vis, status)}
    assert set(achievement_list_visible_to(user).values_list("pk", flat=True)) == want
    assert achievement_list_visible_to(user).count() == len(want)
    assert set(achievement_list_visible_to(user, q="高熵").values_list("pk", flat=True)) == want
    for (vis, status), item in items.items():
        if expected(role, vis, status):
            assert achievement_get_visible(user, item.pk) == item
        else:
            with pytest.raises(Http404):
                achievement_get_visible(user, item.pk)


@pytest.mark.parametrize("role", ROLES)
def test_api_list_search_detail_and_count_match_the_visibility_rules(world, client, role):
    users, items = world
    client = _as(client, users[role])
    want = {a.pk for (vis, status), a in items.items() if expected(role, vis, status)}
    for params in ({"page_size": 100}, {"page_size": 100, "q": "高熵合金"}):
        listing = client.get("/api/achievements", params).json()
        assert listing["count"] == len(want)
        assert {item["id"] for item in listing["items"]} == want
    for (vis, status), item in items.items():
        response = client.get(f"/api/achievements/{item.pk}")
        assert response.status_code == (200 if expected(role, vis, status) else 404), (role, vis, status)


@pytest.mark.parametrize("role", ROLES)
def test_confidential_detail_is_only_returned_to_owner_and_operator(world, client, role):
    users, items = world
    item = items[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    body = _as(client, users[role]).get(f"/api/achievements/{item.pk}").json()
    assert body["summary"] == "公开摘要"
    if role in {"owner_member", "operator"}:
        assert body["confidential_detail"] == "保密：工艺配方与热处理曲线"
    else:
        assert body["confidential_detail"] is None


def test_granted_organisation_reads_confidential_detail_and_the_read_is_audited(world, client):
    users, items = world
    item = items[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    requester = users["other_org_member"]
    org = requester.memberships.first().organization
    grant = access_request(
        item=item, acting_user=requester, organization=org, purpose="评估许可", nda_accepted=True
    )
    client.force_login(requester)
    assert client.get(f"/api/achievements/{item.pk}").json()["confidential_detail"] is None
    access_decide(grant=grant, acting_user=users["owner_member"], grant_access=True)
    assert (
        client.get(f"/api/achievements/{item.pk}").json()["confidential_detail"]
        == "保密：工艺配方与热处理曲线"
    )
    assert (
        AuditLog.objects.filter(
            action="achievements.achievement.view_confidential", target_id=str(item.pk), actor=requester
        ).count()
        == 1
    )


def test_anonymous_listing_hides_owner_and_team_from_everyone_but_brokers_operators_and_owner(world, client):
    users, items = world
    item = items[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    item.is_anonymous = True
    item.save()
    item.team.add(Expert.objects.create(name="王教授", affiliation=item.owner, research_fields="高熵合金"))
    for role in ROLES:
        client.logout()
        detail = _as(client, users[role]).get(f"/api/achievements/{item.pk}").json()
        listed = [
            i
            for i in client.get("/api/achievements", {"page_size": 100}).json()["items"]
            if i["id"] == item.pk
        ][0]
        if role in {"broker", "operator", "owner_member"}:
            assert detail["owner"] == listed["owner"] == OWNER_NAME, role
            assert [m["name"] for m in detail["team"]] == ["王教授"]
        else:
            assert detail["owner"] == listed["owner"] == "匿名发布机构", role
            assert detail["team"] == [], role
            assert OWNER_NAME not in str(detail)
