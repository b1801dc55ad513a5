"""Users and their personal API tokens."""

import datetime
import hashlib
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from techmarket.core.crypto import EncryptedCharField, field_digest


class User(AbstractUser):
    """A person using the platform. Roles come from organisation memberships (see accounts.roles)."""

    email = models.EmailField(_("电子邮箱"), unique=True)
    real_name = models.CharField(_("姓名"), max_length=64, blank=True)
    # encrypted at rest; phone_digest (keyed HMAC, techmarket.core.crypto) finds a user by exact number
    phone = EncryptedCharField(_("手机号码"), max_length=20, blank=True)
    phone_digest = models.CharField(max_length=64, blank=True, editable=False, db_index=True)
    email_verified_at = models.DateTimeField(_("邮箱验证时间"), null=True, blank=True)
    # Set by an operator to suspend logins until then; failed logins lock per address (LoginFailure).
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        ordering = ["username"]
        verbose_name = _("用户")
        verbose_name_plural = _("用户")

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.phone_digest = field_digest(self.phone)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "phone" in update_fields:
            kwargs["update_fields"] = {*update_fields, "phone_digest"}
        super().save(*args, **kwargs)

    def __str__(self) -> str:
        return self.real_name or self.username

    def set_password(self, raw_password: str | None) -> None:
        # Stamped here because every path (registration, reset, change, admin) goes through it.
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    @property
    def display_name(self) -> str:
        return self.real_name or self.username

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    def is_locked(self, now: datetime.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


def default_scopes() -> list[str]:
    return ["read"]


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is stored; the secret is shown once."""

    PREFIX = "tm_"
    READ, WRITE = "read", "write"
    SCOPES = ((READ, _("读取")), (WRITE, _("写入")))

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("名称"), max_length=64)
    key_prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    key_hash = models.CharField(_("摘要"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    expires_at = models.DateTimeField(_("过期时间"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    # "read" allows GET/HEAD/OPTIONS; "write" adds every other method.
    scopes = models.JSONField(_("权限范围"), default=default_scopes)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API 令牌")
        verbose_name_plural = _("API 令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode("utf-8")).hexdigest()

    def allows(self, method: str) -> bool:
        if method.upper() in {"GET", "HEAD", "OPTIONS"}:
            return self.READ in self.scopes
        return self.WRITE in self.scopes

    @property
    def is_active(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


class LoginFailure(models.Model):
    """Consecutive failed logins of one account from one client address.

    Locking per account *and* address means an outsider who guesses wrong five times locks only
    themselves out: the owner still logs in from their own address. Kept in the database, so the
    lockout holds while the cache is down and is shared by every web node."""

    user = models.ForeignKey(
        User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="login_failures"
    )
    ip_address = models.CharField(_("IP 地址"), max_length=64)
    failures = models.PositiveIntegerField(_("连续失败次数"), default=0)
    locked_until = models.DateTimeField(_("锁定至"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("登录失败记录")
        verbose_name_plural = _("登录失败记录")
        constraints = [models.UniqueConstraint(fields=["user", "ip_address"], name="login_failure_user_ip")]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.ip_address}: {self.failures}"

    def is_locked(self, now: datetime.datetime | None = None) -> bool:
        return self.locked_until is not None and self.locked_until > (now or timezone.now())


class UserSession(models.Model):
    """One logged-in browser session, so that a person can see where they are logged in and end a session."""

    user = models.ForeignKey(User, verbose_name=_("用户"), on_delete=models.CASCADE, related_name="sessions")
    session_key = models.CharField(_("会话"), max_length=40, unique=True)
    ip_address = models.CharField(_("IP 地址"), max_length=64, blank=True)
    user_agent = models.CharField(_("浏览器"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登录时间"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("最近活动"), default=timezone.now)

    class Meta:
        ordering = ["-last_seen_at"]
        verbose_name = _("登录会话")
        verbose_name_plural = _("登录会话")

    def __str__(self) -> str:
        return f"{self.user_id} {self.ip_address} {self.created_at:%Y-%m-%d %H:%M}"
