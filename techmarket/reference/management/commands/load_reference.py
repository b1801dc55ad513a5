from django.core.management.base import BaseCommand
from django.db import transaction

from techmarket.reference.loader import load_reference_data


class Command(BaseCommand):
    help = "加载或更新国家标准代码表（行政区划、行业、学科、技术成熟度）。可重复执行。"

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            counts = load_reference_data()
        self.stdout.write(
            self.style.SUCCESS("参考代码已加载：" + "，".join(f"{k} 新增 {v}" for k, v in counts.items()))
        )
