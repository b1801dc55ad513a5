"""Demo technology contracts: two years of university/institute → enterprise deals, most of them registered,
with itemised non-technical costs, payment schedules and payments received, so the figures are alive.

Sellers are the demo universities and institutes, buyers the approved enterprises (and a few buyers outside
the region, off the platform, so 本地转化 is below 100 %). Engagements that ended 成交 get their contract.
Everything is written through techmarket.contracts.services (validated and audited).
"""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.contracts import services
from techmarket.contracts.models import ContractType, PaymentMode
from techmarket.orgs.models import Organization
from techmarket.orgs.validators import make_uscc
from techmarket.reference.models import Region

from ..context import DemoContext

CONTRACTS_PER_RUN = 72
OUTSIDE_BUYERS = (
    ("苏州工业园区测试精密制造有限公司", "320571"),
    ("北京中关村测试智能装备有限公司", "110108"),
    ("合肥高新区测试新能源科技有限公司", "340191"),
    ("天津滨海测试化工材料有限公司", "120116"),
)
DEDUCTIONS = ("设备购置", "原材料", "场地租赁", "样品试制", "差旅")
TITLES = {
    "技术开发": "{subject}委托研发",
    "技术转让": "{subject}专利转让",
    "技术许可": "{subject}专利实施许可",
    "技术咨询": "{subject}可行性论证咨询",
    "技术服务": "{subject}工艺优化技术服务",
}
MODE_WEIGHTS = (
    (PaymentMode.LUMP_SUM, 35),
    (PaymentMode.INSTALMENTS, 40),
    (PaymentMode.ROYALTY, 10),
    (PaymentMode.EQUITY, 8),
    (PaymentMode.USE_FIRST, 7),
)


def _amount(ctx: DemoContext, type_name: str) -> Decimal:
    low, high = {"技术开发": (20, 400), "技术转让": (30, 600), "技术许可": (10, 300)}.get(type_name, (3, 60))
    return Decimal(ctx.rng.randrange(low, high) * 10000)


def _outside_party(ctx: DemoContext, index: int) -> services.PartyData:
    name, county = OUTSIDE_BUYERS[index % len(OUTSIDE_BUYERS)]
    return services.PartyData(
        role="buyer",
        name=name,
        uscc=make_uscc(f"91{county}{index % len(OUTSIDE_BUYERS):09d}"),
        kind=Organization.Kind.ENTERPRISE,
        region=Region.objects.filter(pk=county).first(),
    )


def _schedule(ctx: DemoContext, mode: str, total: Decimal, signed: date) -> list[tuple[date, Decimal, str]]:
    if mode == PaymentMode.INSTALMENTS:
        first = (total * Decimal("0.3")).quantize(Decimal("0.01"))
        return [
            (signed + timedelta(days=15), first, "首付款"),
            (signed + timedelta(days=180), total - first, "验收款"),
        ]
    if mode in (PaymentMode.LUMP_SUM, PaymentMode.USE_FIRST):
        return [(signed + timedelta(days=30 if mode == PaymentMode.LUMP_SUM else 200), total, "")]
    return []


def _record(
    ctx: DemoContext,
    *,
    operator: Any,
    today: date,
    seller: Organization,
    buyer: Any,
    engagement: Any = None,
    title: str = "",
    type_name: str = "",
    n: int,
    roll: float | None = None,
    signed_on: date | None = None,
) -> None:
    rng = ctx.rng
    types = list(
        ContractType.objects.filter(is_active=True, **({"type_name": type_name} if type_name else {}))
    )
    ctype = rng.choice(types)
    signed = today - timedelta(days=rng.randrange(20, 700))
    if signed_on is not None:
        signed = signed_on
    total = _amount(ctx, ctype.type_name)
    deductions = []
    if ctype.type_name == "技术开发" and rng.random() < 0.6:
        for item in rng.sample(DEDUCTIONS, rng.randrange(1, 3)):
            deductions.append((item, (total * Decimal(rng.randrange(3, 15)) / 100).quantize(Decimal("1"))))
    mode = rng.choices([m for m, _w in MODE_WEIGHTS], weights=[w for _m, w in MODE_WEIGHTS])[0]
    buyer_party = (
        buyer
        if isinstance(buyer, services.PartyData)
        else services.PartyData(role="buyer", organization=buyer)
    )
    achievement = getattr(engagement, "achievement", None) or (
        Achievement.objects.unscoped().filter(owner=seller).order_by("pk").first()
        if rng.random() < 0.6
        else None
    )
    subject = achievement.title[:40] if achievement else f"{seller.short_name or seller.name[:6]}合作项目"
    contract = services.contract_create(
        acting_user=operator,
        owner=seller,
        title=title or TITLES[ctype.type_name].format(subject=subject),
        contract_type=ctype,
        signed_on=signed,
        starts_on=signed,
        ends_on=signed + timedelta(days=rng.choice((180, 365, 730))),
        total_amount=total,
        deductions=deductions,
        payment_mode=mode,
        schedule=_schedule(ctx, mode, total, signed),
        parties=[services.PartyData(role="seller", organization=seller), buyer_party],
        achievements=[achievement] if achievement else (),
        contract_number=f"HT{signed:%Y%m}{n:04d}",
        engagement=engagement,
    )
    roll = rng.random() if roll is None else roll
    if roll < 0.1:
        return  # 待提交
    services.contract_move(contract=contract, action="submit", acting_user=operator)
    if roll < 0.2:
        return  # 待认定
    if roll < 0.27:
        services.contract_move(
            contract=contract,
            action="refuse",
            acting_user=operator,
            reason="合同主要内容为设备买卖，技术内容不足，不予登记。",
        )
        return
    registered = min(today, signed + timedelta(days=rng.randrange(5, 40)))
    services.contract_move(
        contract=contract,
        action="register",
        acting_user=operator,
        registration_number=f"3713{registered:%Y}{contract.pk:08d}",
        registered_on=registered,
    )
    for instalment in contract.schedule.all():
        if instalment.due_on <= today and rng.random() < 0.85:
            services.payment_record(
                contract=contract,
                acting_user=operator,
                received_on=instalment.due_on,
                amount=instalment.amount,
                instalment=instalment,
                note="银行转账",
            )


