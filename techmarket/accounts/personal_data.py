"""Personal data under PIPL: a person downloads what the platform holds about them, and deletes the account.

Deletion erases the person's identifying data at once (name, e-mail, phone, the linked expert profile's
contact details), ends every session and token and disables the account. Audit records keep the user
name they were written with: the law requires keeping them (网络安全法 art. 21, AUDIT_RETENTION_DAYS).
"""

from typing import Any

from django.db import transaction
from django.utils import timezone

from techmarket.audit.models import AuditLog
from techmarket.audit.services import _jsonable, audit_record

from .models import User, UserSession
from .sessions import _store

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
    from techmarket.experts.models import Expert

    with transaction.atomic():
        audit_record(
            actor=user,
            action="accounts.user.delete",
            target=user,
            request=request,
            note="本人申请删除个人信息",
        )
        for session in UserSession.objects.filter(user=user):
            _store(session.session_key).delete()
        UserSession.objects.filter(user=user).delete()
        user.api_tokens.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        Expert.objects.unscoped().filter(user=user).update(email="", phone="", user=None)
        user.memberships.all().delete()
        user.username = f"deleted-{user.pk}"
        user.email = f"deleted-{user.pk}@invalid"
        user.real_name = user.phone = user.first_name = user.last_name = ""
        user.is_active = False
        user.set_unusable_password()
        user.save()
