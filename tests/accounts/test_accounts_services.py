"""Registration, e-mail verification, login with rate limit and lockout, API tokens."""

import time
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail, signing
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.utils import timezone
from factories import DEFAULT_PASSWORD, UserFactory

from techmarket.accounts import services
from techmarket.accounts.models import ApiToken, LoginFailure, User
from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db


def _request(ip="203.0.113.7"):
    request = RequestFactory().post("/accounts/login/", REMOTE_ADDR=ip)
    request.user = AnonymousUser()
    request.session = {}
    return request


def _login(username, password, ip="203.0.113.7"):
    return services.user_login_attempt(request=_request(ip), username=username, password=password)


# Registration and e-mail verification


def test_register_creates_unverified_user_audits_once_and_mails_the_link_after_commit(
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        user = services.user_register(
            username="zhangsan", email=" ZhangSan@Example.com ", password="x-Long-pass-9"
        )
    assert user.email == "zhangsan@example.com"
    assert not user.email_verified
    assert user.check_password("x-Long-pass-9")
    record = AuditLog.objects.get()
    assert (record.action, record.actor, record.target_id) == ("accounts.user.register", user, str(user.pk))
    assert record.after == {"username": "zhangsan", "email": "zhangsan@example.com"}
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["zhangsan@example.com"]
    assert "/accounts/verify/" in mail.outbox[0].body


def test_register_sends_no_mail_when_the_transaction_rolls_back(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.user_register(username="lisi", email="lisi@example.com", password="x-Long-pass-9")
    assert len(callbacks) == 1
    assert mail.outbox == []


def test_register_refuses_taken_username_and_answers_a_taken_email_without_revealing_it():
    owner = UserFactory(username="wangwu", email="wangwu@example.com")
    with pytest.raises(ValidationError) as exc:
        services.user_register(username="WangWu", email="other@example.com", password="x-Long-pass-9")
    assert set(exc.value.message_dict) == {"username"}
    with pytest.raises(services.EmailAlreadyRegistered) as taken:
        services.user_register(username="zhaoliu", email="WANGWU@example.com", password="x-Long-pass-9")
    assert taken.value.user == owner
    assert User.objects.count() == 1


def test_verification_token_marks_email_verified_once():
    user = UserFactory(email_verified_at=None)
    token = services.email_verification_token(user)
    assert services.user_verify_email(token=token) == user
    user.refresh_from_db()
    first = user.email_verified_at
    assert first is not None
    services.user_verify_email(token=token)
    user.refresh_from_db()
    assert user.email_verified_at == first
    assert AuditLog.objects.filter(action="accounts.user.verify_email").count() == 1


def test_expired_verification_token_gives_a_chinese_message(monkeypatch, settings):
    user = UserFactory(email_verified_at=None)
    hours = settings.EMAIL_VERIFICATION_MAX_AGE_HOURS
    real_time = time.time
    monkeypatch.setattr(signing.time, "time", lambda: real_time() - (hours + 1) * 3600)
    token = services.email_verification_token(user)
    monkeypatch.setattr(signing.time, "time", real_time)
    with pytest.raises(ValidationError) as exc:
        services.user_verify_email(token=token)
    assert "验证链接已过期" in exc.value.messages[0]
    user.refresh_from_db()
    assert not user.email_verified


def test_tampered_verification_token_gives_a_chinese_message():
    user = UserFactory(email_verified_at=None)
    token = services.email_verification_token(user)
    tampered = token.replace(f"{user.pk}:", f"{user.pk + 1}:", 1)
    with pytest.raises(ValidationError) as exc:
        services.user_verify_email(token=tampered)
    assert "验证链接无效" in exc.value.messages[0]


def test_verification_token_stops_working_after_the_email_changes():
    user = UserFactory(email_verified_at=None)
    token = services.email_verification_token(user)
    user.email = "changed@example.com"
    user.save()
    with pytest.raises(ValidationError) as exc:
        services.user_verify_email(token=token)
    assert "邮箱已更改" in exc.value.messages[0]


# Login


def test_correct_password_logs_in_by_username_or_email_in_any_case():
    user = UserFactory(username="zhaoliu")
    assert _login("ZhaoLiu", DEFAULT_PASSWORD).user == user
    assert _login(user.email.upper(), DEFAULT_PASSWORD).user == user


def test_unverified_email_cannot_log_in_even_with_the_right_password():
    user = UserFactory(email_verified_at=None)
    result = _login(user.username, DEFAULT_PASSWORD)
    assert result.user is None
    assert "邮箱尚未验证" in result.error


def test_wrong_password_for_unknown_user_gives_the_generic_message():
    result = _login("nobody", "whatever-123")
    assert (result.user, result.error) == (None, services.login_failed_message())
    assert result.error.startswith("用户名或密码错误。")


def _failure(user, ip="203.0.113.7"):
    return LoginFailure.objects.filter(user=user, ip_address=ip).first()


def test_repeated_failures_lock_the_account_from_that_address_and_refuse_the_correct_password(settings):
    settings.LOGIN_MAX_FAILURES = 3
    settings.LOGIN_LOCKOUT_MINUTES = 15
    user = UserFactory()
    for _ in range(2):
        assert _login(user.username, "wrong-password").error == services.login_failed_message()
    assert _failure(user).failures == 2 and _failure(user).locked_until is None

    assert _login(user.username, "wrong-password").error == services.login_failed_message()
    lock = _failure(user)
    assert lock.is_locked()
    assert timedelta(minutes=14) < lock.locked_until - timezone.now() <= timedelta(minutes=15)

    result = _login(user.username, DEFAULT_PASSWORD)
    assert result.user is None
    assert result.error == services.login_failed_message()


def test_account_lock_is_audited_once_with_the_client_ip(settings):
    settings.LOGIN_MAX_FAILURES = 2
    user = UserFactory()
    for _ in range(2):
        _login(user.username, "wrong-password", ip="198.51.100.9")
    record = AuditLog.objects.get(action="accounts.user.lock")
    assert record.actor is None and record.actor_label == "系统"
    assert record.target_id == str(user.pk)
    assert record.ip_address == "198.51.100.9"
    assert AuditLog.objects.count() == 1


def test_login_works_again_after_the_lock_expires_and_resets_the_counter(settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    for _ in range(3):
        _login(user.username, "wrong-password")
    LoginFailure.objects.filter(user=user).update(locked_until=timezone.now() - timedelta(seconds=1))
    assert _login(user.username, DEFAULT_PASSWORD).user == user
    assert _failure(user) is None


def test_an_operator_lock_on_the_account_refuses_every_address():
    user = UserFactory(locked_until=timezone.now() + timedelta(hours=1))
    assert _login(user.username, DEFAULT_PASSWORD, ip="192.0.2.50").user is None


def test_successful_login_resets_the_failure_counter(settings):
    settings.LOGIN_MAX_FAILURES = 3
    user = UserFactory()
    _login(user.username, "wrong-password")
    _login(user.username, "wrong-password")
    assert _login(user.username, DEFAULT_PASSWORD).user == user
    assert _failure(user) is None
    # Two more failures after the reset do not reach the limit of three.
    _login(user.username, "wrong-password")
    _login(user.username, "wrong-password")
    assert not _failure(user).is_locked()


def test_login_attempts_are_rate_limited_per_ip(settings):
    settings.LOGIN_RATE_PER_IP = 3
    user = UserFactory()
    for _ in range(3):
        _login("nobody", "x", ip="192.0.2.1")
    result = _login(user.username, DEFAULT_PASSWORD, ip="192.0.2.1")
    assert result.user is None
    assert "登录尝试过于频繁" in result.error
    # Another address is not affected.
    assert _login(user.username, DEFAULT_PASSWORD, ip="192.0.2.2").user == user


# API tokens


def test_token_secret_is_returned_once_and_only_its_hash_is_stored():
    user = UserFactory()
    token, secret = services.api_token_create(user=user, name="  数据同步脚本 ")
    assert secret.startswith("tm_") and len(secret) > 40
    token.refresh_from_db()
    assert token.name == "数据同步脚本"
    assert token.key_hash == ApiToken.hash_key(secret) != secret
    assert token.key_prefix == secret[:10]
    stored = [str(v) for v in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert not any(secret in v for v in stored)
    record = AuditLog.objects.get(action="accounts.api_token.create")
    assert secret not in str(record.after) and "key_hash" not in record.after


def test_token_needs_a_name():
    with pytest.raises(ValidationError) as exc:
        services.api_token_create(user=UserFactory(), name="   ")
    assert list(exc.value.message_dict) == ["name"]


def test_at_most_twenty_active_tokens():
    user = UserFactory()
    for i in range(20):
        services.api_token_create(user=user, name=f"t{i}")
    with pytest.raises(ValidationError):
        services.api_token_create(user=user, name="one too many")
    services.api_token_revoke(token=user.api_tokens.first(), acting_user=user)
    services.api_token_create(user=user, name="after revoking one")


def test_token_authenticates_its_user_until_revoked():
    user = UserFactory()
    token, secret = services.api_token_create(user=user, name="script")
    assert services.api_token_authenticate(secret) == user
    token.refresh_from_db()
    assert token.last_used_at is not None
    services.api_token_revoke(token=token, acting_user=user)
    assert services.api_token_authenticate(secret) is None
    assert AuditLog.objects.filter(action="accounts.api_token.revoke", actor=user).count() == 1


def test_expired_token_and_token_of_inactive_user_do_not_authenticate():
    user = UserFactory()
    token, secret = services.api_token_create(user=user, name="script", expires_in_days=30)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    assert services.api_token_authenticate(secret) is None
    other = UserFactory()
    _token, other_secret = services.api_token_create(user=other, name="script")
    User.objects.filter(pk=other.pk).update(is_active=False)
    assert services.api_token_authenticate(other_secret) is None


@pytest.mark.parametrize("secret", ["", "tm_", "tm_not-a-real-token", "Bearer tm_x", "abc"])
def test_unknown_or_malformed_secrets_do_not_authenticate(secret):
    UserFactory()
    assert services.api_token_authenticate(secret) is None


def test_only_the_owner_may_revoke_a_token():
    owner, other = UserFactory(), UserFactory()
    token, secret = services.api_token_create(user=owner, name="script")
    with pytest.raises(ValidationError):
        services.api_token_revoke(token=token, acting_user=other)
    assert services.api_token_authenticate(secret) == owner
