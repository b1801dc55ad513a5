"""Apply the personal-data retention period (PERSONAL_DATA_RETENTION_DAYS); also runs daily as a periodic task."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from techmarket.accounts.personal_data import personal_data_retention


class Command(BaseCommand):
    help = "按个人信息保存期限（PERSONAL_DATA_RETENTION_DAYS）匿名化长期未使用的账户，删除过期的登录会话和登录失败记录；审计记录不受影响。"

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PERSONAL_DATA_RETENTION_DAYS <= 0:
            self.stdout.write("PERSONAL_DATA_RETENTION_DAYS 为 0：不清理。")
            return
        done = personal_data_retention()
        self.stdout.write(
            f"已匿名化 {done['accounts']} 个账户，删除 {done['sessions']} 个登录会话、"
            f"{done['login_failures']} 条登录失败记录。"
        )
