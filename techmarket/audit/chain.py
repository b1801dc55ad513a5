"""The hash chain over audit records.

record_hash = SHA-256(prev_hash + canonical JSON of the record's content). The content leaves out the
foreign keys that the database may set to NULL when a user or content type is deleted (the actor's
user name and the target's label are in the content instead), so deleting an account never breaks
the chain, while any edit of a stored record, a removed record or a reordering does.
"""

import datetime
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from .models import AuditLog

GENESIS = "0" * 64


def content(log: AuditLog) -> dict[str, Any]:
    return {
        "created_at": timezone.localtime(log.created_at, datetime.UTC).isoformat(timespec="microseconds"),
        "actor": log.actor_label,
        "action": log.action,
        "target_id": log.target_id,
        "target": log.target_label,
        "before": log.before,
        "after": log.after,
        "note": log.note,
        "ip": log.ip_address or "",
    }


def compute_hash(log: AuditLog, prev_hash: str) -> str:
    body = json.dumps(content(log), ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


@dataclass
class Break:
    record_id: int
    reason: str


def verify(queryset: Any = None) -> Iterator[Break]:
    """Walk the chain in id order and yield every place where it does not hold.

    The first remaining record may follow purged ones: its prev_hash is taken as given."""
    records = (queryset if queryset is not None else AuditLog.objects.all()).order_by("id")
    expected_prev = None
    for log in records.iterator(chunk_size=2000):
        if expected_prev is not None and log.prev_hash != expected_prev:
            yield Break(log.pk, "prev_hash 与上一条记录的摘要不一致（记录被删除、插入或重排）")
        if compute_hash(log, log.prev_hash) != log.record_hash:
            yield Break(log.pk, "内容与摘要不符（记录被修改）")
        expected_prev = log.record_hash
