"""Demo achievements: university and institute results with TRL, IP (valid patent numbers) and prices."""

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.achievements.models import (
    Achievement,
    AchievementIP,
    Empowerment,
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
from ..topics import ACHIEVEMENT_SUMMARIES, ACHIEVEMENT_TITLES, FACTS, TOPICS
from ..vocab import SECTORS
from .needs import chain_node_of

ACHIEVEMENTS_PER_RUN = 520
ADJECTIVES = ("高性能", "低成本", "绿色", "高可靠", "长寿命", "智能化")
TRL_BY_STAGE = {
    Stage.LAB: (2, 3, 4),
    Stage.BENCH: (4, 5),
    Stage.PILOT: (5, 6, 7),
    Stage.INDUSTRIAL: (7, 8, 9),
}
STATUS_WEIGHTS = (
    (ListingStatus.PUBLISHED, 80),
    (ListingStatus.PENDING, 8),
    (ListingStatus.DRAFT, 6),
    (ListingStatus.IN_PROGRESS, 4),
    (ListingStatus.CHANGES_REQUESTED, 2),
)


def _patent(ctx: DemoContext, year: int, kind: str) -> str:
    return "ZL" + make_patent_application_number(f"{year}{kind}{ctx.rng.randrange(10**7):07d}")


def _title(ctx: DemoContext, topic: Any, used: set[str]) -> tuple[str, tuple[str, str, str], str] | None:
    """A title not used before (one suggestion list never shows the same title twice)."""
    rng = ctx.rng
    keywords = [k for k in topic.keywords if k not in topic.subject and topic.subject not in k] or list(
        topic.keywords
    )
    for _attempt in range(12):
        prop, keyword = rng.choice(topic.properties), rng.choice(keywords)
        title = rng.choice(ACHIEVEMENT_TITLES).format(
            adj=rng.choice(ADJECTIVES), subject=topic.subject, prop=prop[0], keyword=keyword
        )[:120]
        if title not in used:
            used.add(title)
            return title, prop, keyword
    return None


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    K = Organization.Kind
    supply_kinds = (K.UNIVERSITY, K.INSTITUTE, K.INDUSTRY_INSTITUTE, K.NEW_RD)
    academic = [o for kind in supply_kinds for o in ctx.orgs[kind]]
    enterprises = [o for o in ctx.orgs[K.ENTERPRISE] if o.status == Organization.Status.APPROVED]
    sectors = {s.key: s for s in SECTORS}
    industries = {i.pk: i for i in Industry.objects.filter(level=2)}
    nodes = {
        (n.chain.name, n.name): n
        for n in ChainNode.objects.filter(parent__isnull=False).select_related("chain")
    }
    experts_by_org = defaultdict(list)
    for expert in getattr(ctx, "experts", []):
        experts_by_org[expert.affiliation_id].append(expert)
    now = timezone.now()
    used: set[str] = set()
    items, extras = [], []
    for index in range(ACHIEVEMENTS_PER_RUN):
        topic = TOPICS[(index * 7) % len(TOPICS)]
        sector = sectors[topic.sector]
        facts = FACTS[topic.subject]
        # Owners work in the topic's field: a wood company never owns a battery cathode.
        if rng.random() < 0.85:
            in_field = [o for o in academic if topic.sector in ctx.sectors.get(o.pk, frozenset())]
        else:  # an enterprise offers results of its own product line only
            in_field = [o for o in enterprises if ctx.products.get(o.pk) == topic.subject]
        if not in_field:
            in_field = [o for o in academic if topic.sector in ctx.sectors.get(o.pk, frozenset())]
        named = _title(ctx, topic, used)
        if not in_field or named is None:
            continue
        title, prop, keyword = named
        owner = rng.choice(in_field)
        stage = rng.choice(list(Stage))
        trl = rng.choice(TRL_BY_STAGE[stage])
        improvement = rng.randint(15, 60)
        status = rng.choices([s for s, _ in STATUS_WEIGHTS], weights=[w for _, w in STATUS_WEIGHTS])[0]
        published = (
            now - timedelta(days=rng.randint(1, 170))
            if status in {ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS}
            else None
        )
        negotiable = rng.random() < 0.35
        academic_owner = owner.kind in supply_kinds
        empowerment = (
            rng.choice(
                [Empowerment.OWNERSHIP, Empowerment.LONG_TERM_USE, Empowerment.IN_PROGRESS, Empowerment.NONE]
            )
            if academic_owner and rng.random() < 0.5
            else Empowerment.NONE
        )
        items.append(
            Achievement(
                owner=owner,
                title=title,
                summary=rng.choice(ACHIEVEMENT_SUMMARIES).format(
                    problem=rng.choice(topic.problems),
                    title=title,
                    prop_text=f"{prop[0]}{prop[1]}{prop[2]}",
                    improvement=improvement,
                    stage=stage.label,
                    keyword=keyword,
                    subject=topic.subject,
                    sector=sector.label,
                    years=rng.randint(3, 10),
                ),
                keywords=list(dict.fromkeys([keyword, *rng.sample(topic.keywords, k=2)])),
                discipline_id=facts.discipline,
                trl=trl,
                stage=stage,
                advantages=f"{prop[0]}{prop[1]}{prop[2]}；成本较进口方案降低约 {rng.randint(10, 40)}%；工艺窗口宽，易于放大。",
                route_to_market=rng.choice(
                    [
                        "与行业龙头企业共建中试线，两年内实现产业化。",
                        "以专利许可方式向中小企业推广。",
                        "作价入股成立成果转化公司。",
                    ]
                ),
                transfer_modes=rng.sample([m.value for m in TransferMode], k=rng.randint(1, 3)),
                asking_price_wan=None
                if negotiable
                else Decimal(rng.choice([30, 50, 80, 120, 200, 300, 500])),
                price_negotiable=negotiable,
                visibility=rng.choices(
                    [Visibility.PUBLIC, Visibility.REGISTERED, Visibility.BROKERS], weights=[80, 15, 5]
                )[0],
                is_anonymous=rng.random() < 0.05,
                confidential_detail=f"核心工艺参数：{rng.randint(150, 900)}℃，保温 {rng.randint(1, 12)} h；"
                f"配方比例见技术秘密附件。"
                if rng.random() < 0.5
                else "",
                status=status,
                published_at=published,
                expires_at=published + timedelta(days=180) if published else None,
                submitted_at=published,
                region=owner.region,
                chain_node=chain_node_of(topic, nodes) if rng.random() < 0.6 else None,
                empowerment=empowerment,
                empowerment_share=Decimal(rng.choice([60, 70, 80, 90]))
                if empowerment == Empowerment.OWNERSHIP
                else None,
                separately_managed=academic_owner and rng.random() < 0.3,
                external_key=f"DEMO-A{index + 1:04d}",
            )
        )
        extras.append((sector, topic))
    for item in items:
        item.search_text = item.compute_search_text()
    Achievement.objects.bulk_create(items, batch_size=200)
    ips = []
    for item, (_sector, topic) in zip(items, extras, strict=True):
        code = FACTS[topic.subject].industry  # the topic's own division, never a neighbour's
        item.industries.set([industries[code]] if code in industries else [])
        team = experts_by_org.get(item.owner_id, [])
        if team:
            item.team.set(rng.sample(team, k=min(len(team), rng.randint(1, 3))))
        for order in range(rng.randint(0, 3)):
            year = rng.randint(2016, 2025)
            kind = rng.choice("112")
            ips.append(
                AchievementIP(
                    achievement=item,
                    ip_type=IPType.INVENTION if kind == "1" else IPType.UTILITY_MODEL,
                    number=_patent(ctx, year, kind),
                    title=f"一种{topic.subject}{rng.choice(['装置', '方法', '组合物'])}",
                    legal_status=LegalStatus.GRANTED if year < 2024 else LegalStatus.PENDING,
                    expiry_date=date(year + (20 if kind == "1" else 10), 6, 30),
                    sort_order=order,
                )
            )
    AchievementIP.objects.bulk_create(ips, batch_size=500)
    ctx.notes.append(f"科技成果 {len(items)} 项，知识产权 {len(ips)} 件")
