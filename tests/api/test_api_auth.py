"""API authentication: personal bearer tokens, session with CSRF, and the rate limits."""

import pytest
from django.test import Client
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.accounts import services
from techmarket.accounts.models import ApiToken
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db


def _assert_error_body(response, status, code):
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_token_created_through_the_api_shows_the_secret_once_and_stores_only_a_hash(user_client, user):
    response = user_client.post(
        "/api/accounts/tokens", {"name": "数据同步脚本"}, content_type="application/json"
    )
    assert response.status_code == 201
    created = response.json()
    secret = created["secret"]
    assert secret.startswith("tm_")
    assert created["key_prefix"] == secret[:10]
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == ApiToken.hash_key(secret)
    listed = user_client.get("/api/accounts/tokens")
    assert listed.status_code == 200
    assert [t["id"] for t in listed.json()] == [token.pk]
    assert "secret" not in listed.json()[0]
    assert secret not in listed.content.decode()


def test_bearer_token_authenticates_the_api(user):
    _token, secret = services.api_token_create(user=user, name="script")
    response = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    assert response.json()["username"] == user.username
    assert response.json()["email_verified"] is True


def test_revoked_token_gets_401_with_the_standard_error_body(user):
    token, secret = services.api_token_create(user=user, name="script")
    services.api_token_revoke(token=token, acting_user=user)
    response = Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    error = _assert_error_body(response, 401, "unauthenticated")
    assert error["fields"] == {}


def test_request_without_credentials_gets_401_with_the_standard_error_body(client):
    _assert_error_body(client.get("/api/accounts/me"), 401, "unauthenticated")


def test_token_revoked_through_the_api_stops_working(user_client, user):
    token, secret = services.api_token_create(user=user, name="script")
    assert user_client.delete(f"/api/accounts/tokens/{token.pk}").status_code == 204
    _assert_error_body(
        Client().get("/api/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}"), 401, "unauthenticated"
    )


def test_revoking_someone_elses_token_through_the_api_is_404(user_client):
    other = UserFactory()
    token, secret = services.api_token_create(user=other, name="theirs")
    _assert_error_body(user_client.delete(f"/api/accounts/tokens/{token.pk}"), 404, "not_found")
    token.refresh_from_db()
    assert token.revoked_at is None


def test_session_post_without_csrf_token_is_refused(user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    response = c.post("/api/accounts/tokens", {"name": "x"}, content_type="application/json")
    _assert_error_body(response, 403, "forbidden")
    assert not ApiToken.objects.filter(user=user).exists()


def test_session_post_with_csrf_token_is_accepted(user):
    c = Client(enforce_csrf_checks=True)
    c.force_login(user)
    c.get("/accounts/login/")  # sets the CSRF cookie
    csrf = c.cookies["csrftoken"].value
    response = c.post(
        "/api/accounts/tokens", {"name": "x"}, content_type="application/json", HTTP_X_CSRFTOKEN=csrf
    )
    assert response.status_code == 201


def test_bearer_post_needs_no_csrf_token(user):
    org = OrganizationFactory()
    MembershipFactory(user=user, organization=org)
    _token, secret = services.api_token_create(user=user, name="script", scopes=["read", "write"])
    c = Client(enforce_csrf_checks=True)
    response = c.post(
        "/api/needs",
        {"owner_id": org.pk, "title": "高镍正极材料", "summary": "摘要", "problem": "难题"},
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201


def test_public_endpoint_serves_anonymous_visitors_and_recognises_a_token(user):
    own_pending = OrganizationFactory(status=Organization.Status.PENDING)
    MembershipFactory(user=user, organization=own_pending, role=Role.ORG_ADMIN)
    _token, secret = services.api_token_create(user=user, name="script")
    anonymous = Client().get("/api/organizations")
    assert anonymous.status_code == 200 and anonymous.json()["count"] == 0
    as_user = Client().get("/api/organizations", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert [o["id"] for o in as_user.json()["items"]] == [own_pending.pk]


def test_anonymous_requests_over_the_limit_get_429_with_the_error_body(client, settings):
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 3
    for _ in range(3):
        assert client.get("/api/reference/trl").status_code == 200
    response = client.get("/api/reference/trl")
    _assert_error_body(response, 429, "throttled")
    assert int(response["Retry-After"]) >= 1
    # The limit is per address: another client address still gets through.
    assert client.get("/api/reference/trl", REMOTE_ADDR="192.0.2.44").status_code == 200


def test_anonymous_limit_does_not_apply_to_logged_in_users(settings, user):
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 2
    _token, secret = services.api_token_create(user=user, name="script")
    for _ in range(4):
        assert Client().get("/api/reference/trl", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200


def test_tokens_endpoint_validates_the_name_with_field_errors(user_client):
    response = user_client.post("/api/accounts/tokens", {"name": ""}, content_type="application/json")
    error = _assert_error_body(response, 422, "invalid")
    assert list(error["fields"]) == ["name"]
    response = user_client.post(
        "/api/accounts/tokens", {"name": "x", "expires_in_days": 0}, content_type="application/json"
    )
    assert list(_assert_error_body(response, 422, "invalid")["fields"]) == ["expires_in_days"]


@pytest.mark.django_db
def test_a_wrong_token_on_a_public_endpoint_is_refused_not_downgraded_to_anonymous(client):
    response = client.get("/api/needs", HTTP_AUTHORIZATION="Bearer tm_not-a-real-token")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    assert client.get("/api/needs").status_code == 200
