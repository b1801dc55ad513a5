"""Finding 11: tokens have scopes (read, write) and an expiry; a token cannot mint tokens."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.accounts import services
from techmarket.accounts.models import ApiToken
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


def _bearer(secret):
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def member():
    user = UserFactory()
    MembershipFactory(user=user, organization=OrganizationFactory(), role=Role.MEMBER)
    return user


def test_a_token_cannot_create_tokens(member):
    _token, secret = services.api_token_create(user=member, name="脚本", scopes=["read", "write"])
    response = _bearer(secret).post(
        "/api/accounts/tokens", {"name": "child"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "forbidden"
    assert ApiToken.objects.filter(user=member).count() == 1


def test_read_token_reads_but_cannot_write(member):
    _token, secret = services.api_token_create(user=member, name="只读", scopes=["read"])
    client = _bearer(secret)
    assert client.get("/api/accounts/me").status_code == 200
    org = member.memberships.first().organization
    response = client.post(
        "/api/needs",
        {"owner_id": org.pk, "title": "高镍正极材料", "summary": "摘要", "problem": "难题"},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "只读" in response.json()["error"]["message"] or "读取" in response.json()["error"]["message"]


def test_write_token_can_write(member):
    _token, secret = services.api_token_create(user=member, name="读写", scopes=["read", "write"])
    org = member.memberships.first().organization
    response = _bearer(secret).post(
        "/api/needs",
        {"owner_id": org.pk, "title": "高镍正极材料", "summary": "摘要", "problem": "难题"},
        content_type="application/json",
    )
    assert response.status_code == 201


def test_tokens_always_expire_and_the_expiry_is_bounded(member, settings):
    client = Client()
    client.force_login(member)
    created = client.post("/api/accounts/tokens", {"name": "默认"}, content_type="application/json")
    assert created.status_code == 201
    body = created.json()
    assert body["scopes"] == ["read"]
    token = ApiToken.objects.get(pk=body["id"])
    assert (
        timedelta(days=89)
        < token.expires_at - timezone.now()
        <= timedelta(days=settings.API_TOKEN_DEFAULT_DAYS)
    )
    too_long = client.post(
        "/api/accounts/tokens", {"name": "太长", "expires_in_days": 4000}, content_type="application/json"
    )
    assert too_long.status_code == 422


def test_expired_token_is_refused(member):
    token, secret = services.api_token_create(user=member, name="旧")
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(secret).get("/api/accounts/me").status_code == 401


def test_token_page_offers_scopes_and_no_unlimited_lifetime(member):
    client = Client()
    client.force_login(member)
    page = client.get("/accounts/tokens/").content.decode()
    assert "长期有效" not in page and "写入" in page
    client.post("/accounts/tokens/", {"name": "网页", "expires_in_days": "30", "scope": "write"})
    token = ApiToken.objects.get(name="网页")
    assert token.scopes == ["read", "write"] and token.expires_at is not None
