"""Level 3: sessions end after 30 idle minutes and 12 hours after login; a person lists their login
sessions and ends any of them (the ended browser is logged out at its next request)."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from factories import DEFAULT_PASSWORD, UserFactory

from techmarket.accounts.models import UserSession
from techmarket.accounts.sessions import LAST_ACTIVITY, LOGIN_AT
from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def _login(user, agent="Browser A"):
    client = Client(HTTP_USER_AGENT=agent)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _age(client, key, seconds):
    session = client.session
    session[key] = time.time() - seconds
    session.save()


def test_idle_session_is_logged_out_after_thirty_minutes(settings):
    assert settings.SESSION_IDLE_TIMEOUT_MINUTES == 30
    user = UserFactory()
    client = _login(user)
    assert client.get(reverse("core:workspace")).status_code == 200
    _age(client, LAST_ACTIVITY, 31 * 60)
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert SESSION_KEY not in client.session


def test_active_session_still_ends_after_the_absolute_timeout(settings):
    user = UserFactory()
    client = _login(user)
    _age(client, LOGIN_AT, settings.SESSION_ABSOLUTE_TIMEOUT_HOURS * 3600 + 60)
    assert client.get(reverse("core:workspace")).status_code == 302


def test_a_person_lists_their_sessions_and_ends_another_one():
    user = UserFactory()
    laptop, phone = _login(user, "Laptop"), _login(user, "Phone")
    page = laptop.get(reverse("accounts:sessions")).content.decode()
    assert "Laptop" in page and "Phone" in page
    other = UserSession.objects.get(user=user, user_agent="Phone")
    assert laptop.post(reverse("accounts:session_end", args=[other.pk])).status_code == 302
    assert phone.get(reverse("core:workspace")).status_code == 302  # logged out
    assert laptop.get(reverse("core:workspace")).status_code == 200
    assert AuditLog.objects.filter(action="accounts.session.revoke").exists()


def test_nobody_ends_someone_elses_session():
    owner, stranger = UserFactory(), UserFactory()
    _login(owner)
    session = UserSession.objects.get(user=owner)
    client = _login(stranger)
    assert client.post(reverse("accounts:session_end", args=[session.pk])).status_code == 404
    assert UserSession.objects.filter(pk=session.pk).exists()


def test_a_page_polling_itself_neither_keeps_the_session_alive_nor_writes_it():
    user = UserFactory()
    client = _login(user)
    _age(client, LAST_ACTIVITY, 5 * 60)
    before = client.session[LAST_ACTIVITY]
    assert client.get(reverse("core:workspace"), HTTP_X_BACKGROUND_POLL="1").status_code == 200
    assert client.session[LAST_ACTIVITY] == before  # not stamped: a refreshing progress bar is no activity
    _age(client, LAST_ACTIVITY, 31 * 60)
    assert client.get(reverse("core:workspace"), HTTP_X_BACKGROUND_POLL="1").status_code == 302
