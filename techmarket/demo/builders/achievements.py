"""Demo achievements: university and institute results with TRL, IP (valid patent numbers) and prices."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from techmarket.achievements.models import (
    Achievement,
    AchievementIP,
    IPType,
    LegalStatus,
    Stage,
    TransferMode,
)
from techmarket.achievements.validators import make_patent_application_number
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Industry

from ..context import DemoContext
from ..topics import TOPICS
from ..vocab import SECTORS

ACHIEVEMENTS_PER_RUN = 520
TITLE_PATTERNS = ("一种{adj}{subject}及其制备方法", "{subject}{prop}提升关键技术", "{adj}{subject}成套工艺",
                  "基于{keyword}的{subject}技术", "{subject}{keyword}新工艺")
ADJECTIVES = ("高性能", "低成本", "绿色", "高可靠", "长寿命", "智能化")
TRL_BY_STAGE = {Stage.LAB: (2, 3, 4), Stage.BENCH: (4, 5), Stage.PILOT: (5, 6, 7), Stage.INDUSTRIAL: (7, 8, 9)}
STATUS_WEIGHTS = ((ListingStatus.PUBLISHED, 80), (ListingStatus.PENDING, 8), (ListingStatus.DRAFT, 6),
                  (ListingStatus.IN_PROGRESS, 4), (ListingStatus.CHANGES_REQUESTED, 2))


def _patent(ctx: DemoContext, year: int, kind: str) -> str:
    return "ZL" + make_patent_application_number(f"{year}{kind}{ctx.rng.randrange(10**7):07d}")


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    K = Organization.Kind
    academic = ctx.orgs[K.UNIVERSITY] + ctx.orgs[K.INSTITUTE]
    enterprises = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    sectors = {s.key: s for s in SECTORS}
    industries = {i.pk: i for i in Industry.objects.filter(level=2)}
    nodes = list(ChainNode.objects.filter(parent__isnull=False))
    experts_by_org = defaultdict(list)
    for expert in getattr(ctx, "experts", []):
        experts_by_org[expert.affiliation_id].append(expert)
    now = timezone.now()
    items, extras = [], []
    for index in range(ACHIEVEMENTS_PER_RUN):
        topic = TOPICS[(index * 7) % len(TOPICS)]
        sector = sectors[topic.sector]
        owner = rng.choice(academic) if rng.random() < 0.85 else rng.choice(enterprises)
        stage = rng.choice(list(Stage))
        trl = rng.choice(TRL_BY_STAGE[stage])
        prop = rng.choice(topic.properties)
        keyword = rng.choice([k for k in topic.keywords if k not in topic.subject and topic.subject not in k]
                             or list(topic.keywords))
        title = rng.choice(TITLE_PATTERNS).format(adj=rng.choice(ADJECTIVES), subject=topic.subject,
                                                  prop=prop[0], keyword=keyword)
        improvement = rng.randint(15, 60)
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]
        published = now - timedelta(days=rng.randint(1, 170)) if status in {
            ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS} else None
        negotiable = rng.random() < 0.35
        items.append(Achievement(
            owner=owner, title=title[:120],
            summary=f"针对{rng.choice(topic.problems)}的问题，团队开发了{title}，{prop[0]}{prop[1]}{prop[2]}，"
                    f"较现有技术提升约 {improvement}%，已完成{stage.label}验证，可在{sector.label}领域推广应用。",
            keywords=list(dict.fromkeys([keyword, *rng.sample(topic.keywords, k=2)])),
            discipline_id=rng.choice(sector.disciplines), trl=trl, stage=stage,
            advantages=f"{prop[0]}{prop[1]}{prop[2]}；成本较进口方案降低约 {rng.randint(10, 40)}%；工艺窗口宽，易于放大。",
            route_to_market=rng.choice(["与行业龙头企业共建中试线，两年内实现产业化。", "以专利许可方式向中小企业推广。",
                                        "作价入股成立成果转化公司。"]),
            transfer_modes=rng.sample([m.value for m in TransferMode], k=rng.randint(1, 3)),
            asking_price_wan=None if negotiable else Decimal(rng.choice([30, 50, 80, 120, 200, 300, 500])),
            price_negotiable=negotiable,
            visibility=rng.choices([Visibility.PUBLIC, Visibility.REGISTERED, Visibility.BROKERS], weights=[80, 15, 5])[0],
            is_anonymous=rng.random() < 0.05,
            confidential_detail=f"核心工艺参数：{rng.randint(150, 900)}℃，保温 {rng.randint(1, 12)} h；"
                                f"配方比例见技术秘密附件。" if rng.random() < 0.5 else "",
            status=status, published_at=published, expires_at=published + timedelta(days=180) if published else None,
            submitted_at=published, region=owner.region,
            chain_node=rng.choice(nodes) if nodes and rng.random() < 0.3 else None,
            external_key=f"DEMO-A{index + 1:04d}",
        ))
        extras.append((sector, topic))
    for item in items:
        item.search_text = item.compute_search_text()
    Achievement.objects.bulk_create(items, batch_size=200)
    ips = []
    for item, (sector, topic) in zip(items, extras, strict=True):
        item.industries.set([industries[c] for c in rng.sample(sector.industries, k=2) if c in industries])
        team = experts_by_org.get(item.owner_id, [])
        if team:
            item.team.set(rng.sample(team, k=min(len(team), rng.randint(1, 3))))
        for order in range(rng.randint(0, 3)):
            year = rng.randint(2016, 2025)
            kind = rng.choice("112")
            ips.append(AchievementIP(
                achievement=item, ip_type=IPType.INVENTION if kind == "1" else IPType.UTILITY_MODEL,
                number=_patent(ctx, year, kind), title=f"一种{topic.subject}{rng.choice(['装置', '方法', '组合物'])}",
                legal_status=LegalStatus.GRANTED if year < 2024 else LegalStatus.PENDING,
                expiry_date=date(year + (20 if kind == "1" else 10), 6, 30), sort_order=order,
            ))
    AchievementIP.objects.bulk_create(ips, batch_size=500)
    ctx.notes.append(f"科技成果 {len(items)} 项，知识产权 {len(ips)} 件")
