"""The experts API: create, update, relations and the contact-request round trip, with the standard error body."""

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.audit.models import AuditLog
from techmarket.experts.models import ContactPermission, Expert
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


def test_member_creates_profile_and_sees_own_contact(client, university):
    member = UserFactory()
    MembershipFactory(user=member, organization=university, role=Role.MEMBER)
    client.force_login(member)
    response = client.post(
        "/api/experts",
        {
            "affiliation_id": university.pk,
            "name": "孙悦",
            "research_fields": "高端化工催化剂",
            "availability": ["challenge", "part_time"],
            "disciplines": ["150"],
            "email": "sunyue@lyu.edu.cn",
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "sunyue@lyu.edu.cn" and body["disciplines"] == ["150"]
    assert Expert.objects.get(pk=body["id"]).user == member


def test_create_with_bad_fields_returns_422_field_errors_and_writes_nothing(
    client, university, university_admin
):
    client.force_login(university_admin)
    response = client.post(
        "/api/experts",
        {
            "affiliation_id": university.pk,
            "name": "孙悦",
            "research_fields": "<img src=x>",
            "availability": ["unknown"],
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid" and set(error["fields"]) == {"research_fields", "availability"}
    assert not Expert.objects.exists() and not AuditLog.objects.exists()


def test_create_requires_login_and_stranger_gets_403(client, university):
    payload = {"affiliation_id": university.pk, "name": "孙悦", "research_fields": "催化"}
    assert client.post("/api/experts", payload, content_type="application/json").status_code == 401
    client.force_login(UserFactory())
    response = client.post("/api/experts", payload, content_type="application/json")
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_patch_by_self_and_forbidden_for_others(client, expert, expert_user):
    client.force_login(UserFactory())
    assert (
        client.patch(
            f"/api/experts/{expert.pk}", {"title": "院士"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(expert_user)
    response = client.patch(
        f"/api/experts/{expert.pk}",
        {"title": "研究员", "availability": ["review"]},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["title"] == "研究员" and response.json()["availability"] == ["review"]
    cleared = client.patch(
        f"/api/experts/{expert.pk}", {"phone": None, "panel_eligible": None}, content_type="application/json"
    )
    assert cleared.status_code == 200 and cleared.json()["phone"] == ""


def test_relations_endpoint_replaces_declared_organisations(client, expert, expert_user):
    org = OrganizationFactory()
    client.force_login(expert_user)
    response = client.put(
        f"/api/experts/{expert.pk}/relations", {"organizations": [org.pk]}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json() == {"organizations": [org.pk], "experts": []}


def test_contact_request_round_trip_reveals_contact_after_acceptance(client, expert, expert_user):
    asker = UserFactory()
    client.force_login(asker)
    created = client.post(
        f"/api/experts/{expert.pk}/contact-requests", {"message": "合作咨询"}, content_type="application/json"
    )
    assert created.status_code == 201 and created.json()["status"] == "requested"
    request_id = created.json()["id"]
    assert client.get(f"/api/experts/{expert.pk}").json()["email"] is None
    # The asker cannot accept their own request; it is not even visible to them as a decision.
    assert client.post(f"/api/experts/contact-requests/{request_id}/accept").status_code == 404

    client.force_login(expert_user)
    inbox = client.get("/api/experts/contact-requests").json()
    assert [i["id"] for i in inbox["items"]] == [request_id]
    accepted = client.post(f"/api/experts/contact-requests/{request_id}/accept")
    assert accepted.status_code == 200 and accepted.json()["status"] == "accepted"

    client.force_login(asker)
    assert client.get(f"/api/experts/{expert.pk}").json()["email"] == "wanglx@lyu.edu.cn"

    client.force_login(expert_user)
    assert client.post(f"/api/experts/contact-requests/{request_id}/decline").json()["status"] == "declined"
    client.force_login(asker)
    assert client.get(f"/api/experts/{expert.pk}").json()["email"] is None
    assert ContactPermission.objects.get(pk=request_id).decided_at is not None


def test_anonymous_cannot_request_contact(client, expert):
    response = client.post(f"/api/experts/{expert.pk}/contact-requests", {}, content_type="application/json")
    assert response.status_code == 401
