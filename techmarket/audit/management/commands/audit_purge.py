"""Delete audit records older than AUDIT_RETENTION_DAYS (at least 183 days, 网络安全法 art. 21)."""

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from techmarket.audit.models import AuditLog
from techmarket.audit.services import audit_record

MINIMUM_DAYS = 183


class Command(BaseCommand):
    help = "按保存期限（AUDIT_RETENTION_DAYS，至少 183 天）删除过期的审计记录，并记录这次清理。"

    def handle(self, *args: Any, **options: Any) -> None:
        days = max(MINIMUM_DAYS, settings.AUDIT_RETENTION_DAYS)
        cutoff = timezone.now() - timedelta(days=days)
        with transaction.atomic():
            old = AuditLog.objects.filter(created_at__lt=cutoff)
            last = old.order_by("-id").first()
            count, _detail = old.purge_before(cutoff)
            if count:
                audit_record(
                    actor=None,
                    action="audit.log.purge",
                    after={
                        "before": cutoff,
                        "rows": count,
                        "last_purged_hash": last.record_hash if last else "",
                    },
                    note=f"保存期限 {days} 天",
                )
        self.stdout.write(f"已删除 {count} 条早于 {cutoff:%Y-%m-%d} 的审计记录。")
