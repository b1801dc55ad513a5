"""Contract columns of the broker performance page (techmarket.engagements.performance.EXTRA_COLUMNS)."""

from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from .models import TechContract

TEN_THOUSAND = Decimal(10000)


def _sums(engagement_ids: list[int]) -> dict[int, tuple[int, Decimal, Decimal]]:
    """Per engagement: contracts that are not refused, their total and technical amounts (万元)."""
    out: dict[int, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    rows = (
        TechContract.objects.unscoped()
        .filter(engagement_id__in=engagement_ids)
        .exclude(status=TechContract.Status.REFUSED)
        .values_list("engagement_id", "total_amount", "technical_amount")
    )
    for engagement_id, total, technical in rows:
        entry = out[engagement_id]
        entry[0] += 1
        entry[1] += total / TEN_THOUSAND
        entry[2] += technical / TEN_THOUSAND
    return {k: (v[0], v[1].quantize(Decimal("0.01")), v[2].quantize(Decimal("0.01"))) for k, v in out.items()}


def contract_count(engagement_ids: list[int]) -> dict[int, int]:
    return {k: v[0] for k, v in _sums(engagement_ids).items()}


# Amounts for every engagement, 0.00 without a contract: a broker without contracts reads "0.00" in the
# 万元 columns like the others, not "0".
ZERO = Decimal("0.00")


def contract_total(engagement_ids: list[int]) -> dict[int, Decimal]:
    sums = _sums(engagement_ids)
    return {pk: sums[pk][1] if pk in sums else ZERO for pk in engagement_ids}


def contract_technical(engagement_ids: list[int]) -> dict[int, Decimal]:
    sums = _sums(engagement_ids)
    return {pk: sums[pk][2] if pk in sums else ZERO for pk in engagement_ids}


COLUMNS: list[tuple[Any, Callable[[list[int]], dict[int, Any]]]] = [
    (_("合同数"), contract_count),
    (_("合同成交额（万元）"), contract_total),
    (_("技术交易额（万元）"), contract_technical),
]


def register_columns() -> None:
    from techmarket.engagements.performance import EXTRA_COLUMNS

    for column in COLUMNS:
        if column not in EXTRA_COLUMNS:
            EXTRA_COLUMNS.append(column)
