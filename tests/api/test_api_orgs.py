"""The organisations API: registration errors, review, joining, pagination and the error body."""

import pytest
from django.test import Client
from factories import MembershipFactory, OrganizationFactory, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.orgs.models import JoinRequest, Organization, Role
from techmarket.orgs.validators import make_uscc

pytestmark = pytest.mark.django_db

VALID = make_uscc("91371302MA3C77777")


def _payload(**overrides):
    data = {
        "name": "临沂云端软件有限公司",
        "kind": "enterprise",
        "uscc": VALID,
        "region": "371302",
        "industry": "65",
        "tags": ["高新技术企业"],
    }
    data.update(overrides)
    return data


def _post(client, path, data):
    return client.post(path, data, content_type="application/json")


def _error(response, status=422, code="invalid"):
    assert response.status_code == status, response.content
    error = response.json()["error"]
    assert error["code"] == code
    assert set(error) == {"code", "message", "fields"}
    return error


def test_api_registers_a_pending_org_with_tags(user_client, user):
    response = _post(user_client, "/api/organizations", _payload())
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["uscc"], body["region"], body["tags"]) == (
        "pending",
        VALID,
        "山东省临沂市兰山区",
        ["高新技术企业"],
    )
    assert body["kind_label"] == "企业"
    org = Organization.objects.get(pk=body["id"])
    assert org.created_by == user
    assert AuditLog.objects.filter(action="orgs.organization.register").count() == 1


def test_api_wrong_check_character_names_uscc_and_the_expected_character(user_client):
    wrong = VALID[:17] + ("0" if VALID[17] != "0" else "1")
    error = _error(_post(user_client, "/api/organizations", _payload(uscc=wrong)))
    assert list(error["fields"]) == ["uscc"]
    assert f"应为“{VALID[17]}”" in error["fields"]["uscc"][0]
    assert f"应为“{VALID[17]}”" in error["message"]
    assert not Organization.objects.filter(name="临沂云端软件有限公司").exists()


def test_api_duplicate_code_and_name_are_reported_on_their_fields(user_client):
    existing = OrganizationFactory()
    error = _error(_post(user_client, "/api/organizations", _payload(uscc=existing.uscc, name=existing.name)))
    assert set(error["fields"]) == {"uscc", "name"}
    assert existing.name in error["fields"]["uscc"][0]


@pytest.mark.parametrize(
    ("field", "value"), [("region", "999999"), ("industry", "999"), ("tags", ["不存在的标签"])]
)
def test_api_unknown_reference_codes_are_reported_on_their_field(user_client, field, value):
    error = _error(_post(user_client, "/api/organizations", _payload(**{field: value})))
    assert list(error["fields"]) == [field]


def test_api_schema_validation_errors_use_the_error_body_with_fields(user_client):
    error = _error(_post(user_client, "/api/organizations", {"name": "x", "kind": "enterprise"}))
    assert {"name", "uscc", "region"} <= set(error["fields"])
    assert error["message"] == "请求参数不正确，请检查各字段。"


def test_api_malformed_json_is_a_client_error_not_a_server_error(user_client):
    response = user_client.post("/api/organizations", "{not json", content_type="application/json")
    _error(response, 400, "bad_request")


def test_api_registration_needs_a_login(client):
    _error(_post(client, "/api/organizations", _payload()), 401, "unauthenticated")


