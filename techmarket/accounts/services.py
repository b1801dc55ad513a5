"""Writes on users: registration, e-mail verification, login with lockout, API tokens."""

import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, client_ip
from techmarket.core.ratelimit import hit

from .models import ApiToken, LoginFailure, User

_VERIFY_SALT = "techmarket.accounts.verify-email"


def user_register(
    *,
    username: str,
    email: str,
    password: str,
    real_name: str = "",
    phone: str = "",
    request: HttpRequest | None = None,
) -> User:
    """Create an account whose e-mail still needs verifying, and send the verification mail."""
    email = email.strip().lower()
    existing = User.objects.filter(email__iexact=email).first()
    if existing is not None:
        # The caller answers as for a new address and mails the owner (send_already_registered_email),
        # so that registration does not reveal which addresses have accounts.
        raise EmailAlreadyRegistered(existing)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("该用户名不可用，请换一个。")})
    with transaction.atomic():
        user = User(username=username, email=email, real_name=real_name, phone=phone)
        user.set_password(password)
        user.save()
        audit_record(
            actor=user,
            action="accounts.user.register",
            target=user,
            after={"username": username, "email": email},
            request=request,
        )
        transaction.on_commit(lambda: send_verification_email(user))
    return user


class EmailAlreadyRegistered(Exception):
    """Registration with an address that already has an account: answer as if it worked, tell the owner."""

    def __init__(self, user: User) -> None:
        super().__init__(user.pk)
        self.user = user


