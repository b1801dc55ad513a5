"""The deterministic demo-data generator. Later features add their builders to STEPS."""

from collections.abc import Callable

from django.db import transaction

from .builders import (
    achievements,
    chains,
    challenges,
    contracts,
    engagements,
    events,
    experts,
    facilities,
    finance,
    history,
    needs,
    orgs,
    policies,
    vouchers,
)
from .context import DemoContext

DEFAULT_SEED = 20261125
DEFAULT_PASSWORD = "demo-2026"  # noqa: S105 - demo accounts only; printed by `make run`

STEPS: list[tuple[str, Callable[[DemoContext], None]]] = [
    ("产业链", chains.build),
    ("机构与账户", orgs.build),
    ("技术需求", needs.build),
    ("专家人才", experts.build),
    ("科技成果", achievements.build),
    ("两年统计历史", history.build),
    ("对接项目", engagements.build),
    ("对接活动", events.build),
    ("技术合同", contracts.build),
    ("揭榜挂帅", challenges.build),
    ("概念验证与中试", facilities.build),
    ("金融服务", finance.build),
    ("政策直达", policies.build),
    ("创新券与投融资", vouchers.build),
]


def generate(
    *,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    progress: Callable[[str], None] = lambda _msg: None,
) -> DemoContext:
    ctx = DemoContext(seed=seed, password=password)
    with transaction.atomic():
        for label, step in STEPS:
            progress(label)
            step(ctx)
        # The history is written in bulk without audit records: the dashboards' facts start afresh.
        from techmarket.analytics import facts

        facts.invalidate_all()
    return ctx
