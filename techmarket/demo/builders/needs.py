"""Demo needs: each enterprise posts in its own field; technology, talent and cooperation needs each read
like what they are; titles are unique; a realistic spread of statuses."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.needs.models import CooperationForm, CooperationMode, Education, Need, NeedKind, TalentMode
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode

from ..context import DemoContext
from ..topics import (
    BACKGROUNDS,
    COOPERATION_FORM_TEXT,
    COOPERATION_SUMMARIES,
    COOPERATION_TITLES,
    FACTS,
    TALENT_POSITION_PATTERNS,
    TALENT_SUMMARIES,
    TECH_SUMMARIES,
    TECH_TITLES,
    Topic,
    topics_of,
)
from ..vocab import SECTORS

NEEDS_PER_RUN = 220
STATUS_WEIGHTS = (
    (ListingStatus.PUBLISHED, 70),
    (ListingStatus.IN_PROGRESS, 8),
    (ListingStatus.PENDING, 8),
    (ListingStatus.DRAFT, 6),
    (ListingStatus.CHANGES_REQUESTED, 3),
    (ListingStatus.SOLVED, 3),
    (ListingStatus.CLOSED, 2),
)
VISIBILITY_WEIGHTS = (
    (Visibility.PUBLIC, 70),
    (Visibility.REGISTERED, 15),
    (Visibility.BROKERS, 10),
    (Visibility.ORGANIZATION, 5),
)


def _weighted(ctx: DemoContext, pairs: tuple[tuple[str, int], ...]) -> str:
    return ctx.rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


def chain_node_of(topic: Topic, nodes: dict[tuple[str, str], ChainNode]) -> ChainNode | None:
    facts = FACTS.get(topic.subject)
    return nodes.get(facts.chain) if facts and facts.chain else None


def _unique(title: str, used: set[str], variants: list[str]) -> str | None:
    for candidate in [title, *variants]:
        if candidate not in used:
            used.add(candidate)
            return candidate
    return None


def _technology(
    ctx: DemoContext, topic: Topic, props: list[Any], problem: str, used: set[str]
) -> dict[str, Any] | None:
    rng = ctx.rng
    targets = "，".join(f"{name}{target}{unit}" for name, target, unit in props)
    fills = {
        "subject": topic.subject,
        "prop": props[0][0],
        "problem_short": problem.split("、")[0][:10],
        "keyword": rng.choice(topic.keywords),
    }
    titles = [t.format(**fills) for t in rng.sample(TECH_TITLES, k=len(TECH_TITLES))]
    title = _unique(titles[0], used, titles[1:])
    if title is None:
        return None
    return {
        "title": title,
        "summary": rng.choice(TECH_SUMMARIES).format(subject=topic.subject, problem=problem, targets=targets),
        "problem": f"{problem}。现有条件下{props[0][0]}仅能达到目标值的 {rng.randint(60, 85)}%，"
        f"需要在{rng.choice(['材料配方', '工艺参数', '关键装备', '过程控制'])}方面取得突破。",
        "parameters": [{"indicator": n, "target": t, "unit": u} for n, t, u in props],
        "current_solution": f"目前采用常规工艺，{problem}，返工率约 {rng.randint(3, 15)}%。",
        "expected_outcome": f"形成可工业化的{topic.subject}技术方案，{targets}，并完成中试验证。",
        "rd_cycle_months": rng.choice([6, 12, 18, 24, 36]),
        "cooperation_modes": rng.sample(
            [
                CooperationMode.COMMISSIONED.value,
                CooperationMode.JOINT.value,
                CooperationMode.TRANSFER.value,
                CooperationMode.LICENSE.value,
            ],
            k=2,
        ),
    }


def _talent(ctx: DemoContext, topic: Topic, problem: str, used: set[str]) -> dict[str, Any] | None:
    rng = ctx.rng
    # Positions named after the topic's work ("边缘计算研发工程师").
    positions = [
        p.format(keyword=k, subject=topic.subject)
        for p in TALENT_POSITION_PATTERNS
        for k in rng.sample(topic.keywords, k=len(topic.keywords))
    ]
    positions = list(dict.fromkeys(positions))
    rng.shuffle(positions)
    education = rng.choice([Education.BACHELOR, Education.MASTER, Education.DOCTOR])
    count = rng.choice([1, 1, 2, 3, 5])
    field = "、".join(rng.sample(topic.keywords, k=2))
    for position in positions:
        title = _unique(f"招聘{position}", used, [f"引进{position}"])
        if title:
            break
    else:
        return None
    modes = rng.sample([m.value for m in TalentMode], k=rng.randint(1, 2))
    return {
        "title": title,
        "summary": rng.choice(TALENT_SUMMARIES).format(
            subject=topic.subject, position=position, count=count, education=education.label, field=field
        ),
        "problem": f"新岗位将负责解决{problem}等问题。" if rng.random() < 0.6 else "",
        "talent_position": position,
        "talent_count": count,
        "talent_field": field,
        "talent_education": education,
        "talent_modes": modes,
        "cooperation_modes": [CooperationMode.TALENT.value],
    }


def _cooperation(
    ctx: DemoContext, topic: Topic, props: list[Any], problem: str, sector_label: str, used: set[str]
) -> dict[str, Any] | None:
    rng = ctx.rng
    forms = [f.value for f in CooperationForm]
    rng.shuffle(forms)
    for form in forms:
        title = _unique(
            COOPERATION_TITLES[form].format(subject=topic.subject, sector=sector_label, prop=props[0][0]),
            used,
            [],
        )
        if title:
            break
    else:
        return None
    chosen = [form] + ([f for f in forms if f != form][:1] if rng.random() < 0.4 else [])
    form_text = "，并".join(COOPERATION_FORM_TEXT[f] for f in chosen)
    return {
        "title": title,
        "summary": rng.choice(COOPERATION_SUMMARIES).format(
            subject=topic.subject,
            problem=problem,
            sector=sector_label,
            form_text=form_text,
            budget=rng.choice([50, 80, 100, 200, 300]),
        ),
        "problem": f"当前主要困难：{problem}。",
        "cooperation_forms": chosen,
        "cooperation_modes": [CooperationMode.PLATFORM.value],
        "rd_cycle_months": rng.choice([24, 36, 60]),
    }


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    enterprises = [
        org for org in ctx.orgs[Organization.Kind.ENTERPRISE] if org.status == Organization.Status.APPROVED
    ]
    demo_org = ctx.users["demo_enterprise"].memberships.first().organization
    labels = {s.key: s.label for s in SECTORS}
    nodes = {
        (n.chain.name, n.name): n
        for n in ChainNode.objects.filter(parent__isnull=False).select_related("chain")
    }
    operator = ctx.users["demo_operator"]
    now = timezone.now()
    used: set[str] = set()
    needs = []
    for index in range(NEEDS_PER_RUN):
        # The demo enterprise owns the first few, so its workspace has something in every state.
        owner = demo_org if index < 6 else rng.choice(enterprises)
        sector = next(iter(ctx.sectors.get(owner.pk, frozenset({"materials"}))))
        product = ctx.products.get(owner.pk)
        topic = next((t for t in topics_of({sector}) if t.subject == product), None) or rng.choice(
            topics_of({sector})
        )
        problem = rng.choice(topic.problems)
        props = rng.sample(topic.properties, k=rng.randint(1, len(topic.properties)))
        kind = (
            NeedKind.TECHNOLOGY
            if index % 10 < 7
            else (NeedKind.TALENT if index % 10 < 9 else NeedKind.COOPERATION)
        )
        if index < 6:
            kind = (
                NeedKind.TECHNOLOGY,
                NeedKind.TECHNOLOGY,
                NeedKind.TALENT,
                NeedKind.COOPERATION,
                NeedKind.TECHNOLOGY,
                NeedKind.TECHNOLOGY,
            )[index]
        if kind == NeedKind.TECHNOLOGY:
            content = _technology(ctx, topic, props, problem, used)
        elif kind == NeedKind.TALENT:
            content = _talent(ctx, topic, problem, used)
        else:
            content = _cooperation(ctx, topic, props, problem, labels[sector], used)
        if content is None:  # every title of this topic is taken: skip rather than repeat one
            continue
        status = (
            _weighted(ctx, STATUS_WEIGHTS)
            if index >= 6
            else (
                ListingStatus.PUBLISHED,
                ListingStatus.PUBLISHED,
                ListingStatus.PUBLISHED,
                ListingStatus.PENDING,
                ListingStatus.DRAFT,
                ListingStatus.CHANGES_REQUESTED,
            )[index]
        )
        published = (
            now - timedelta(days=rng.randint(1, 170))
            if status not in {ListingStatus.DRAFT, ListingStatus.PENDING, ListingStatus.CHANGES_REQUESTED}
            else None
        )
        budget_low = Decimal(rng.choice([20, 30, 50, 80, 100, 150, 200]))
        facts = FACTS[topic.subject]
        needs.append(
            Need(
                owner=owner,
                created_by=None,
                kind=kind,
                background=rng.choice(BACKGROUNDS).format(
                    subject=topic.subject, problem=problem, revenue=rng.choice(["0.8", "1.5", "3", "6", "12"])
                ),
                budget_min=budget_low if kind != NeedKind.TALENT else None,
                budget_max=budget_low * rng.choice([2, 3]) if kind != NeedKind.TALENT else None,
                industry_id=facts.industry,
                region=owner.region,
                chain_node=chain_node_of(topic, nodes) if rng.random() < 0.7 else None,
                deadline=(now + timedelta(days=rng.randint(30, 300))).date(),
                visibility=_weighted(ctx, VISIBILITY_WEIGHTS),
                is_anonymous=rng.random() < 0.15,
                confidential_detail=f"现用原料供应商与关键工艺窗口：{rng.randint(120, 480)}℃/{rng.randint(2, 30)}MPa，"
                f"年需求量约 {rng.randint(50, 2000)} 吨。"
                if kind == NeedKind.TECHNOLOGY and rng.random() < 0.6
                else "",
                status=status,
                published_at=published,
                expires_at=published + timedelta(days=180) if published else None,
                submitted_at=published or (now - timedelta(days=rng.randint(0, 5))),
                review_note="请补充技术指标的测试条件和现有工艺参数。"
                if status == ListingStatus.CHANGES_REQUESTED
                else "",
                contact_name=ctx.person_name(),
                contact_phone=f"0539-{rng.randrange(10**7):07d}",
                external_key=f"DEMO-N{index + 1:04d}",
                **content,
            )
        )
    for need in needs:
        need.search_text = need.compute_search_text()
    Need.objects.bulk_create(needs, batch_size=200)
    ctx.notes.append(f"需求 {len(needs)} 条（运营审核人：{operator.username}）")
