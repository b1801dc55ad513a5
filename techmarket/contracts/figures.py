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


# The bureau's dashboard (analytics.indicators). Region: the buyer's (where the technology is absorbed);
# chain: the engagement's need. Amounts in 万元.
def _register_indicators() -> None:
    from django.db.models import CharField, OuterRef, Subquery
    from django.utils.translation import gettext_lazy as _

    from techmarket.analytics.indicators import Group, Indicator, register, register_group

    def with_buyer_region(qs: Any) -> Any:
        buyer = ContractParty.objects.filter(contract=OuterRef("pk"), role=ContractParty.Role.BUYER)
        return qs.annotate(buyer_region=Subquery(buyer.values("region_id")[:1], output_field=CharField()))

    def recorded() -> Any:
        return with_buyer_region(TechContract.objects.unscoped().exclude(status=TechContract.Status.REFUSED))

    def registered() -> Any:
        return with_buyer_region(
            TechContract.objects.unscoped().filter(
                status=TechContract.Status.REGISTERED, registered_on__isnull=False
            )
        )

    register_group(Group("contracts", _("技术合同"), 25))
    shared: dict[str, Any] = {
        "group": "contracts",
        "region_field": "buyer_region",
        "industry_field": "industry__code",
        "chain_node_field": "engagement__need__chain_node",
    }
    register(
        Indicator(
            "contracts.signed", _("签订技术合同"), _("项"), recorded, "signed_on", order=10, funnel=5,
            help=_("期间内签订并在平台录入的技术合同（不含不予登记的）"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.registered", _("认定登记技术合同"), _("项"), registered, "registered_on", order=11, funnel=6,
            help=_("期间内完成认定登记的技术合同"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.amount", _("技术合同成交额"), _("万元"), registered, "registered_on", order=12,
            sum_field="total_amount", scale=10000, help=_("期间内登记的技术合同的合同成交额"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.technical_amount", _("技术交易额"), _("万元"), registered, "registered_on", order=13,
            sum_field="technical_amount", scale=10000,
            help=_("成交额扣除非技术性费用后的技术交易额（期间内登记的合同）"), **shared,
        )
    )  # fmt: skip


_register_indicators()


def notable_contracts(period: Any, limit: int = 5) -> list[str]:
    """The largest contracts registered in the period, for the bureau's reports (重要事项)."""
    start, end = period.bounds(dates=True)
    rows = (
        TechContract.objects.unscoped()
        .filter(status=TechContract.Status.REGISTERED, registered_on__gte=start, registered_on__lt=end)
        .select_related("contract_type")
        .prefetch_related("parties")
        .order_by("-total_amount", "pk")[:limit]
    )
    out = []
    for c in rows:
        names = {p.role: p.name for p in c.parties.all()}
        out.append(
            f"{names.get(ContractParty.Role.SELLER, '—')}与{names.get(ContractParty.Role.BUYER, '—')}"
            f"签订{c.contract_type.type_name}合同《{c.title}》，成交额 {c.total_amount / 10000:.2f} 万元，"
            f"技术交易额 {c.technical_amount / 10000:.2f} 万元（登记编号 {c.registration_number}）。"
        )
    return out


def _register_highlights() -> None:
    from techmarket.analytics.indicators import register_highlights

    register_highlights(notable_contracts)


_register_highlights()
