"""Finding 13: anonymous API writes answer 401 (not a CSRF 403); a JSON body that is not an object is
refused; the operator's index rebuild is audited."""

import pytest
from django.test import Client
from factories import OrganizationFactory, UserFactory

from techmarket.accounts.models import User
from techmarket.audit.models import AuditLog
from techmarket.experts.models import ContactPermission, Expert
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "method,url",
    [
        ("post", "/api/needs"),
        ("post", "/api/accounts/tokens"),
        ("patch", "/api/needs/1"),
        ("post", "/api/experts"),
    ],
)
def test_anonymous_api_writes_answer_401_with_the_error_body(method, url):
    client = Client(enforce_csrf_checks=True)
    response = getattr(client, method)(url, {}, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_logged_in_session_write_without_csrf_is_still_refused(user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    assert (
        client.post("/api/accounts/tokens", {"name": "x"}, content_type="application/json").status_code == 403
    )


@pytest.mark.parametrize("body", ["true", "1", '"text"', "null"])
def test_a_json_body_that_is_not_an_object_is_refused(user_client, body):
    org = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    expert = Expert.objects.create(
        name="张三", affiliation=org, research_fields="材料", user=UserFactory(), email="zs@example.com"
    )
    response = user_client.post(
        f"/api/experts/{expert.pk}/contact-requests", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_request"
    assert not ContactPermission.objects.exists()


def test_operator_index_rebuild_is_audited(operator_client, monkeypatch):
    from techmarket.matching import tasks

    monkeypatch.setattr(tasks.rebuild_index, "delay", lambda *a, **k: None)
    response = operator_client.post("/matching/health/rebuild/")
    assert response.status_code == 302
    assert AuditLog.objects.filter(action="matching.index.rebuild").count() == 1


def test_a_nul_character_in_a_json_body_is_refused_not_a_server_error(user_client):
    org = OrganizationFactory()
    from techmarket.orgs.models import Membership, Role

    Membership.objects.create(
        user=User.objects.get(pk=user_client.session["_auth_user_id"]), organization=org, role=Role.MEMBER
    )
    response = user_client.post(
        "/api/needs",
        '{"owner_id": %d, "title": "高镍\\u0000正极", "summary": "摘要", "problem": "难题"}' % org.pk,
        content_type="application/json",
    )
    assert response.status_code == 400
