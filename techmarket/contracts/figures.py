"""The figures a bureau reports every month: count, 成交额 and 技术交易额 by period, region, industry,
type, buyer kind and seller kind, and the share that stays in the region (本地转化).

Computed over the contracts the user may see (the selector), registered ones by default, counted by the
registration date (signing date for unregistered ones). Region: the buyer's prefecture (where the
technology is absorbed); industry: the contract's 应用行业 at 门类 level.
本地转化 = 技术交易额 of contracts whose seller AND buyer are in the platform region
           ÷ 技术交易额 of contracts whose seller is in the platform region.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import QuerySet

from techmarket.orgs.models import Organization
from techmarket.reference.models import Industry, Region

from .models import ContractParty, TechContract

ZERO = Decimal("0.00")
PERIODS = ("month", "quarter", "year")


@dataclass
class Row:
    key: str
    label: str
    count: int = 0
    total: Decimal = ZERO
    technical: Decimal = ZERO


@dataclass
class Figures:
    count: int = 0
    total: Decimal = ZERO
    technical: Decimal = ZERO
    local_technical: Decimal = ZERO
    regional_seller_technical: Decimal = ZERO
    by: dict[str, list[Row]] = field(default_factory=dict)

    @property
    def local_share(self) -> Decimal | None:
        if not self.regional_seller_technical:
            return None
        return (self.local_technical / self.regional_seller_technical * 100).quantize(Decimal("0.1"))


def period_key(day: date, period: str) -> str:
    if period == "year":
        return f"{day.year}"
    if period == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def in_home_region(region_code: str | None) -> bool:
    return bool(region_code) and any(
        str(region_code).startswith(p) for p in settings.PLATFORM_REGION_PREFIXES
    )


def prefecture_code(region_code: str | None) -> str:
    return f"{region_code[:4]}00" if region_code else ""


def compute(contracts: QuerySet[TechContract], *, period: str = "month") -> Figures:
    """One pass over the contracts (two queries); sums are Decimal."""
    period = period if period in PERIODS else "month"
    rows = list(
        contracts.order_by().values(
            "pk",
            "status",
            "signed_on",
            "registered_on",
            "total_amount",
            "technical_amount",
            "contract_type__type_name",
            "industry__section",
        )
    )
    parties: dict[int, dict[str, tuple[str, str | None]]] = defaultdict(dict)
    for contract_id, role, kind, region_id in ContractParty.objects.filter(
        contract_id__in=[r["pk"] for r in rows]
    ).values_list("contract_id", "role", "kind", "region_id"):
        parties[contract_id].setdefault(role, (kind, region_id))
    kinds = dict(Organization.Kind.choices)
    out = Figures()
    groups: dict[str, dict[str, Row]] = {
        d: {} for d in ("period", "region", "industry", "type", "buyer_kind", "seller_kind")
    }

    def add(dim: str, key: str, r: Any) -> None:
        row = groups[dim].setdefault(key, Row(key=key, label=key))
        row.count += 1
        row.total += r["total_amount"]
        row.technical += r["technical_amount"]

    for r in rows:
        buyer_kind, buyer_region = parties[r["pk"]].get(ContractParty.Role.BUYER, ("", None))
        seller_kind, seller_region = parties[r["pk"]].get(ContractParty.Role.SELLER, ("", None))
        out.count += 1
        out.total += r["total_amount"]
        out.technical += r["technical_amount"]
        add("period", period_key(r["registered_on"] or r["signed_on"], period), r)
        add("region", prefecture_code(buyer_region), r)
        add("industry", r["industry__section"] or "", r)
        add("type", r["contract_type__type_name"], r)
        add("buyer_kind", buyer_kind, r)
        add("seller_kind", seller_kind, r)
        if in_home_region(seller_region):
            out.regional_seller_technical += r["technical_amount"]
            if in_home_region(buyer_region):
                out.local_technical += r["technical_amount"]
    names: dict[str, dict[Any, Any]] = {
        "region": _region_names(list(groups["region"])),
        "industry": dict(
            Industry.objects.filter(code__in=list(groups["industry"])).values_list("code", "name")
        ),
        "buyer_kind": kinds,
        "seller_kind": kinds,
    }
    for dim, found in groups.items():
        for row in found.values():
            row.label = str(names.get(dim, {}).get(row.key, row.key)) or "未填写"
        ordered: Iterable[Row] = (
            sorted(found.values(), key=lambda x: x.key)
            if dim == "period"
            else sorted(found.values(), key=lambda x: (-x.technical, x.key))
        )
        out.by[dim] = list(ordered)
    return out


def _region_names(codes: list[str]) -> dict[str, str]:
    """Prefecture names; municipalities (北京 110108 → 110100 is not a row) fall back to the province."""
    wanted = {c for c in codes if c} | {f"{c[:2]}0000" for c in codes if c}
    names = dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))
    return {c: names.get(c) or names.get(f"{c[:2]}0000", c) for c in codes if c}


def figures_queryset(
    visible: QuerySet[TechContract],
    *,
    registered_only: bool = True,
    start: date | None = None,
    end: date | None = None,
) -> QuerySet[TechContract]:
    qs = visible
    if registered_only:
        qs = qs.filter(status=TechContract.Status.REGISTERED)
        if start:
            qs = qs.filter(registered_on__gte=start)
        if end:
            qs = qs.filter(registered_on__lte=end)
    else:
        if start:
            qs = qs.filter(signed_on__gte=start)
        if end:
            qs = qs.filter(signed_on__lte=end)
    return qs
