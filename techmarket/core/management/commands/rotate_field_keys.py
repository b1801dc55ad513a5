"""Re-encrypt every encrypted field with the newest key of FIELD_ENCRYPTION_KEYS (see techmarket/core/crypto.py).

Rotation: 1. put the new key first in FIELD_ENCRYPTION_KEYS (keep the old ones after it) and restart;
2. ``manage.py rotate_field_keys``; 3. ``manage.py rotate_field_keys --check`` says 0 rows left;
4. remove the old keys and restart. Safe to run again (a row already on the newest key is re-encrypted
with it). Digest columns (FIELD_HASH_KEY) are recomputed on the way.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from techmarket.audit.services import audit_record
from techmarket.core import crypto

CHUNK = 500


def _raw_values(model: Any, fields: list[Any]) -> list[tuple[Any, ...]]:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in [model._meta.pk, *fields])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table}")  # noqa: S608 - quoted model metadata
        return list(cursor.fetchall())


def rows_not_on_newest_key() -> dict[str, int]:
    """Per model, how many rows hold a value the newest key alone cannot read (old key or plaintext)."""
    counts = {}
    for model, fields in crypto.models_with_encrypted_fields():
        stale = sum(
            1
            for row in _raw_values(model, fields)
            if not all(value is None or crypto.on_newest_key(value) for value in row[1:])
        )
        counts[model._meta.label] = stale
    return counts


def rotate() -> dict[str, int]:
    done = {}
    for model, fields in crypto.models_with_encrypted_fields():
        names = [f.attname for f in fields]
        digests = (
            {"phone_digest": "phone"} if any(f.name == "phone_digest" for f in model._meta.fields) else {}
        )
        manager = model._base_manager
        count = 0
        pks = list(manager.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(pks), CHUNK):
            with transaction.atomic():
                chunk = pks[start : start + CHUNK]
                for pk, *values in manager.filter(pk__in=chunk).select_for_update().values_list("pk", *names):
                    changes: dict[str, Any] = {
                        n: v for n, v in zip(names, values, strict=True) if v is not None
                    }
                    for digest, source in digests.items():
                        changes[digest] = crypto.field_digest(changes.get(source, ""))
                    manager.filter(pk=pk).update(**changes)
                    count += 1
        done[model._meta.label] = count
    return done


class Command(BaseCommand):
    help = "用最新密钥（FIELD_ENCRYPTION_KEYS 的第一个）重新加密所有加密字段；--check 只统计尚未用最新密钥加密的行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--check", action="store_true", help="只检查，不修改；有未轮换的行时以状态 1 退出"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["check"]:
            counts = rows_not_on_newest_key()
            for label, stale in counts.items():
                self.stdout.write(f"{label}: {stale} 行尚未使用最新密钥")
            if any(counts.values()):
                raise CommandError(
                    "仍有数据未使用最新密钥加密：请先运行 manage.py rotate_field_keys，再移除旧密钥。"
                )
            self.stdout.write("全部加密字段均已使用最新密钥。")
            return
        done = rotate()
        with transaction.atomic():
            audit_record(actor=None, action="core.field_keys.rotate", after={"rows": done})
        for label, count in done.items():
            self.stdout.write(f"{label}: 已重新加密 {count} 行")
