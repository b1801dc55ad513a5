"""Contact details (e-mail, phone) leak to nobody outside the rule: role × selector, list API and detail API."""

import pytest
from django.contrib.auth.models import AnonymousUser
from factories import MembershipFactory, UserFactory, make_broker, make_bureau, make_operator

from techmarket.experts.models import ContactPermission
from techmarket.experts.selectors import can_see_expert_contact, expert_get_visible, expert_list_visible_to
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

SEES_CONTACT = {"broker", "operator", "expert_self", "affiliation_admin", "accepted_user"}
ROLES = [
    "anonymous",
    "registered",
    "broker",
    "operator",
    "bureau",
    "expert_self",
    "affiliation_admin",
    "affiliation_member",
    "accepted_user",
    "declined_user",
    "requested_user",
]


@pytest.fixture
def users(expert, expert_user, university, university_admin):
    colleague = UserFactory()
    MembershipFactory(user=colleague, organization=university, role=Role.MEMBER)
    people = {
        "anonymous": None,
        "registered": UserFactory(),
        "broker": make_broker(),
        "operator": make_operator(),
        "bureau": make_bureau(),
        "expert_self": expert_user,
        "affiliation_admin": university_admin,
        "affiliation_member": colleague,
        "accepted_user": UserFactory(),
        "declined_user": UserFactory(),
        "requested_user": UserFactory(),
    }
    for role, status in (
        ("accepted_user", "accepted"),
        ("declined_user", "declined"),
        ("requested_user", "requested"),
    ):
        ContactPermission.objects.create(expert=expert, user=people[role], status=status)
    return people


@pytest.mark.parametrize("role", ROLES)
def test_can_see_expert_contact_follows_the_rule_with_and_without_list_annotation(users, expert, role):
    user = users[role] or AnonymousUser()
    want = role in SEES_CONTACT
    assert can_see_expert_contact(user, expert) is want  # plain object: the function queries itself
    listed = expert_list_visible_to(user).get(pk=expert.pk)
    assert can_see_expert_contact(user, listed) is want  # annotated by the selector
    assert can_see_expert_contact(user, expert_get_visible(user, expert.pk)) is want


@pytest.mark.parametrize("role", ROLES)
def test_api_list_and_detail_return_contact_only_when_permitted(users, expert, client, role):
    if users[role] is not None:
        client.force_login(users[role])
    want = role in SEES_CONTACT
    page = client.get("/api/experts").json()
    assert set(page) == {"count", "page", "page_size", "items"}
    [item] = [i for i in page["items"] if i["id"] == expert.pk]
    detail = client.get(f"/api/experts/{expert.pk}").json()
    for body in (item, detail):
        assert body["name"] == "王立新"  # the profile itself is public
        assert body["contact_visible"] is want
        assert body["email"] == ("wanglx@lyu.edu.cn" if want else None), role
        assert body["phone"] == ("0539-8766123" if want else None), role


def test_inactive_expert_is_hidden_from_the_public_but_not_from_self_admin_and_operator(
    users, expert, client
):
    expert.is_active = False
    expert.save()
    for role in ROLES:
        user = users[role] or AnonymousUser()
        visible = expert_list_visible_to(user).filter(pk=expert.pk).exists()
        assert visible is (role in {"operator", "expert_self", "affiliation_admin"}), role
    assert client.get(f"/api/experts/{expert.pk}").status_code == 404


def test_list_costs_a_fixed_number_of_queries(
    users, expert, university, django_assert_max_num_queries, client
):
    from techmarket.experts.models import Expert

    for n in range(15):
        Expert.objects.create(name=f"专家{n}", affiliation=university, research_fields="智能制造")
    client.force_login(users["accepted_user"])
    with django_assert_max_num_queries(12):
        body = client.get("/api/experts", {"page_size": 50}).json()
    assert body["count"] == 16
