"""Send the outbox's due messages now (cron alternative to celery beat; safe to run at any time)."""

from typing import Any

from django.core.management.base import BaseCommand

from techmarket.outbox.services import outbox_dispatch_due


class Command(BaseCommand):
    help = "Send pending follow-up tasks (transactional outbox) whose time has come."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(outbox_dispatch_due()))