def send_already_registered_email(user: User) -> None:
    context = {
        "user": user,
        "site_name": settings.SITE_NAME,
        "login": settings.SITE_URL.rstrip("/") + reverse("accounts:login"),
        "reset": settings.SITE_URL.rstrip("/") + reverse("accounts:password_reset"),
    }
    send_mail(
        subject=_("【%(site)s】有人尝试用您的邮箱注册") % {"site": settings.SITE_NAME},
        message=render_to_string("accounts/email/already_registered.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def email_verification_token(user: User) -> str:
    return signing.TimestampSigner(salt=_VERIFY_SALT).sign(f"{user.pk}:{user.email}")


def send_verification_email(user: User) -> None:
    link = settings.SITE_URL.rstrip("/") + reverse(
        "accounts:verify_email", kwargs={"token": email_verification_token(user)}
    )
    context = {
        "user": user,
        "link": link,
        "site_name": settings.SITE_NAME,
        "hours": settings.EMAIL_VERIFICATION_MAX_AGE_HOURS,
    }
    send_mail(
        subject=_("【%(site)s】请验证您的邮箱") % {"site": settings.SITE_NAME},
        message=render_to_string("accounts/email/verify_email.txt", context),
        from_email=None,
        recipient_list=[user.email],
    )


def user_verify_email(*, token: str) -> User:
    """Mark the e-mail verified. Raises ValidationError with a message a person understands."""
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE_HOURS * 3600
    try:
        value = signing.TimestampSigner(salt=_VERIFY_SALT).unsign(token, max_age=max_age)
    except signing.SignatureExpired as exc:
        raise ValidationError(_("验证链接已过期，请登录后重新发送验证邮件。")) from exc
    except signing.BadSignature as exc:
        raise ValidationError(_("验证链接无效，请检查邮件中的链接是否完整。")) from exc
    pk, _sep, email = value.partition(":")
    user = User.objects.filter(pk=pk, email=email).first()
    if user is None:
        raise ValidationError(_("验证链接对应的账户不存在或邮箱已更改。"))
    if user.email_verified_at is None:
        with transaction.atomic():
            user.email_verified_at = timezone.now()
            user.save(update_fields=["email_verified_at", "updated_at"])
            audit_record(actor=user, action="accounts.user.verify_email", target=user)
    return user


@dataclass
class LoginResult:
    user: User | None
    error: str = ""


def login_failed_message() -> str:
    """The one answer for a wrong password, an unknown account and a locked account alike, so that
    nobody learns from it whether an account exists or is locked."""
    return _(
        "用户名或密码错误。连续输错 %(n)d 次后，需等待 %(m)d 分钟才能从同一地址再次登录，也可以找回密码。"
    ) % {"n": settings.LOGIN_MAX_FAILURES, "m": settings.LOGIN_LOCKOUT_MINUTES}


def user_login_attempt(*, request: HttpRequest, username: str, password: str) -> LoginResult:
    """Check credentials with per-IP rate limiting and a lockout per account and client address."""
    ip = client_ip(request) or "unknown"
    if not hit(f"login-ip:{ip}", limit=settings.LOGIN_RATE_PER_IP, window_seconds=60):
        return LoginResult(None, _("登录尝试过于频繁，请一分钟后再试。"))
    key = username.strip()
    account = (
        User.objects.filter(username__iexact=key).first() or User.objects.filter(email__iexact=key).first()
    )
    now = timezone.now()
    failure = LoginFailure.objects.filter(user=account, ip_address=ip).first() if account else None
    # Always check the password (also while locked) so that the answer takes the same time either way.
    user = authenticate(request, username=account.username if account else key, password=password)
    locked = account is not None and (
        account.is_locked(now) or (failure is not None and failure.is_locked(now))
    )
    if locked:
        return LoginResult(None, login_failed_message())
    if user is None:
        if account is not None:
            _register_failure(account, ip, request)
        return LoginResult(None, login_failed_message())
    assert isinstance(user, User)
    if not user.email_verified:
        return LoginResult(None, _("邮箱尚未验证：请点击注册邮件中的链接完成验证。"))
    if failure is not None:
        LoginFailure.objects.filter(pk=failure.pk).delete()
    return LoginResult(user)


def _register_failure(account: User, ip: str, request: HttpRequest) -> None:
    with transaction.atomic():
        failure, _created = LoginFailure.objects.select_for_update().get_or_create(
            user=account, ip_address=ip
        )
        failure.failures += 1
        if failure.failures >= settings.LOGIN_MAX_FAILURES:
            failure.locked_until = timezone.now() + timedelta(minutes=settings.LOGIN_LOCKOUT_MINUTES)
            failure.failures = 0
            audit_record(
                actor=None,
                action="accounts.user.lock",
                target=account,
                note=_("连续登录失败，该地址对此账户的登录锁定 %(m)d 分钟")
                % {"m": settings.LOGIN_LOCKOUT_MINUTES},
                request=request,
            )
        failure.save()


def login_failures_clear(*, user: User) -> None:
    """After a password reset every address may try again."""
    LoginFailure.objects.filter(user=user).delete()
    if user.locked_until is not None:
        User.objects.filter(pk=user.pk).update(locked_until=None)
        user.locked_until = None


def api_token_create(
    *, user: User, name: str, expires_in_days: int | None = None, scopes: list[str] | None = None
) -> tuple[ApiToken, str]:
    """Create a token; returns it and the secret, which is never stored and shown only once.

    Every token expires (API_TOKEN_DEFAULT_DAYS unless asked, at most API_TOKEN_MAX_DAYS) and has
    scopes: "read" (GET) by default, "write" for everything else."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("请为令牌起一个名称，例如“数据同步脚本”。")})
    days = expires_in_days or settings.API_TOKEN_DEFAULT_DAYS
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            {"expires_in_days": _("有效期应在 1–%(n)d 天之间。") % {"n": settings.API_TOKEN_MAX_DAYS}}
        )
    scopes = sorted(set(scopes or [ApiToken.READ]))
    known = {value for value, _label in ApiToken.SCOPES}
    if not set(scopes) <= known:
        raise ValidationError({"scopes": _("权限范围只能是 read 或 write。")})
    if ApiToken.WRITE in scopes and ApiToken.READ not in scopes:
        scopes = [ApiToken.READ, ApiToken.WRITE]
    if user.api_tokens.filter(revoked_at__isnull=True).count() >= 20:
        raise ValidationError({"name": _("有效令牌最多 20 个，请先吊销不用的令牌。")})
    secret = ApiToken.PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name[:64],
            key_prefix=secret[:10],
            key_hash=ApiToken.hash_key(secret),
            expires_at=timezone.now() + timedelta(days=days),
            scopes=scopes,
        )
        audit_record(
            actor=user,
            action="accounts.api_token.create",
            target=token,
            after={
                "name": token.name,
                "key_prefix": token.key_prefix,
                "scopes": scopes,
                "expires_at": token.expires_at,
            },
        )
    return token, secret


def api_token_revoke(*, token: ApiToken, acting_user: User) -> ApiToken:
    if token.user_id != acting_user.pk:
        raise ValidationError(_("只能吊销自己的令牌。"))
    if token.revoked_at is None:
        with transaction.atomic():
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(actor=acting_user, action="accounts.api_token.revoke", target=token)
    return token


def api_token_lookup(secret: str) -> ApiToken | None:
    """The active token for a secret (with its user), or None."""
    if not secret or not secret.startswith(ApiToken.PREFIX):
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=ApiToken.hash_key(secret)).first()
    if token is None or not token.is_active or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def api_token_authenticate(secret: str) -> User | None:
    token = api_token_lookup(secret)
    return token.user if token is not None else None
