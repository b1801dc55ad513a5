from typing import Any

from django.core.management.base import BaseCommand

from techmarket.workflow.services import workflow_periodic


class Command(BaseCommand):
    help = "提醒所有流程中超期未办的事项（超过宽限期再通知平台运营），并检查明年节假日数据。可由 cron 每小时运行。"

    def handle(self, *args: Any, **options: Any) -> None:
        counts = workflow_periodic()
        self.stdout.write(
            "超期 %(overdue)d 项；新提醒 %(reminded)d 条；通知运营 %(escalated)d 条；"
            "节假日数据提醒 %(calendar_warnings)d 条" % counts
        )