def build(ctx: DemoContext) -> None:
    K = Organization.Kind
    operator = ctx.users.get("demo_operator")
    if operator is None:
        return
    if not ContractType.objects.exists():
        # A flushed database (transactional tests) lost the types the migration created: the defaults again.
        from techmarket.contracts.defaults import ensure_default_types

        ensure_default_types()
    today = timezone.localdate()
    sellers = [
        o
        for kind in (K.UNIVERSITY, K.INSTITUTE)
        for o in ctx.orgs[kind]
        if o.status == Organization.Status.APPROVED
    ]
    buyers = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    if not sellers or not buyers:
        return
    for n in range(CONTRACTS_PER_RUN):
        seller = ctx.rng.choice(sellers)
        buyer: Any = _outside_party(ctx, n // 6) if n % 6 == 5 else ctx.rng.choice(buyers)
        _record(ctx, operator=operator, today=today, seller=seller, buyer=buyer, n=n)
    _engagement_contracts(ctx, operator=operator, today=today)
    _demo_enterprise_contracts(ctx, operator=operator, today=today, sellers=sellers)
    _event_contracts(ctx, operator=operator, today=today)


def _demo_enterprise_contracts(ctx: DemoContext, *, operator: Any, today: date, sellers: list[Any]) -> None:
    """The enterprise the demo logins belong to buys at least one registered and one unsubmitted contract,
    so its contract list and workspace panel show something on first login."""
    first = ctx.orgs[Organization.Kind.ENTERPRISE][0]
    if first.status != Organization.Status.APPROVED:
        return
    for n, roll in ((CONTRACTS_PER_RUN + 900, 0.9), (CONTRACTS_PER_RUN + 901, 0.05)):
        _record(
            ctx, operator=operator, today=today, seller=ctx.rng.choice(sellers), buyer=first, n=n, roll=roll
        )


def _engagement_contracts(ctx: DemoContext, *, operator: Any, today: date) -> None:
    try:
        from techmarket.engagements.models import Engagement, Origin, Stage
    except ImportError:  # pragma: no cover - the engagements app is optional for this builder
        return
    done = (
        Engagement.objects.unscoped()
        .filter(stage=Stage.DEAL, supply_org__isnull=False)
        .exclude(origin=Origin.EVENT)
        .select_related("supply_org", "demand_org")
        .order_by("pk")
    )
    for n, engagement in enumerate(done, start=CONTRACTS_PER_RUN):
        _record(
            ctx,
            operator=operator,
            today=today,
            seller=engagement.supply_org,
            buyer=engagement.demand_org,
            engagement=engagement,
            title=engagement.title,
            type_name="技术许可",  # the demo engagements end "双方签订技术许可合同"
            n=n,
        )


def _event_contracts(ctx: DemoContext, *, operator: Any, today: date) -> None:
    """The deals that followed an event's meeting (events builder, 已签约) are registered contracts signed on
    the day the deal closed, so the events' 合同成交额 has a value. Their own random stream keeps the rest of
    the demo as it was."""
    import random

    from techmarket.engagements.models import Engagement, Origin, Stage

    deals = (
        Engagement.objects.unscoped()
        .filter(stage=Stage.DEAL, origin=Origin.EVENT, supply_org__isnull=False, closed_at__isnull=False)
        .select_related("supply_org", "demand_org", "achievement")
        .order_by("pk")
    )
    shared, ctx.rng = ctx.rng, random.Random(ctx.seed + 2)
    try:
        for n, engagement in enumerate(deals, start=CONTRACTS_PER_RUN + 800):
            _record(
                ctx,
                operator=operator,
                today=today,
                seller=engagement.supply_org,
                buyer=engagement.demand_org,
                engagement=engagement,
                title=engagement.title,
                type_name="技术开发",
                n=n,
                roll=0.95,  # registered
                signed_on=timezone.localtime(engagement.closed_at).date(),
            )
    finally:
        ctx.rng = shared
