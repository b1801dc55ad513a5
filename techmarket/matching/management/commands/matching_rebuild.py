"""Rebuild the matching index from the catalogue, with a progress bar on stderr."""

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand

from techmarket.matching import services


class Command(BaseCommand):
    help = "重建匹配索引（技术需求、科技成果、专家）。Rebuild the matching index from every listed item."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            width = 30
            filled = width * done // max(total, 1)
            sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
            sys.stderr.flush()

        result = services.rebuild_index(progress)
        sys.stderr.write("\n")
        kinds = "，".join(f"{k} {n}" for k, n in result["kinds"].items()) or "0"
        self.stdout.write(
            f"索引已重建：{result['documents']} 条（{kinds}），版本 {result['generation']}，"
            f"用时 {time.monotonic() - started:.1f} 秒"
        )
