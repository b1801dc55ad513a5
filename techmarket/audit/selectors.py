from datetime import date
from typing import Any

from django.db.models import QuerySet

from techmarket.accounts import roles

from .models import AuditLog


def audit_log_list(
    user: Any,
    *,
    actor: str = "",
    action: str = "",
    target_type: str = "",
    target_id: str = "",
    date_from: date | None = None,
    date_to: date | None = None,
) -> QuerySet[AuditLog]:
    """The audit log for operators, newest first; nobody else reads it."""
    if not roles.is_operator(user):
        return AuditLog.objects.none()
    qs = AuditLog.objects.select_related("target_type")
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if action:
        qs = qs.filter(action__startswith=action)
    if target_type:
        qs = qs.filter(target_type__model=target_type)
    if target_id:
        qs = qs.filter(target_id=target_id)
    if date_from:
        qs = qs.filter(created_at__date__gte=date_from)
    if date_to:
        qs = qs.filter(created_at__date__lte=date_to)
    return qs
