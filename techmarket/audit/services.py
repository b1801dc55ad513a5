"""The one helper every write service calls to leave an audit record."""

import datetime
import decimal
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.http import HttpRequest
from django.utils import timezone

from techmarket.core.crypto import encrypted_fields, field_digest

from . import chain
from .models import AuditChainHead, AuditLog

# Audit actions are dotted names, "<app>.<object>.<verb>", e.g. "orgs.organization.approve".
SECRET_FIELDS = {"password", "key_hash"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple | set):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """A JSON-serialisable dict of an object's concrete fields (foreign keys as ids, secrets left out)."""
    names = list(fields) if fields is not None else [f.attname for f in obj._meta.concrete_fields]
    encrypted = {f.attname for f in encrypted_fields(type(obj))}
    return {
        name: _masked(getattr(obj, name)) if name in encrypted else _jsonable(getattr(obj, name))
        for name in names
        if name not in SECRET_FIELDS
    }


def _masked(value: Any) -> str:
    """An encrypted field in the audit log: that it changed, never what it says (a keyed digest)."""
    if not value:
        return ""
    return f"〔加密内容 {field_digest(str(value))[:12]}〕"


def client_ip(request: HttpRequest | None) -> str | None:
    """The client's address. Behind NUM_PROXIES trusted reverse proxies, the address the outermost
    trusted proxy saw (from X-Forwarded-For); never a value the client could choose itself."""
    if request is None:
        return None
    proxies = getattr(settings, "NUM_PROXIES", 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies and forwarded:
        hops = [h.strip() for h in forwarded.split(",") if h.strip()]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def audit_record(
    *,
    actor: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    note: str = "",
    request: HttpRequest | None = None,
) -> AuditLog:
    """Record one write. Call inside the service's transaction so the record and the change commit together."""
    is_user = actor is not None and getattr(actor, "is_authenticated", False)
    log = AuditLog(
        actor=actor if is_user else None,
        actor_label=(getattr(actor, "username", "") if is_user else "系统")[:150],
        action=action,
        target_type=ContentType.objects.get_for_model(target) if target is not None else None,
        target_id=str(target.pk) if target is not None else "",
        target_label=str(target)[:200] if target is not None else "",
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        note=note[:500],
        ip_address=client_ip(request),
        created_at=timezone.now(),
    )
    # Inside the caller's transaction no savepoint is needed: a failure here fails the write it records.
    with transaction.atomic(savepoint=False):
        # Lock the chain head so concurrent writers append one after the other and the chain never forks.
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:  # the first record ever (the row is created once, then only locked)
            head, _created = AuditChainHead.objects.get_or_create(pk=1)
            head = AuditChainHead.objects.select_for_update().get(pk=1)
        log.prev_hash = head.last_hash or chain.GENESIS
        log.record_hash = chain.compute_hash(log, log.prev_hash)
        log.save()
        AuditChainHead.objects.filter(pk=1).update(last_hash=log.record_hash)
        for listener in _WRITE_LISTENERS:
            listener(target)
    return log


# Called inside the write's transaction with each audited target (None for target-less records), so that what
# a listener stores commits or rolls back with the write (e.g. analytics marks its pre-aggregated figures stale).
_WRITE_LISTENERS: list[Any] = []


def register_write_listener(listener: Any) -> None:
    if listener not in _WRITE_LISTENERS:
        _WRITE_LISTENERS.append(listener)
