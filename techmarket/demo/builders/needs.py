"""Demo needs: structured, with parameters, budgets and a realistic spread of statuses."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import CooperationMode, Need, NeedKind
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode

from ..context import DemoContext
from ..topics import BACKGROUNDS, NEED_TITLES, TOPICS
from ..vocab import SECTORS

NEEDS_PER_RUN = 220
STATUS_WEIGHTS = ((ListingStatus.PUBLISHED, 70), (ListingStatus.IN_PROGRESS, 8), (ListingStatus.PENDING, 8),
                  (ListingStatus.DRAFT, 6), (ListingStatus.CHANGES_REQUESTED, 3), (ListingStatus.SOLVED, 3),
                  (ListingStatus.CLOSED, 2))
VISIBILITY_WEIGHTS = ((Visibility.PUBLIC, 70), (Visibility.REGISTERED, 15), (Visibility.BROKERS, 10),
                      (Visibility.ORGANIZATION, 5))


def _weighted(ctx: DemoContext, pairs: tuple[tuple[str, int], ...]) -> str:
    return ctx.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    enterprises = ctx.orgs[Organization.Kind.ENTERPRISE]
    enterprises = [org for org in enterprises if org.status == Organization.Status.APPROVED]
    sector_of = {s.key: s for s in SECTORS}
    nodes = list(ChainNode.objects.filter(parent__isnull=False).select_related("chain"))
    operator = ctx.users["demo_operator"]
    now = timezone.now()
    needs = []
    for index in range(NEEDS_PER_RUN):
        topic = TOPICS[index % len(TOPICS)]
        sector = sector_of[topic.sector]
        owner = rng.choice(enterprises)
        problem = rng.choice(topic.problems)
        props = rng.sample(topic.properties, k=rng.randint(1, len(topic.properties)))
        kind = NeedKind.TECHNOLOGY if index % 10 < 8 else (NeedKind.TALENT if index % 10 == 8 else NeedKind.COOPERATION)
        title = {
            NeedKind.TECHNOLOGY: rng.choice(NEED_TITLES).format(subject=topic.subject, prop=props[0][0]),
            NeedKind.TALENT: f"引进{topic.subject}方向高层次研发人才",
            NeedKind.COOPERATION: f"与高校共建{topic.subject}联合研发中心",
        }[kind]
        status = _weighted(ctx, STATUS_WEIGHTS)
        published = now - timedelta(days=rng.randint(1, 170)) if status not in {
            ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CHANGES_REQUESTED} else None
        budget_low = Decimal(rng.choice([20, 30, 50, 80, 100, 150, 200]))
        targets = "，".join(f"{name}{target}{unit}" for name, target, unit in props)
        needs.append(Need(
            owner=owner, created_by=None, kind=kind, title=title[:120],
            summary=f"{owner.region.name if owner.region else ''}某企业寻求{topic.subject}方面的技术合作，"
                    f"重点解决{problem}的问题，目标：{targets}。",
            background=rng.choice(BACKGROUNDS).format(subject=topic.subject, problem=problem,
                                                      revenue=rng.choice(["0.8", "1.5", "3", "6", "12"])),
            problem=f"{problem}。现有工艺条件下{props[0][0]}仅能达到目标值的 70%–80%，需要在材料配方、工艺参数或装备方面取得突破。",
            parameters=[{"indicator": n, "target": t, "unit": u} for n, t, u in props],
            current_solution=f"目前采用常规{topic.subject}工艺，{problem}，返工率约 {rng.randint(3, 15)}%。",
            expected_outcome=f"形成可工业化的{topic.subject}技术方案，{targets}，并完成中试验证。",
            budget_min=budget_low, budget_max=budget_low * rng.choice([2, 3]),
            rd_cycle_months=rng.choice([6, 12, 18, 24, 36]),
            cooperation_modes=rng.sample([CooperationMode.COMMISSIONED.value, CooperationMode.JOINT.value,
                                          CooperationMode.TRANSFER.value, CooperationMode.LICENSE.value], k=2)
            if kind == NeedKind.TECHNOLOGY else [CooperationMode.TALENT.value if kind == NeedKind.TALENT
                                                 else CooperationMode.PLATFORM.value],
            industry_id=rng.choice(sector.industries), region=owner.region,
            chain_node=rng.choice(nodes) if nodes and rng.random() < 0.5 else None,
            deadline=(now + timedelta(days=rng.randint(30, 300))).date(),
            visibility=_weighted(ctx, VISIBILITY_WEIGHTS), is_anonymous=rng.random() < 0.15,
            confidential_detail=f"现用原料供应商与关键工艺窗口：{rng.randint(120, 480)}℃/{rng.randint(2, 30)}MPa，"
                                f"年需求量约 {rng.randint(50, 2000)} 吨。" if rng.random() < 0.6 else "",
            status=status, published_at=published,
            expires_at=published + timedelta(days=180) if published else None,
            submitted_at=published or (now - timedelta(days=rng.randint(0, 5))),
            review_note="请补充技术指标的测试条件和现有工艺参数。" if status == ListingStatus.CHANGES_REQUESTED else "",
            contact_name=ctx.person_name(), contact_phone=f"0539-{rng.randrange(10**7):07d}",
            external_key=f"DEMO-N{index + 1:04d}",
        ))
    for need in needs:
        need.search_text = need.compute_search_text()
    Need.objects.bulk_create(needs, batch_size=200)
    # A few owned by the demo enterprise, so its workspace has something in every state.
    demo_org = ctx.users["demo_enterprise"].memberships.first().organization
    Need.objects.filter(pk__in=list(Need.objects.order_by("pk").values_list("pk", flat=True)[:6])).update(owner=demo_org)
    ctx.notes.append(f"需求 {len(needs)} 条（运营审核人：{operator.username}）")
