"""With the shared cache (Redis) down the site keeps answering: the API in its JSON error format,
throttles per process, import pages from the database; a failed cache is not asked again at once."""

import json
import socket
from unittest import mock

import pytest
from django.core.cache import cache
from django.test import Client, RequestFactory
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.api import failsafe
from techmarket.core.cache import CacheUnavailable, FailFastRedisCache
from techmarket.core.views import error_500
from techmarket.imports.models import ImportJob
from techmarket.needs import selectors as need_selectors
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def cache_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "techmarket.core.cache.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "CIRCUIT_SECONDS": 30},
        }
    }
    with pytest.raises(ConnectionError):
        cache.get("probe")  # really down
    failsafe._local.clear()  # the per-process fallback counts start empty in every test
    yield
    failsafe._local.clear()


def _json(response):
    assert response["Content-Type"].startswith("application/json"), response.content[:200]
    return json.loads(response.content)


def test_api_lists_answer_with_the_cache_down(cache_down, client):
    response = client.get("/api/needs")
    assert response.status_code == 200
    assert _json(response)["count"] == 0


def test_api_throttle_still_limits_in_process_with_the_cache_down(cache_down, client, settings):
    settings.API_RATE_ANONYMOUS_PER_MINUTE = 2
    assert [client.get("/api/needs").status_code for _ in range(3)] == [200, 200, 429]
    body = _json(client.get("/api/needs"))
    assert body["error"]["code"] == "throttled" and body["error"]["message"]


def test_api_answers_an_unexpected_failure_with_its_json_error_body(client):
    with mock.patch.object(
        need_selectors, "need_list_visible_to", side_effect=CacheUnavailable("redis down")
    ):
        response = client.get("/api/needs")
    assert response.status_code == 500
    body = _json(response)
    assert body["error"]["code"] == "server_error" and "稍后重试" in body["error"]["message"]


def test_a_server_error_under_api_outside_ninja_is_json_too():
    response = error_500(RequestFactory().get("/api/needs"))
    assert response.status_code == 500 and _json(response)["error"]["code"] == "server_error"
    assert b"<html" in error_500(RequestFactory().get("/needs/")).content.lower()


def test_pages_and_the_import_job_page_work_with_the_cache_down(cache_down):
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.MEMBER)
    job = ImportJob.objects.create(
        spec_key="needs",
        owner=org,
        original_name="needs.xlsx",
        created_by=user,
        status=ImportJob.Status.RUNNING,
        total_rows=600,
        processed_rows=0,
        started_at=timezone.now(),
    )
    client = Client()
    client.force_login(user)  # sessions live in the database, not in the cache
    assert client.get("/").status_code == 200
    assert client.get("/needs/").status_code == 200
    page = client.get(f"/imports/jobs/{job.pk}/")
    assert page.status_code == 200 and "0 / 600" in page.content.decode()
    assert client.get(f"/imports/jobs/{job.pk}/progress/").status_code == 200


def test_a_failed_cache_is_not_asked_again_until_its_circuit_closes():
    backend = FailFastRedisCache(
        f"redis://127.0.0.1:{_refused_port()}/0",
        {"OPTIONS": {"socket_connect_timeout": 0.2, "CIRCUIT_SECONDS": 60}},
    )
    with mock.patch.object(
        FailFastRedisCache.__mro__[1], "get", side_effect=ConnectionError("refused")
    ) as get:
        with pytest.raises(ConnectionError):
            backend.get("a")
        with pytest.raises(CacheUnavailable):
            backend.get("a")
        with pytest.raises(CacheUnavailable):
            backend.incr("b")
    assert get.call_count == 1
    backend._open_until = 0.0  # the circuit closes: the next call tries the server again
    with pytest.raises(ConnectionError):
        backend.get("a")


def test_password_reset_works_and_stays_rate_limited_with_the_cache_down(cache_down, client):
    from django.core import mail
    from django.urls import reverse

    from techmarket.core.models import RateCounter

    UserFactory(email="reset-down@example.com")
    response = client.post("/accounts/password-reset/", {"email": "reset-down@example.com"})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reset-down@example.com"]
    for _ in range(4):
        client.post("/accounts/password-reset/", {"email": "ghost@example.com"})
    limited = client.post("/accounts/password-reset/", {"email": "ghost@example.com"})
    assert limited.status_code == 200 and "找回密码请求过于频繁" in limited.content.decode()
    assert RateCounter.objects.exists()  # counted in the database while the cache is gone


@pytest.fixture
def cache_hung(settings):
    """A Redis that accepts connections and never answers (hung, not dead); counts the connections."""
    import threading

    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    accepted = []

    def accept() -> None:
        while True:
            try:
                conn, _addr = server.accept()
            except OSError:
                return
            accepted.append(conn)  # held open, never read from or written to

    threading.Thread(target=accept, daemon=True).start()
    settings.CACHES = {
        "default": {
            "BACKEND": "techmarket.core.cache.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{server.getsockname()[1]}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "CIRCUIT_SECONDS": 30},
        }
    }
    failsafe._local.clear()
    yield accepted
    failsafe._local.clear()
    server.close()
    for conn in accepted:
        conn.close()


def test_a_hung_cache_times_out_once_then_pages_logins_and_the_api_skip_it(cache_hung, client):
    """The read timeout turns a silent Redis into an error (not a wait without end), and the open circuit
    keeps every later request of the process off it: no new connection while it is open."""
    from django.urls import reverse

    with pytest.raises(CacheUnavailable) as first:
        cache.get("probe")
    assert "Timeout" in str(first.value) or "timed out" in str(first.value).lower()
    tried = len(cache_hung)
    assert tried >= 1
    user = UserFactory()
    assert client.get("/").status_code == 200
    assert client.get("/needs/").status_code == 200
    assert _json(client.get("/api/needs"))["count"] == 0
    login = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-wrong"})
    assert login.status_code == 200 and "用户名或密码" in login.content.decode()
    assert len(cache_hung) == tried  # nothing waited on the hung server again