def test_api_approve_and_reject_are_for_operators_only(user_client, operator_client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    error = _error(_post(user_client, f"/api/organizations/{org.pk}/approve", {}), 403, "forbidden")
    assert "平台运营" in error["message"]
    response = _post(operator_client, f"/api/organizations/{org.pk}/approve", {"reason": "核实无误"})
    assert response.status_code == 200
    assert response.json()["status"] == "approved"


def test_api_reject_without_reason_names_the_reason_field(operator_client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    error = _error(_post(operator_client, f"/api/organizations/{org.pk}/reject", {"reason": " "}))
    assert list(error["fields"]) == ["reason"]
    response = _post(operator_client, f"/api/organizations/{org.pk}/reject", {"reason": "执照已过期"})
    assert response.json()["status"] == "rejected"


def test_api_unknown_org_is_404_with_the_error_body(client):
    _error(client.get("/api/organizations/999999"), 404, "not_found")


def test_api_pending_org_is_hidden_from_the_public_but_visible_to_its_admin(client):
    org = OrganizationFactory(status=Organization.Status.PENDING)
    _error(client.get(f"/api/organizations/{org.pk}"), 404, "not_found")
    admin_client = Client()
    admin_client.force_login(make_org_admin(org))
    assert admin_client.get(f"/api/organizations/{org.pk}").status_code == 200


def test_api_join_files_a_pending_request(user_client, user):
    org = OrganizationFactory()
    response = _post(
        user_client, f"/api/organizations/{org.pk}/join", {"role": "broker", "message": "持证经纪人"}
    )
    assert response.status_code == 201
    assert response.json()["status"] == "pending"
    assert JoinRequest.objects.get(user=user).role == Role.BROKER
    error = _error(_post(user_client, f"/api/organizations/{org.pk}/join", {"role": "org_admin"}))
    assert list(error["fields"]) == ["role"]


def test_me_lists_roles_and_memberships(user_client, user):
    org = OrganizationFactory(name="角色测试有限公司")
    MembershipFactory(user=user, organization=org, role=Role.EXPERT)
    MembershipFactory(
        user=user, organization=OrganizationFactory(status=Organization.Status.PENDING), role=Role.ORG_ADMIN
    )
    body = user_client.get("/api/accounts/me").json()
    assert body["roles"] == ["expert"]
    assert body["memberships"] == [
        {
            "organization_id": org.pk,
            "organization": "角色测试有限公司",
            "role": "expert",
            "role_label": "专家",
        }
    ]


# Pagination


def test_list_has_the_page_shape_and_pages_through_all_items(client):
    for _ in range(5):
        OrganizationFactory()
    first = client.get("/api/organizations", {"page_size": 2}).json()
    assert set(first) == {"count", "page", "page_size", "items"}
    assert (first["count"], first["page"], first["page_size"], len(first["items"])) == (5, 1, 2, 2)
    third = client.get("/api/organizations", {"page_size": 2, "page": 3}).json()
    assert (third["page"], len(third["items"])) == (3, 1)
    beyond = client.get("/api/organizations", {"page_size": 2, "page": 4}).json()
    assert (beyond["count"], beyond["items"]) == (5, [])
    ids = [
        o["id"]
        for p in (1, 2, 3)
        for o in client.get("/api/organizations", {"page_size": 2, "page": p}).json()["items"]
    ]
    assert len(set(ids)) == 5


def test_list_default_page_size_is_20(client):
    body = client.get("/api/reference/regions").json()
    assert (body["page"], body["page_size"], len(body["items"])) == (1, 20, 20)
    assert body["count"] == 3213


@pytest.mark.parametrize("params", [{"page_size": 0}, {"page_size": 101}, {"page": 0}, {"page_size": "many"}])
def test_page_parameters_out_of_bounds_give_a_field_error(client, params):
    error = _error(client.get("/api/organizations", params))
    assert list(error["fields"]) == list(params)


def test_page_size_100_is_allowed(client):
    assert client.get("/api/reference/regions", {"page_size": 100}).json()["page_size"] == 100


def test_list_filters_by_kind_region_and_query(client):
    uni = OrganizationFactory(kind=Organization.Kind.UNIVERSITY, name="临沂大学测试")
    OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    assert [o["id"] for o in client.get("/api/organizations", {"kind": "university"}).json()["items"]] == [
        uni.pk
    ]
    assert client.get("/api/organizations", {"region": "371300"}).json()["count"] == 2
    assert client.get("/api/organizations", {"region": "371000"}).json()["count"] == 0
    assert [o["id"] for o in client.get("/api/organizations", {"q": "临沂大学"}).json()["items"]] == [uni.pk]


def test_api_org_list_query_count_is_bounded(client, django_assert_max_num_queries):
    for _ in range(30):
        OrganizationFactory()
    with django_assert_max_num_queries(4):
        body = client.get("/api/organizations", {"page_size": 30}).json()
    assert len(body["items"]) == 30


def test_ordinary_user_cannot_list_other_orgs_under_review(user_client):
    OrganizationFactory(status=Organization.Status.PENDING)
    assert user_client.get("/api/organizations", {"status": "pending"}).json()["count"] == 0


def test_operator_lists_orgs_under_review(operator_client):
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    items = operator_client.get("/api/organizations", {"status": "pending"}).json()["items"]
    assert [o["id"] for o in items] == [pending.pk]
