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
from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.utils.translation import gettext

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
            row.label = str(names.get(dim, {}).get(row.key, row.key)) or gettext("未填写")
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
# chain: the engagement's need. Amounts in 万元. Each figure breaks down by type and by the buyer's and the
# seller's kind of organisation; 本地转化 is the share of two of them, placed by the seller's region.
def with_parties(qs: Any) -> Any:
    """The first buyer's and seller's region and kind (as ``compute`` reads them) as annotations."""
    from django.db.models import CharField, OuterRef, Subquery

    def first(role: str, column: str) -> Subquery:
        # order_by("pk"): within one contract and role the model's ordering is the pk, without its join
        party = ContractParty.objects.filter(contract=OuterRef("pk"), role=role).order_by("pk")
        return Subquery(party.values(column)[:1], output_field=CharField())

    buyer, seller = ContractParty.Role.BUYER, ContractParty.Role.SELLER
    return qs.annotate(
        buyer_region=first(buyer, "region_id"),
        buyer_kind=first(buyer, "kind"),
        seller_region=first(seller, "region_id"),
        seller_kind=first(seller, "kind"),
    )


def home_region(path: str) -> Any:
    """Q: the code at ``path`` lies in the platform region (PLATFORM_REGION_PREFIXES)."""
    from django.db.models import Q

    q = Q(pk__in=[])
    for prefix in settings.PLATFORM_REGION_PREFIXES:
        q |= Q(**{f"{path}__startswith": prefix})
    return q


def registered_contracts() -> Any:
    return with_parties(
        TechContract.objects.unscoped().filter(
            status=TechContract.Status.REGISTERED, registered_on__isnull=False
        )
    )


