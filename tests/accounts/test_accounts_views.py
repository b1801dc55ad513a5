"""Account pages driven through the test client: login, register, verify, resend, password reset, tokens."""

import re
import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from factories import DEFAULT_PASSWORD, OrganizationFactory, UserFactory

from techmarket.accounts import services
from techmarket.accounts.models import ApiToken, LoginFailure, User
from techmarket.audit.models import AuditLog
from techmarket.orgs.models import JoinRequest, Membership, Organization, Role
from techmarket.orgs.validators import make_uscc

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Qv3!ridge-harbour-lamp"
VALID_USCC = make_uscc("91371302MA3C54321")


def _register_data(**overrides):
    data = {
        "username": "sunqi",
        "real_name": "孙七",
        "email": "sunqi@example.com",
        "phone": "13800000000",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
        "mode": "create",
        "org_name": "临沂智造装备有限公司",
        "org_kind": "enterprise",
        "org_uscc": VALID_USCC,
        "org_region": "371302",
        "agree": "on",
    }
    data.update(overrides)
    return data


def _wrong(code):
    return code[:17] + ("0" if code[17] != "0" else "1")


# Login page


def test_login_page_logs_in_audits_and_follows_a_local_next(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD, "next": "/orgs/"}
    )
    assert response.status_code == 302 and response["Location"] == "/orgs/"
    assert client.session[SESSION_KEY] == str(user.pk)
    assert AuditLog.objects.filter(action="accounts.user.login", actor=user).count() == 1


def test_login_ignores_an_external_next_url(client):
    user = UserFactory()
    response = client.post(
        reverse("accounts:login"),
        {"username": user.username, "password": DEFAULT_PASSWORD, "next": "https://evil.example.com/"},
    )
    assert response["Location"] == reverse("core:workspace")
    page = client.get(reverse("accounts:login") + "?next=https://evil.example.com/").content.decode()
    assert 'value="https://evil.example.com/"' not in page


def test_login_page_gives_the_same_chinese_message_when_locked(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "nope-nope"})
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 200
    assert "用户名或密码错误" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_login_page_refuses_unverified_email(client):
    user = UserFactory(email_verified_at=None)
    response = client.post(
        reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
    )
    assert "邮箱尚未验证" in response.content.decode()
    assert SESSION_KEY not in client.session


