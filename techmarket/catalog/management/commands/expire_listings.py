from django.core.management.base import BaseCommand

from techmarket.catalog.expiry import listings_expire, listings_remind_expiring


class Command(BaseCommand):
    help = "下架已到期的需求和成果，并提醒即将到期条目的所有者（Celery beat 每小时也会执行）。"

    def handle(self, *args: object, **options: object) -> None:
        expired, reminded = listings_expire(), listings_remind_expiring()
        self.stdout.write(self.style.SUCCESS(f"已下架 {expired} 条；发送到期提醒 {reminded} 条。"))
