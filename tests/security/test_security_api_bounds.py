"""Finding 10: huge integers in ids, page numbers and body references answer 4xx, never 500; the
OpenAPI schema declares the error responses the endpoints give."""

import re

import pytest
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db

HUGE = [10**30, 2**63, -(2**63) - 1]


def _paths(client):
    return client.get("/api/openapi.json").json()["paths"]


@pytest.fixture
def member_client(client):
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(), role=Role.MEMBER)
    client.force_login(user)
    return client


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_in_every_path_answer_without_server_error(member_client, value):
    for path, operations in _paths(member_client).items():
        if "{" not in path:
            continue
        url = re.sub(r"\{[^}]+\}", str(value), path).replace("{action}", "submit")
        for method in operations:
            if method == "delete":
                continue
            response = member_client.generic(method.upper(), url, "{}", content_type="application/json")
            assert response.status_code < 500, (method, url, response.status_code)


@pytest.mark.parametrize("value", HUGE)
def test_huge_page_numbers_and_filter_ids_answer_without_server_error(client, value):
    for path in ("/api/needs", "/api/achievements", "/api/experts", "/api/organizations"):
        for params in (
            {"page": value},
            {"page_size": value},
            {"owner": value},
            {"chain_node": value},
            {"affiliation": value},
        ):
            response = client.get(path, params)
            assert response.status_code < 500, (path, params, response.status_code)


@pytest.mark.parametrize("value", HUGE)
def test_huge_ids_in_request_bodies_answer_without_server_error(member_client, value):
    body = {
        "owner_id": value,
        "title": "高镍正极材料",
        "summary": "摘要",
        "problem": "难题",
        "chain_node": value,
    }
    assert member_client.post("/api/needs", body, content_type="application/json").status_code < 500
    expert = {"affiliation_id": value, "name": "张三", "research_fields": "材料", "user_id": value}
    assert member_client.post("/api/experts", expert, content_type="application/json").status_code < 500


def test_openapi_declares_error_responses_with_the_error_body(client):
    schema = client.get("/api/openapi.json").json()
    detail = schema["paths"]["/api/needs/{need_id}"]["get"]["responses"]
    assert {"404", "422"} <= set(detail)
    assert detail["404"]["content"]["application/json"]["schema"]["$ref"].endswith("/ErrorOut")
    create = schema["paths"]["/api/needs"]["post"]["responses"]
    assert {"401", "403", "422"} <= set(create)
    assert "ErrorOut" in schema["components"]["schemas"]
