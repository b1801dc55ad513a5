"""Load mix for bench.load (locust): anonymous visitors browsing the catalogue and the matching panel.

    locust -f bench/locustfile.py --host http://127.0.0.1:8117 --headless -u 50 -r 10 -t 60s

BENCH_ACHIEVEMENTS="first,last" and BENCH_NEEDS="first,last" give the primary-key ranges to visit
(bench.load sets them). Each request is named by its page kind; the weights are a guessed realistic
mix (lists and search dominate, detail pages and the matching panel follow).
"""

import os
import random

from locust import HttpUser, between, task

QUERIES = [
    "锂电池",
    "催化剂",
    "复合材料",
    "图像识别",
    "污水处理",
    "纳米",
    "传感器",
    "阻燃",
    "中药",
    "土壤",
    "深度学习",
    "涂层",
    "光伏",
    "发酵",
]


def _range(name: str) -> tuple[int, int]:
    first, last = (int(v) for v in os.environ.get(name, "1,1").split(","))
    return first, last


class Visitor(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.achievements = _range("BENCH_ACHIEVEMENTS")
        self.needs = _range("BENCH_NEEDS")

    @task(2)
    def home(self) -> None:
        self.client.get("/", name="home")

    @task(3)
    def achievement_list_filtered(self) -> None:
        trl = random.choice([4, 5, 6, 7])
        self.client.get(
            f"/achievements/?trl_min={trl}&stage=pilot&region=371300", name="achievement_list_filtered"
        )

    @task(3)
    def keyword_search(self) -> None:
        self.client.get(f"/achievements/?q={random.choice(QUERIES)}", name="keyword_search")

    @task(2)
    def achievement_detail(self) -> None:
        self.client.get(f"/achievements/{random.randint(*self.achievements)}/", name="achievement_detail")

    @task(2)
    def matching_panel(self) -> None:
        self.client.get(f"/matching/suggestions/need/{random.randint(*self.needs)}/", name="matching_panel")

    @task(1)
    def api_list(self) -> None:
        self.client.get(f"/api/achievements?page_size=20&q={random.choice(QUERIES)}", name="api_keyword")
