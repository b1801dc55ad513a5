"""The embedded default's background worker: static token table, then every item's passage embedding.

`make run` starts it beside the web server. It loops: one pass of whatever is missing
(techmarket.matching.embedding.run_pending), then a short sleep; new and changed items are picked up on
the next pass. In production Celery runs the same pass (task embed_pending) instead.
"""

import signal
import time
from typing import Any

from django.core.management.base import BaseCommand

from techmarket.matching import embedding


class Command(BaseCommand):
    help = "后台计算语义向量（静态向量表与全模型段落向量）。Background embedding worker."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--once", action="store_true", help="只运行一遍 / one pass, then exit")
        parser.add_argument(
            "--interval", type=float, default=3.0, help="两遍之间的秒数 / seconds between passes"
        )

    def handle(self, *args: Any, once: bool, interval: float, **options: Any) -> None:
        stop = {"now": False}

        def on_signal(signum: int, frame: Any) -> None:
            stop["now"] = True

        signal.signal(signal.SIGTERM, on_signal)
        signal.signal(signal.SIGINT, on_signal)
        while True:
            result = embedding.run_pending(should_stop=lambda: stop["now"])
            if once or stop["now"] or not result.get("dense"):
                if not result.get("dense"):
                    self.stdout.write("MATCHING_DENSE 未开启：后台语义向量不运行。")
                break
            for _ in range(int(max(interval, 0.1) * 10)):
                if stop["now"]:
                    break
                time.sleep(0.1)
            if stop["now"]:
                break
