"""Recompute the audit hash chain; exit status 1 and the broken records when it does not hold."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from techmarket.audit.chain import verify
from techmarket.audit.models import AuditLog


class Command(BaseCommand):
    help = "校验审计日志的哈希链：任何记录被修改、删除、插入或重排都会被发现。"

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = list(verify())
        for item in breaks[:50]:
            self.stderr.write(f"审计记录 #{item.record_id}：{item.reason}")
        if breaks:
            raise CommandError(f"审计链校验失败：{len(breaks)} 处不一致。")
        self.stdout.write(self.style.SUCCESS(f"审计链完整：共 {AuditLog.objects.count()} 条记录。"))