def test_logout_requires_post(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert SESSION_KEY not in client.session


# Registration


def test_register_with_new_org_creates_user_pending_org_and_sends_the_mail(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:register"), _register_data())
    assert response.status_code == 302 and response["Location"] == reverse("accounts:registered")
    user = User.objects.get(username="sunqi")
    org = Organization.objects.get(uscc=VALID_USCC)
    assert org.status == Organization.Status.PENDING and org.created_by == user
    assert Membership.objects.filter(user=user, organization=org, role=Role.ORG_ADMIN).exists()
    assert [m.to for m in mail.outbox] == [["sunqi@example.com"]]
    assert "sunqi@example.com" in client.get(reverse("accounts:registered")).content.decode()


def test_register_with_wrong_check_character_shows_the_expected_character_on_org_uscc(client):
    response = client.post(reverse("accounts:register"), _register_data(org_uscc=_wrong(VALID_USCC)))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["org_uscc"]
    assert f"应为“{VALID_USCC[17]}”" in errors["org_uscc"][0]
    assert f"应为“{VALID_USCC[17]}”" in response.content.decode()
    assert not User.objects.filter(username="sunqi").exists()


def test_register_with_an_existing_credit_code_names_the_owner_on_org_uscc(client):
    existing = OrganizationFactory(name="已注册的公司")
    response = client.post(reverse("accounts:register"), _register_data(org_uscc=existing.uscc))
    errors = response.context["form"].errors
    assert list(errors) == ["org_uscc"]
    assert "已注册的公司" in errors["org_uscc"][0]
    assert not User.objects.filter(username="sunqi").exists()


def test_register_with_an_existing_org_name_errors_on_org_name(client):
    OrganizationFactory(name="临沂智造装备有限公司")
    response = client.post(reverse("accounts:register"), _register_data())
    assert list(response.context["form"].errors) == ["org_name"]


def test_register_new_org_needs_the_org_fields(client):
    response = client.post(
        reverse("accounts:register"), _register_data(org_name="", org_kind="", org_uscc="", org_region="")
    )
    assert set(response.context["form"].errors) == {"org_name", "org_kind", "org_uscc", "org_region"}


def test_register_with_taken_email_keeps_everything_unchanged_and_does_not_say_so(client):
    UserFactory(email="sunqi@example.com")
    response = client.post(reverse("accounts:register"), _register_data(email="SunQi@example.com"))
    assert response["Location"] == reverse("accounts:registered")
    assert not Organization.objects.filter(uscc=VALID_USCC).exists()


def test_register_to_join_an_approved_org_files_a_join_request(client):
    org = OrganizationFactory()
    response = client.post(reverse("accounts:register"), _register_data(mode="join", join_org=org.uscc))
    assert response.status_code == 302
    jr = JoinRequest.objects.get(user__username="sunqi")
    assert (jr.organization, jr.status) == (org, JoinRequest.Status.PENDING)


def test_register_to_join_an_unknown_or_pending_org_errors_on_join_org(client):
    pending = OrganizationFactory(status=Organization.Status.PENDING)
    for key in ("不存在的机构", pending.name):
        response = client.post(reverse("accounts:register"), _register_data(mode="join", join_org=key))
        assert list(response.context["form"].errors) == ["join_org"]
    assert not User.objects.filter(username="sunqi").exists()


def test_register_refuses_weak_and_mismatched_passwords(client):
    response = client.post(
        reverse("accounts:register"), _register_data(mode="none", password1="12345678", password2="12345678")
    )
    assert "password1" in response.context["form"].errors
    response = client.post(
        reverse("accounts:register"), _register_data(mode="none", password2="Other-pass-99")
    )
    assert "password2" in response.context["form"].errors


# E-mail verification


def test_verification_link_from_the_mail_verifies_and_then_login_works(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("accounts:register"), _register_data(mode="none"))
    link = re.search(r"https?://\S+/accounts/verify/\S+/", mail.outbox[0].body).group(0)
    path = "/" + link.split("/", 3)[3]
    response = client.get(path, follow=True)
    assert response.redirect_chain[-1][0] == reverse("accounts:login")
    assert "验证成功" in response.content.decode()
    response = client.post(reverse("accounts:login"), {"username": "sunqi", "password": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(User.objects.get(username="sunqi").pk)


def test_tampered_verification_link_shows_a_chinese_error_page(client):
    user = UserFactory(email_verified_at=None)
    token = services.email_verification_token(user)
    response = client.get(reverse("accounts:verify_email", args=[token[:-2] + "xx"]))
    assert response.status_code == 400
    assert "验证链接无效" in response.content.decode()
    user.refresh_from_db()
    assert not user.email_verified


def test_expired_verification_link_shows_a_chinese_error_page(client, monkeypatch, settings):
    user = UserFactory(email_verified_at=None)
    real_time = time.time
    monkeypatch.setattr(
        signing.time, "time", lambda: real_time() - (settings.EMAIL_VERIFICATION_MAX_AGE_HOURS + 1) * 3600
    )
    token = services.email_verification_token(user)
    monkeypatch.setattr(signing.time, "time", real_time)
    response = client.get(reverse("accounts:verify_email", args=[token]))
    assert response.status_code == 400
    assert "验证链接已过期" in response.content.decode()


def test_resend_verification_mails_unverified_users_and_answers_the_same_for_unknown_addresses(client):
    UserFactory(email="pending@example.com", email_verified_at=None)
    UserFactory(email="done@example.com")
    for address in ("pending@example.com", "done@example.com", "unknown@example.com"):
        response = client.post(reverse("accounts:resend_verification"), {"email": address})
        assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert [m.to for m in mail.outbox] == [["pending@example.com"]]


def test_resend_verification_is_rate_limited_per_ip(client):
    for _ in range(5):
        client.post(reverse("accounts:resend_verification"), {"email": "x@example.com"})
    response = client.post(reverse("accounts:resend_verification"), {"email": "x@example.com"})
    assert response.status_code == 200
    assert "发送过于频繁" in response.content.decode()


# Password reset


def test_password_reset_end_to_end_sets_the_new_password_and_clears_a_lock(client, settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory(email="reset@example.com")
    for _ in range(2):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-wrong"})
    assert LoginFailure.objects.get(user=user).is_locked()

    response = client.post(reverse("accounts:password_reset"), {"email": "reset@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["reset@example.com"]
    assert "重设密码" in mail.outbox[0].subject
    path = re.search(r"/accounts/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body).group(0)

    response = client.get(path)
    assert response.status_code == 302  # Django moves the token into the session
    set_password_url = response["Location"]
    response = client.post(set_password_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response["Location"] == reverse("accounts:password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert not LoginFailure.objects.filter(user=user).exists() and user.locked_until is None
    assert AuditLog.objects.filter(action="accounts.user.password_reset", actor=user).count() == 1
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302


def test_password_reset_link_works_only_once(client):
    UserFactory(email="once@example.com")
    client.post(reverse("accounts:password_reset"), {"email": "once@example.com"})
    path = re.search(r"/accounts/password-reset/[^/\s]+/[^/\s]+/", mail.outbox[0].body).group(0)
    set_url = client.get(path)["Location"]
    client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    fresh = Client()
    response = fresh.get(path, follow=True)
    assert response.context["validlink"] is False


def test_password_reset_for_unknown_address_sends_nothing_but_looks_the_same(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_password_reset_requests_are_rate_limited_per_ip(client):
    for _ in range(5):
        client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    response = client.post(reverse("accounts:password_reset"), {"email": "ghost@example.com"})
    assert response.status_code == 200
    assert "找回密码请求过于频繁" in response.content.decode()


# API tokens page


def test_tokens_page_shows_the_secret_once_then_only_the_prefix(user_client, user):
    response = user_client.post(reverse("accounts:tokens"), {"name": "数据同步脚本", "expires_in_days": "30"})
    secret = response.context["secret"]
    assert secret.startswith("tm_") and secret in response.content.decode()
    token = ApiToken.objects.get(user=user)
    assert token.key_hash == ApiToken.hash_key(secret)
    assert token.expires_at is not None
    html = user_client.get(reverse("accounts:tokens")).content.decode()
    assert secret not in html
    assert token.key_prefix in html


def test_tokens_page_revokes_only_own_tokens(user_client, user):
    mine, _ = services.api_token_create(user=user, name="mine")
    theirs, _ = services.api_token_create(user=UserFactory(), name="theirs")
    assert user_client.post(reverse("accounts:token_revoke", args=[theirs.pk])).status_code == 404
    user_client.post(reverse("accounts:token_revoke", args=[mine.pk]))
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.revoked_at is not None and theirs.revoked_at is None


def test_tokens_page_requires_login(client):
    response = client.get(reverse("accounts:tokens"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_the_new_organisations_region_and_kind_do_not_say_they_may_be_left_empty(client):
    # Registering a new organisation requires both (注册新机构时必须填写此项), yet the region said 可不填.
    html = client.get(reverse("accounts:register")).content.decode()
    region = html[html.index('name="org_region"') :]
    region = region[: region.index("</select>")]
    assert '<option value="" selected>请选择</option>' in region and "可不填" not in region
    kind = html[html.index('name="org_kind"') :]
    assert '<option value="" selected>请选择</option>' in kind[: kind.index("</select>")]
