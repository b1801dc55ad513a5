"""Nothing leaks: every role × every visibility level × list, detail, count and API."""

import itertools

import pytest
from factories import (
    MembershipFactory,
    OrganizationFactory,
    UserFactory,
    make_broker,
    make_bureau,
    make_operator,
)

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import AccessGrant, ListingStatus, Visibility
from techmarket.catalog.services import access_decide, access_request
from techmarket.needs.models import Need
from techmarket.needs.selectors import need_list_visible_to
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "registered", "other_org_member", "owner_member", "broker", "bureau", "operator"]
LISTED = [ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS]


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
    owner_org = OrganizationFactory(name="临沂沂河新材料科技有限公司")
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
    needs = {}
    for visibility, status in itertools.product(Visibility.values, ListingStatus.values):
        needs[(visibility, status)] = Need.objects.create(
            owner=owner_org,
            title=f"需求 {visibility} {status}",
            summary="公开摘要",
            problem="难题",
            confidential_detail="保密：客户名单与工艺窗口",
            visibility=visibility,
            status=status,
        )
    return users, needs


def _as(client, user):
    if user is not None:
        client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_selector_list_and_count_match_the_visibility_rules(world, role):
    from django.contrib.auth.models import AnonymousUser

    users, needs = world
    user = users[role] or AnonymousUser()
    visible = set(need_list_visible_to(user).values_list("pk", flat=True))
    want = {n.pk for (vis, status), n in needs.items() if expected(role, vis, status)}
    assert visible == want
    assert need_list_visible_to(user).count() == len(want)


@pytest.mark.parametrize("role", ROLES)
def test_api_list_detail_and_count_match_the_visibility_rules(world, client, role):
    users, needs = world
    client = _as(client, users[role])
    listing = client.get("/api/needs", {"page_size": 100}).json()
    want = {n.pk for (vis, status), n in needs.items() if expected(role, vis, status)}
    assert listing["count"] == len(want)
    assert {item["id"] for item in listing["items"]} == want
    for (vis, status), need in needs.items():
        response = client.get(f"/api/needs/{need.pk}")
        assert response.status_code == (200 if expected(role, vis, status) else 404), (role, vis, status)


@pytest.mark.parametrize("role", ROLES)
def test_confidential_detail_is_only_returned_to_owner_and_operator(world, client, role):
    users, needs = world
    need = needs[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    body = _as(client, users[role]).get(f"/api/needs/{need.pk}").json()
    assert body["summary"] == "公开摘要"
    if role in {"owner_member", "operator"}:
        assert body["confidential_detail"] == "保密：客户名单与工艺窗口"
    else:
        assert body["confidential_detail"] is None


def test_granted_organisation_reads_confidential_detail_and_the_read_is_audited(world, client):
    users, needs = world
    need = needs[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    requester = users["other_org_member"]
    org = requester.memberships.first().organization
    with pytest.raises(Exception, match="保密承诺"):
        access_request(
            item=need, acting_user=requester, organization=org, purpose="评估合作", nda_accepted=False
        )
    grant = access_request(
        item=need, acting_user=requester, organization=org, purpose="评估合作", nda_accepted=True
    )
    client.force_login(requester)
    assert client.get(f"/api/needs/{need.pk}").json()["confidential_detail"] is None
    access_decide(grant=grant, acting_user=users["owner_member"], grant_access=True)
    assert AccessGrant.objects.get(pk=grant.pk).status == AccessGrant.Status.GRANTED
    assert client.get(f"/api/needs/{need.pk}").json()["confidential_detail"] == "保密：客户名单与工艺窗口"
    assert (
        AuditLog.objects.filter(
            action="needs.need.view_confidential", target_id=str(need.pk), actor=requester
        ).count()
        == 1
    )
    assert AuditLog.objects.filter(action="catalog.access.grant").count() == 1


def test_anonymous_listing_hides_owner_from_everyone_but_brokers_operators_and_owner(world, client):
    users, needs = world
    need = needs[(Visibility.PUBLIC, ListingStatus.PUBLISHED)]
    need.is_anonymous = True
    need.save()
    for role in ROLES:
        client.logout()
        body = _as(client, users[role]).get(f"/api/needs/{need.pk}").json()
        if role in {"broker", "operator", "owner_member"}:
            assert body["owner"] == "临沂沂河新材料科技有限公司", role
        else:
            assert body["owner"] == "匿名发布机构", role


@pytest.mark.parametrize("role", ROLES)
def test_keyword_search_and_csv_export_match_the_visibility_rules(world, client, role):
    users, needs = world
    for need in needs.values():
        need.search_text = need.compute_search_text()
        need.save(update_fields=["search_text"])
    client = _as(client, users[role])
    want = {n.title for (vis, status), n in needs.items() if expected(role, vis, status)}
    found = {
        item["title"] for item in client.get("/api/needs", {"q": "需求", "page_size": 100}).json()["items"]
    }
    assert found == want
    response = client.get("/imports/needs/export.csv")
    if users[role] is None:
        assert response.status_code == 302  # export needs a login
        return
    text = (
        b"".join(response.streaming_content).decode("utf-8-sig")
        if response.streaming
        else response.content.decode("utf-8-sig")
    )
    exported = {title for title in (n.title for n in needs.values()) if title in text}
    assert exported == want
    assert "保密：客户名单与工艺窗口" not in text
