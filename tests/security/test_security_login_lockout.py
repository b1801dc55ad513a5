"""Finding 8: login answers never tell whether an account exists or is locked, failures lock one
account from one address only (an outsider cannot lock a user out), registration does not reveal
registered e-mail addresses, and lockout and rate limits keep working while the cache is down."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.test import Client, RequestFactory
from django.urls import reverse
from factories import DEFAULT_PASSWORD, UserFactory

from techmarket.accounts import services
from techmarket.accounts.models import User
from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db

DEAD_REDIS = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0"}
}


def _login(username, password, ip="203.0.113.7"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    request.user, request.session = AnonymousUser(), {}
    return services.user_login_attempt(request=request, username=username, password=password)


def test_locked_unknown_and_wrong_password_answers_are_identical(settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    wrong = _login(user.username, "wrong-password").error
    unknown = _login("nobody-here", "wrong-password").error
    _login(user.username, "wrong-password")  # reaches the limit
    locked_right_password = _login(user.username, DEFAULT_PASSWORD)
    assert locked_right_password.user is None
    assert wrong == unknown == locked_right_password.error
    assert "锁定" not in wrong or "或" in wrong  # one message that covers both cases


def test_failures_from_one_address_do_not_lock_the_owner_out_from_another(settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(10):
        _login(user.username, "wrong-password", ip="198.51.100.66")
    assert _login(user.username, DEFAULT_PASSWORD, ip="198.51.100.66").user is None
    assert _login(user.username, DEFAULT_PASSWORD, ip="203.0.113.10").user == user
    assert AuditLog.objects.filter(action="accounts.user.lock", target_id=str(user.pk)).count() == 1


def test_login_page_shows_the_same_text_for_locked_and_wrong(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    first = client.post(reverse("accounts:login"), {"username": user.username, "password": "nope-nope"})
    client.post(reverse("accounts:login"), {"username": user.username, "password": "nope-nope"})
    locked = client.post(reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert first.context["form"].non_field_errors() == locked.context["form"].non_field_errors()
    assert SESSION_KEY not in client.session


def _register(client, **overrides):
    data = {
        "username": "sunqi",
        "real_name": "孙七",
        "email": "sunqi@example.com",
        "phone": "13800000000",
        "password1": "Qz8!long-river-9",
        "password2": "Qz8!long-river-9",
        "mode": "none",
        "agree": "on",
    }
    data.update(overrides)
    return client.post(reverse("accounts:register"), data)


def test_registration_with_a_registered_email_looks_like_success_and_tells_the_owner(client):
    owner = UserFactory(email="sunqi@example.com")
    response = _register(client, email="SunQi@example.com")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:registered")
    assert User.objects.filter(email__iexact="sunqi@example.com").count() == 1
    assert not User.objects.filter(username="sunqi").exists()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [owner.email]
    fresh = _register(Client(), username="zhouba", email="zhouba@example.com")
    assert fresh.status_code == 302 and fresh["Location"] == reverse("accounts:registered")


def test_login_lockout_and_rate_limit_work_without_the_cache(client, settings):
    settings.CACHES = DEAD_REDIS
    settings.LOGIN_MAX_FAILURES = 2
    settings.LOGIN_RATE_PER_IP = 4
    user = UserFactory()
    ok = client.post(reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert ok.status_code == 302
    client.post(reverse("accounts:logout"))
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope-nope"})
    locked = client.post(reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert locked.status_code == 200 and SESSION_KEY not in client.session
    limited = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    assert limited.status_code == 200
    assert "过于频繁" in limited.content.decode()


def test_api_throttle_works_without_the_cache(client, settings):
    settings.CACHES = DEAD_REDIS
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 2
    codes = [client.get("/api/reference/disciplines").status_code for _ in range(3)]
    assert codes == [200, 200, 429]
