from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from techmarket.analytics import reports
from techmarket.analytics.models import Report
from techmarket.analytics.periods import Month


class Command(BaseCommand):
    help = "生成统计报告（PDF + xlsx）：--due 生成上月应有而尚未生成的报告；或指定 --kind 与 --month。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--due", action="store_true", help="生成到期未生成的报告（计划任务同样调用）")
        parser.add_argument("--kind", choices=Report.Kind.values, default=Report.Kind.MONTH)
        parser.add_argument("--month", help="报告期内的任一月份，YYYY-MM；默认上月")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["due"]:
            wanted = reports.due_reports()
        else:
            try:
                month = Month.parse(options["month"]) if options["month"] else Month.current().shift(-1)
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
            wanted = [(options["kind"], month)]
        for kind, month in wanted:
            report = reports.generate(kind=kind, month=month)
            self.stdout.write(f"已生成：{report.title}（{report.pdf.name}）")
        if not wanted:
            self.stdout.write("没有到期未生成的报告。")