def _register_indicators() -> None:
    from django.utils.translation import gettext_lazy as _

    from techmarket.analytics.indicators import (
        Breakdown,
        Group,
        Indicator,
        Ratio,
        register,
        register_group,
        register_ratio,
    )

    def recorded() -> Any:
        return with_parties(TechContract.objects.unscoped().exclude(status=TechContract.Status.REFUSED))

    def kinds() -> dict[str, Any]:
        return dict(Organization.Kind.choices)

    def party_in_region(role: str) -> Any:
        # Exists, not a filter on the annotations: PostgreSQL misjudges those as matching one row and
        # nests loops over the engagements (a minute at 20,000 contracts instead of half a second).
        from django.db.models import Exists, OuterRef

        return Exists(
            ContractParty.objects.filter(home_region("region__code"), contract=OuterRef("pk"), role=role)
        )

    def regional_sellers() -> Any:
        return registered_contracts().filter(party_in_region(ContractParty.Role.SELLER))

    def local() -> Any:
        return regional_sellers().filter(party_in_region(ContractParty.Role.BUYER))

    register_group(Group("contracts", _("技术合同"), 25))
    breakdowns = (
        Breakdown("type", _("按合同类别"), "contract_type__type_name"),
        Breakdown("buyer_kind", _("按买方类型"), "buyer_kind", kinds),
        Breakdown("seller_kind", _("按卖方类型"), "seller_kind", kinds),
    )
    shared: dict[str, Any] = {
        "group": "contracts",
        "region_field": "buyer_region",
        "industry_field": "industry__code",
        "chain_node_field": "engagement__need__chain_node",
        "breakdowns": breakdowns,
    }
    register(
        Indicator(
            "contracts.signed", _("签订技术合同"), _("项"), recorded, "signed_on", order=10, funnel=5,
            help=_("期间内签订并在平台录入的技术合同（不含不予登记的）"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.registered", _("认定登记技术合同"), _("项"), registered_contracts, "registered_on", order=11,
            funnel=6, help=_("期间内完成认定登记的技术合同"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.amount", _("技术合同成交额"), _("万元"), registered_contracts, "registered_on", order=12,
            sum_field="total_amount", scale=10000, help=_("期间内登记的技术合同的合同成交额"), **shared,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.technical_amount", _("技术交易额"), _("万元"), registered_contracts, "registered_on",
            order=13, sum_field="technical_amount", scale=10000,
            help=_("成交额扣除非技术性费用后的技术交易额（期间内登记的合同）"), **shared,
        )
    )  # fmt: skip
    by_seller = {**shared, "region_field": "seller_region"}
    register(
        Indicator(
            "contracts.regional_seller_technical", _("本地卖方技术交易额"), _("万元"), regional_sellers,
            "registered_on", order=14, sum_field="technical_amount", scale=10000,
            help=_("有卖方在平台所在地区的登记合同的技术交易额（按卖方所在地区筛选）"), **by_seller,
        )
    )  # fmt: skip
    register(
        Indicator(
            "contracts.local_technical", _("本地转化技术交易额"), _("万元"), local, "registered_on", order=15,
            sum_field="technical_amount", scale=10000,
            help=_("卖方和买方都在平台所在地区的登记合同的技术交易额（按卖方所在地区筛选）；一方有多家时，其中一家在本地区即算"), **by_seller,
        )
    )  # fmt: skip
    register_ratio(
        Ratio(
            "contracts.local_share", _("本地转化率"), "contracts.local_technical",
            "contracts.regional_seller_technical", group="contracts", order=16,
            help=_("本地转化技术交易额 ÷ 本地卖方技术交易额：本地区卖出的技术留在本地区转化的比例"),
        )
    )  # fmt: skip


_register_indicators()


# 绩效评价 and the dashboard's broker / institution panel (analytics.evaluations): the 技术交易额 (万元) of the
# contracts registered in the period that a broker's engagements led to, summed per broker, per the brokers'
# institution, and per research institution selling.
def _registered_in(period: Any, chain: int | None = None) -> Any:
    from techmarket.analytics.evaluations import on_chain

    start, end = period.bounds(dates=True)
    qs = TechContract.objects.unscoped().filter(
        status=TechContract.Status.REGISTERED, registered_on__gte=start, registered_on__lt=end
    )
    return on_chain(qs, "engagement__need__chain_node", chain)


def _summed_by(qs: Any, field: str) -> dict[int, Decimal]:
    rows = qs.values(field).annotate(v=Sum("technical_amount")).order_by()
    return {r[field]: (r["v"] / 10000).quantize(Decimal("0.01")) for r in rows if r[field] and r["v"]}


def technical_by_broker(period: Any, chain: int | None = None) -> dict[int, Decimal]:
    return _summed_by(_registered_in(period, chain), "engagement__lead_broker_id")


def technical_by_broker_org(period: Any, chain: int | None = None) -> dict[int, Decimal]:
    from techmarket.orgs.models import Membership, Role

    org_of = dict(Membership.objects.filter(role=Role.BROKER).values_list("user_id", "organization_id"))
    rows = (
        _registered_in(period, chain)
        .filter(engagement__lead_broker__isnull=False)
        .values("engagement__lead_broker_id")
        .annotate(v=Sum("technical_amount"))
        .order_by()
    )
    out: dict[int, Decimal] = {}
    for r in rows:
        org = org_of.get(r["engagement__lead_broker_id"])
        if org and r["v"]:
            out[org] = out.get(org, ZERO) + r["v"]
    return {org: (v / 10000).quantize(Decimal("0.01")) for org, v in out.items()}


def technical_by_seller(period: Any, chain: int | None = None) -> dict[int, Decimal]:
    """Each selling organisation is credited a contract's whole 技术交易额 once (two sellers: both; the same
    organisation named twice as seller: once), summed in the database."""
    seller = ContractParty.Role.SELLER
    earlier = ContractParty.objects.filter(
        contract_id=OuterRef("contract_id"),
        organization_id=OuterRef("organization_id"),
        role=seller,
        pk__lt=OuterRef("pk"),
    )
    rows = (
        ContractParty.objects.filter(
            role=seller, organization__isnull=False, contract__in=_registered_in(period, chain)
        )
        .filter(~Exists(earlier))
        .values("organization_id")
        .annotate(v=Sum("contract__technical_amount"))
        .order_by()
    )
    return {r["organization_id"]: (r["v"] / 10000).quantize(Decimal("0.01")) for r in rows if r["v"]}


def _register_metrics() -> None:
    from django.utils.translation import gettext_lazy as _

    from techmarket.analytics.evaluations import Metric, register_metric

    register_metric(
        Metric(
            "contracts.technical_by_broker", "broker", _("促成合同技术交易额"), _("万元"), technical_by_broker,
            by_chain=True, help=_("期间内登记的、本人牵头的对接项目所签技术合同的技术交易额"),
        )
    )  # fmt: skip
    register_metric(
        Metric(
            "contracts.technical_by_broker_org", "service", _("促成合同技术交易额"), _("万元"),
            technical_by_broker_org, by_chain=True, help=_("本机构技术经纪人牵头的对接项目所签、期间内登记的技术合同的技术交易额"),
        )
    )  # fmt: skip
    register_metric(
        Metric(
            "contracts.technical_sold", "research", _("输出技术交易额"), _("万元"), technical_by_seller,
            by_chain=True, help=_("本单位作为卖方、期间内登记的技术合同的技术交易额"),
        )
    )  # fmt: skip


_register_metrics()


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
