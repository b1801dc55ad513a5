"""Finding 9: enumerations are validated on create as on update; an unknown value is a 422 naming the
field, never a stored item that can no longer be updated."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.needs.models import Need
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def member_client(client):
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    client.force_login(user)
    client.org = org
    return client


NEED = {"title": "高镍正极材料包覆工艺", "summary": "摘要", "problem": "难题"}


@pytest.mark.parametrize(
    "field,value", [("visibility", "bogus"), ("kind", "bogus"), ("cooperation_modes", ["bogus"])]
)
def test_need_create_refuses_unknown_enumeration_values(member_client, field, value):
    response = member_client.post(
        "/api/needs",
        {**NEED, "owner_id": member_client.org.pk, field: value},
        content_type="application/json",
    )
    assert response.status_code == 422, response.content
    assert field in response.json()["error"]["fields"]
    assert not Need.objects.exists()


def test_need_created_with_valid_values_can_be_updated(member_client):
    created = member_client.post(
        "/api/needs",
        {**NEED, "owner_id": member_client.org.pk, "visibility": "registered"},
        content_type="application/json",
    )
    assert created.status_code == 201
    patched = member_client.patch(
        f"/api/needs/{created.json()['id']}", {"summary": "新摘要"}, content_type="application/json"
    )
    assert patched.status_code == 200


def test_achievement_create_refuses_unknown_visibility(member_client):
    response = member_client.post(
        "/api/achievements",
        {
            "title": "低温正极材料成果",
            "summary": "摘要",
            "owner_id": member_client.org.pk,
            "visibility": "bogus",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "visibility" in response.json()["error"]["fields"]


def test_openapi_declares_visibility_as_an_enumeration(client):
    schema = client.get("/api/openapi.json").json()
    text = str(schema["components"]["schemas"])
    assert "['public', 'registered', 'brokers', 'organization']" in text
