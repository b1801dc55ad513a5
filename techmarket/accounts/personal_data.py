"""Personal data under PIPL: a person downloads what the platform holds about them, and deletes the account.

Deletion erases the person's identifying data at once (name, e-mail, phone, the linked expert profile's
contact details), ends every session and token and disables the account. Audit records keep the user
name they were written with: the law requires keeping them (网络安全法 art. 21, AUDIT_RETENTION_DAYS).
The same erasure applies by itself to accounts unused for PERSONAL_DATA_RETENTION_DAYS.
"""

import datetime
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from techmarket.audit.models import AuditLog
from techmarket.audit.services import _jsonable, audit_record

from .models import LoginFailure, User, UserSession
from .sessions import _store

# User names (and e-mail local parts) of anonymised accounts.
ERASED_PREFIX = "deleted-"

USER_FIELDS = [
    "username",
    "real_name",
    "email",
    "phone",
    "date_joined",
    "last_login",
    "email_verified_at",
    "password_changed_at",
]


def personal_data_export(user: User) -> dict[str, Any]:
    from techmarket.experts.models import Expert
    from techmarket.notifications.models import Notification, SavedSearch

    expert = Expert.objects.unscoped().filter(user=user).first()
    return _jsonable(
        {
            "exported_at": timezone.now(),
            "account": {f: getattr(user, f) for f in USER_FIELDS},
            "memberships": [
                {"organization": m.organization.name, "role": m.role, "since": m.created_at}
                for m in user.memberships.select_related("organization")
            ],
            "expert_profile": {
                "name": expert.name,
                "title": expert.title,
                "affiliation": expert.affiliation.name,
                "email": expert.email,
                "phone": expert.phone,
                "research_fields": expert.research_fields,
                "bio": expert.bio,
            }
            if expert
            else None,
            "api_tokens": list(
                user.api_tokens.values(
                    "name", "key_prefix", "scopes", "created_at", "expires_at", "revoked_at", "last_used_at"
                )
            ),
            "sessions": list(
                UserSession.objects.filter(user=user).values(
                    "ip_address", "user_agent", "created_at", "last_seen_at"
                )
            ),
            "saved_searches": list(SavedSearch.objects.filter(user=user).values()),
            "notifications": list(
                Notification.objects.filter(user=user).values("title", "body", "created_at", "read_at")
            ),
            "activity": list(
                AuditLog.objects.filter(actor=user)
                .order_by("-id")
                .values("created_at", "action", "target_label", "ip_address")[:5000]
            ),
        }
    )


def account_delete(*, user: User, request: Any = None) -> None:
    """Erase the person's identifying data and disable the account (cannot be undone)."""
    with transaction.atomic():
        audit_record(
            actor=user,
            action="accounts.user.delete",
            target=user,
            request=request,
            note="本人申请删除个人信息",
        )
        _erase(user)


def _erase(user: User) -> None:
    from techmarket.experts.models import Expert

    for session in UserSession.objects.filter(user=user):
        _store(session.session_key).delete()
    UserSession.objects.filter(user=user).delete()
    LoginFailure.objects.filter(user=user).delete()
    user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
    Expert.objects.unscoped().filter(user=user).update(email="", phone="", user=None)
    user.memberships.all().delete()
    user.username = f"{ERASED_PREFIX}{user.pk}"
    user.email = f"{ERASED_PREFIX}{user.pk}@invalid"
    user.real_name = user.phone = user.first_name = user.last_name = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()


def personal_data_retention(*, now: datetime.datetime | None = None) -> dict[str, int]:
    """Apply PERSONAL_DATA_RETENTION_DAYS (run daily): anonymise accounts unused for that long (no login
    since, or never logged in since registering), like a deletion the person asked for, and delete login
    sessions and failed-login records older than that. Operators' accounts (staff) are left to the
    operator. Audit records are not touched: they follow AUDIT_RETENTION_DAYS (at least six months)."""
    days = settings.PERSONAL_DATA_RETENTION_DAYS
    if days <= 0:
        return {"accounts": 0, "sessions": 0, "login_failures": 0}
    cutoff = (now or timezone.now()) - datetime.timedelta(days=days)
    stale = (
        User.objects.filter(is_staff=False, is_superuser=False)
        .exclude(username__startswith=ERASED_PREFIX)
        .annotate(last_used=Coalesce("last_login", "date_joined"))
        .filter(last_used__lt=cutoff)
    )
    accounts = 0
    for user in stale.iterator():
        with transaction.atomic():
            audit_record(
                actor=None,
                action="accounts.user.delete",
                target=user,
                note=f"超过个人信息保存期限（{days} 天未使用），账户已匿名化",
            )
            _erase(user)
        accounts += 1
    with transaction.atomic():
        old_sessions = UserSession.objects.filter(last_seen_at__lt=cutoff)
        for session in old_sessions:
            _store(session.session_key).delete()
        sessions, _detail = old_sessions.delete()
        failures, _detail = LoginFailure.objects.filter(updated_at__lt=cutoff).delete()
        if accounts or sessions or failures:
            audit_record(
                actor=None,
                action="core.personal_data.retention",
                after={
                    "before": cutoff,
                    "accounts": accounts,
                    "sessions": sessions,
                    "login_failures": failures,
                },
                note=f"个人信息保存期限 {days} 天",
            )
    return {"accounts": accounts, "sessions": sessions, "login_failures": failures}
