"""Demo innovation vouchers and investors.

Vouchers: the bureau runs a current batch and an earlier one that has lapsed. Enterprises holding accepted
facility bookings get vouchers in each state — untouched (已发放), partly spent, spent with the provider's
claim waiting (已申请兑付), settled (已结算) — and one voucher of the earlier batch has expired with balance
left. Everything goes through the services, so balances, audit records and figures agree.

Investors: 3–4 funds among the demo investors with stages, fields (the sectors' industries, the chains'
links), ticket sizes and regions; a few enterprises seeking finance; interests — one turned into an
engagement by the demo broker (the seeking's, which then reached agreement: the fund records an investment),
one given a roadshow slot, one waiting.
"""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.facilities.models import COMMITTED_BOOKING, Booking
from techmarket.investors import services as investor_services
from techmarket.investors.models import FinanceSeeking, Stage
from techmarket.orgs.models import Membership, Organization, Role
from techmarket.reference.models import ChainNode, Industry, Region
from techmarket.vouchers import services
from techmarket.vouchers.models import Category

from ..context import DemoContext
from ..vocab import SECTORS

K = Organization.Kind


def _member(org: Organization) -> Any:
    m = (
        Membership.objects.filter(organization=org, role__in=(Role.ORG_ADMIN, Role.MEMBER), is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _bureau() -> tuple[Any, Organization] | None:
    m = (
        Membership.objects.filter(
            role=Role.BUREAU, is_active=True, organization__kind=K.GOVERNMENT, organization__status="approved"
        )
        .select_related("user", "organization")
        .order_by("pk")
        .first()
    )
    return (m.user, m.organization) if m else None


def build(ctx: DemoContext) -> None:
    _vouchers(ctx)
    _investors(ctx)


def _vouchers(ctx: DemoContext) -> None:
    found = _bureau()
    if found is None:
        return
    officer, bureau = found
    today = timezone.localdate()
    every = list(Category.values)
    current = services.batch_create(
        acting_user=officer,
        issuer=bureau,
        name=f"{today.year} 年第一批科技创新券",
        budget="2000000",
        categories=every,
        valid_from=today - timedelta(days=60),
        valid_until=today + timedelta(days=120),
        note="支持中小企业购买概念验证、中试熟化和共享仪器服务，单张最高 10 万元。",
    )
    earlier = services.batch_create(
        acting_user=officer,
        issuer=bureau,
        name=f"{today.year - 1} 年第二批科技创新券",
        budget="500000",
        categories=[Category.INSTRUMENT],
        valid_from=today - timedelta(days=400),
        valid_until=today - timedelta(days=10),
    )
    accepted = list(
        Booking.objects.unscoped()
        .filter(status__in=COMMITTED_BOOKING, organization__status="approved")
        .select_related("facility", "organization")
        .order_by("pk")
    )
    holders: dict[int, list[Booking]] = {}
    for b in accepted:
        holders.setdefault(b.organization_id, []).append(b)
    # Untouched, partly spent, claimed, settled — one story per enterprise, in this order.
    plan = ("partly", "claimed", "settled", "partly", "claimed", "settled")
    n = 0
    for bookings in holders.values():
        org = bookings[0].organization
        user = _member(org)
        if user is None:
            continue
        step = plan[n % len(plan)]
        n += 1
        amount = Decimal(ctx.rng.choice((30000, 50000, 80000, 100000)))
        voucher = services.voucher_issue(acting_user=officer, batch=current, holder=org, amount=amount)
        booking = bookings[0]
        spend = amount / 2 if step == "partly" else amount * Decimal("0.6")
        if booking.quote_price is not None:  # never more than the quote the enterprise accepted
            spend = min(spend, booking.quote_price)
        use = services.voucher_spend(voucher=voucher, booking=booking, amount=spend, acting_user=user)
        if step in ("claimed", "settled"):
            provider_user = _member(booking.facility.owner)
            if provider_user is None:
                continue
            use = services.use_move(
                use=use,
                action="claim",
                acting_user=provider_user,
                reason=f"已完成“{booking.service}”服务，出具报告编号 BG-{today.year}-{use.pk:04d}，发票已开具。",
            )
            if step == "settled":
                services.use_move(
                    use=use, action="settle", acting_user=officer, reason="已拨付至服务机构账户。"
                )
        if n >= 8:
            break
    # Untouched vouchers: the demo enterprise (whatever its bookings) and two more enterprises.
    demo_org = ctx.orgs[K.ENTERPRISE][0] if ctx.orgs[K.ENTERPRISE] else None
    others = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == "approved" and o.pk not in holders][:2]
    for org in [o for o in [demo_org, *others] if o is not None and o.status == "approved"]:
        services.voucher_issue(acting_user=officer, batch=current, holder=org, amount=Decimal("50000"))
    # The earlier batch lapsed: its vouchers expired with what was left.
    for org in [o for o in ctx.orgs[K.ENTERPRISE] if o.status == "approved"][1:3]:
        services.voucher_issue(acting_user=officer, batch=earlier, holder=org, amount=Decimal("20000"))
    ctx.notes.append(f"创新券：2 个批次，{n + 4} 家企业持券（含各状态）。")


FUNDS = (
    ("天使基金", (Stage.SEED, Stage.ANGEL), ("materials", "chemicals"), (500_000, 5_000_000)),
    ("成长基金", (Stage.A, Stage.B), ("equipment", "materials"), (5_000_000, 50_000_000)),
    ("生物医药产业基金", (Stage.ANGEL, Stage.A, Stage.B), ("biomed",), (2_000_000, 30_000_000)),
    ("现代农业发展基金", (Stage.A, Stage.B, Stage.GROWTH), ("agrifood",), (3_000_000, 20_000_000)),
)
SEEKING_STAGE = (Stage.ANGEL, Stage.A, Stage.B)


def _investors(ctx: DemoContext) -> None:
    investors = [o for o in ctx.orgs[K.INVESTOR] if o.status == "approved"]
    if not investors:
        return
    sectors = {s.key: s for s in SECTORS}
    home = Region.objects.filter(pk="371300").first()
    funds = []
    for i, (suffix, stages, keys, (lo, hi)) in enumerate(FUNDS):
        manager = investors[i % len(investors)]
        user = _member(manager) or ctx.users.get("demo_operator")  # the operator keeps profiles of others
        if user is None:
            continue
        codes = [c for k in keys for c in sectors[k].industries]
        fund = investor_services.fund_save(
            acting_user=user,
            manager=manager,
            data={
                "name": f"{(manager.short_name or manager.name)[:20]}{suffix}",
                "stages": list(stages),
                "ticket_min": Decimal(lo),
                "ticket_max": Decimal(hi),
                "size": Decimal(hi) * 20,
                "summary": f"重点关注{'、'.join(sectors[k].label for k in keys)}领域的科技成果转化项目。",
                "industries": list(Industry.objects.filter(pk__in=codes)),
                "chain_nodes": list(
                    ChainNode.objects.filter(chain__is_active=True).order_by("pk")[i * 2 : i * 2 + 3]
                ),
                "regions": [home] if home is not None and i % 2 == 0 else [],
            },
        )
        funds.append(fund)
    # Enterprises seeking finance, in the fields the funds follow.
    seekings = []
    for j, org in enumerate(o for o in ctx.orgs[K.ENTERPRISE] if o.status == "approved" and o.industry_id):
        if j >= 5:
            break
        user = _member(org)
        if user is None:
            continue
        seekings.append(
            investor_services.seeking_create(
                acting_user=user,
                organization=org,
                title=f"{org.short_name or org.name}产品线扩产项目",
                amount=Decimal((3 + j * 4) * 1_000_000),
                stage=SEEKING_STAGE[j % len(SEEKING_STAGE)],
                use_of_funds="扩建中试生产线、补充研发投入和流动资金",
                summary="核心产品已通过客户验证，计划两年内形成规模化产能。",
            )
        )
    if seekings and seekings[-1].pk:
        investor_services.seeking_close(seeking=seekings[-1], acting_user=_member(seekings[-1].organization))
    _interests(ctx, funds, [s for s in seekings if s.status == FinanceSeeking.Status.OPEN])
    ctx.notes.append(f"投融资：{len(funds)} 只基金，{len(seekings)} 项企业融资需求。")


def _interests(ctx: DemoContext, funds: list[Any], seekings: list[FinanceSeeking]) -> None:
    from techmarket.achievements.models import Achievement

    if not funds:
        return
    broker = ctx.users.get("demo_broker")
    operator = ctx.users.get("demo_operator")
    made = []
    staffed = [f for f in funds if _member(f.manager) is not None]
    if not staffed:
        return
    for k, seeking in enumerate(seekings[:3]):
        fund = staffed[k % len(staffed)]
        user = _member(fund.manager)
        if user is None or seeking.organization_id == fund.manager_id:
            continue
        kind = "roadshow" if k == 1 else "engagement"
        made.append(
            investor_services.interest_express(
                acting_user=user,
                fund=fund,
                seeking=seeking,
                kind=kind,
                note="团队与市场空间符合我们的方向，希望进一步了解。",
            )
        )
    achievement = Achievement.objects.unscoped().filter(status="published").order_by("pk").first()
    if achievement is not None:
        fund = staffed[0]
        user = _member(fund.manager)
        if user is not None:
            made.append(
                investor_services.interest_express(
                    acting_user=user, fund=fund, achievement=achievement, note="希望与成果团队洽谈作价入股。"
                )
            )
    if made and broker is not None:
        engaged = investor_services.interest_engage(interest=made[0], acting_user=broker)
        _investment(engaged)
    roadshow = investor_services.upcoming_roadshows().first()
    if len(made) > 1 and roadshow is not None and operator is not None:
        investor_services.interest_schedule_roadshow(
            interest=made[1], event=roadshow, acting_user=operator, reason="安排在下一场路演中展示。"
        )


def _investment(interest: Any) -> None:
    """The engaged seeking reached agreement: the fund invests part of the amount sought, within its ticket
    range, at the round the enterprise asked for, dated today (the engagement was opened today)."""
    if not interest.seeking_id:
        return
    fund, seeking = interest.fund, interest.seeking
    amount = min(max(seeking.amount * Decimal("0.6"), fund.ticket_min), fund.ticket_max, seeking.amount)
    investor_services.investment_record(
        acting_user=_member(fund.manager),
        interest=interest,
        amount=amount.quantize(Decimal("0.01")),
        invested_on=timezone.localdate(),
        stage=seeking.stage,
        note="经平台对接达成投资协议，首期款已到账。",
    )
