"""Demo 揭榜挂帅: challenges set from published technology needs of enterprises (so each challenge is in its
enterprise's field), one in every phase, applications from universities and institutes working in the
same field, scored panels drawn without conflicts of interest, and milestones. Everything goes through
the services, so the audit trail is the one a real cycle leaves."""

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.utils import timezone

from techmarket.catalog.models import ListingStatus
from techmarket.challenges import funding, panels, services
from techmarket.challenges.models import Batch, Challenge, Milestone, Payment
from techmarket.experts.models import Expert
from techmarket.needs.models import Need, NeedKind
from techmarket.orgs.models import Membership, Organization, Role

from ..context import DemoContext
from .orgs import _user

S = Challenge.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")
PHASES = (S.OPEN, S.REVIEWING, S.PUBLICITY, S.AWARDED, S.COMPLETED, S.OPEN, S.PENDING, S.DRAFT)
CRITERIA = [
    {"name": "技术方案先进性与可行性", "weight": 40},
    {"name": "团队实力与前期基础", "weight": 30},
    {"name": "经费预算与进度合理性", "weight": 20},
    {"name": "成果转化与产业化前景", "weight": 10},
]
WAN = Decimal(10000)


def _admin(org: Organization) -> Any:
    m = (
        Membership.objects.filter(organization=org, role=Role.ORG_ADMIN, is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _teams(
    ctx: DemoContext, owner: Organization, exclude: set[int]
) -> list[tuple[Organization, Any, list[Expert]]]:
    """Universities and institutes in the enterprise's field with an administrator and two experts."""
    fields = ctx.sectors.get(owner.pk, frozenset())
    academic = [
        o for kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE) for o in ctx.orgs[kind]
    ]
    ranked = sorted(academic, key=lambda o: (not (ctx.sectors.get(o.pk, frozenset()) & fields), o.pk))
    teams = []
    for org in ranked:
        if org.pk in exclude:
            continue
        admin = _admin(org)
        experts = list(Expert.objects.filter(affiliation=org, is_active=True).order_by("pk")[:2])
        if admin is not None and experts:
            teams.append((org, admin, experts))
    return teams


def _reviewers(ctx: DemoContext, panel: Any, count: int) -> list[Expert]:
    proposed, _excluded = panels.panel_candidates(panel)
    chosen = [c.expert for c in proposed][:count]
    if len(chosen) < count:  # few experts in this field: any panel expert without a conflict
        for expert in Expert.objects.filter(is_active=True).order_by("pk"):
            if len(chosen) >= count:
                break
            if expert.affiliation_id in {e.affiliation_id for e in chosen}:
                continue  # one reviewer per organisation
            if panels.panel_conflicts(panel, expert):
                continue
            expert.panel_eligible = True
            expert.save(update_fields=["panel_eligible"])
            chosen.append(expert)
    for expert in chosen:
        if expert.user_id is None:
            user = _user(
                ctx, f"reviewer{len([k for k in ctx.users if k.startswith('reviewer')]) + 1:02d}", expert.name
            )
            Membership.objects.get_or_create(
                user=user, organization=expert.affiliation, defaults={"role": Role.EXPERT}
            )
            expert.user = user
            expert.save(update_fields=["user"])
    return chosen


def _score(panel: Any, entry: Any, expert: Expert, base: int, ctx: DemoContext) -> None:
    values = {c.pk: min(100, max(40, base + ctx.rng.randint(-6, 6))) for c in panel.criteria.all()}
    panels.score_submit(panel=panel, entry=entry, acting_user=expert.user, values=values, comments={})


def _pay_tranche(milestone: Milestone, operator: Any) -> None:
    """The accepted milestone's tranche paid out: the enterprise's share first, then the government's."""
    summary = funding.funding_summary(milestone.application.challenge)
    left = milestone.amount
    for (value, _label), (_l, share, paid) in zip(Payment.Source.choices, summary.by_source, strict=True):
        amount = min(left, share - paid)
        if amount > 0:
            funding.payment_record(
                milestone=milestone,
                acting_user=operator,
                amount=amount,
                paid_on=timezone.localdate(),
                source=value,
                note="按里程碑验收结果拨付",
            )
            left -= amount


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    operator = ctx.users["demo_operator"]
    bureau = ctx.users["demo_bureau"]
    now = timezone.now()
    annual = services.batch_create(
        acting_user=bureau,
        title=f"{now.year}年度揭榜挂帅榜单（第一批）",
        kind=Batch.Kind.ANNUAL,
        year=now.year,
        description="面向本市重点产业链企业的关键核心技术难题，公开张榜，不论资历、不设门槛，谁能干就让谁干。",
    )
    standing = services.batch_create(
        acting_user=bureau,
        title="揭榜挂帅常态化征集",
        kind=Batch.Kind.STANDING,
        year=now.year,
        description="企业随时提出技术难题，经平台审核后滚动发布。",
    )
    demo_org = ctx.users["demo_enterprise"].memberships.first().organization
    needs = list(
        Need.objects.filter(kind=NeedKind.TECHNOLOGY, status=ListingStatus.PUBLISHED, industry__isnull=False)
        .select_related("owner", "industry")
        .order_by("pk")
    )
    needs.sort(key=lambda n: n.owner_id != demo_org.pk)  # the demo enterprise sets the first challenge
    picked, owners = [], set()
    for need in needs:
        if need.owner_id not in owners and _admin(need.owner) is not None:
            picked.append(need)
            owners.add(need.owner_id)
        if len(picked) == len(PHASES):
            break
    university = ctx.users["demo_university"].memberships.first().organization
    made = 0
    for index, (phase, need) in enumerate(zip(PHASES, picked, strict=False)):
        owner, owner_admin = need.owner, _admin(need.owner)
        data = services.from_need(need)
        total = max(data["funding_total"], Decimal(rng.choice([150, 200, 300, 500])) * WAN)
        enterprise_share = max(Decimal(100) * WAN, (total * Decimal("0.7")).quantize(WAN))
        past = phase in (S.REVIEWING, S.PUBLICITY, S.AWARDED, S.COMPLETED)
        day = (
            now - timedelta(days=20 + 30 * index) if past else now + timedelta(days=30 + 10 * index)
        ).date()
        deadline = datetime.combine(day, time(17, 0), tzinfo=SHANGHAI)  # 17:00 北京时间, as bureaus set it
        data.update(
            funding_total=total,
            enterprise_share=enterprise_share,
            government_share=total - enterprise_share,
            criteria=CRITERIA,
            deadline=deadline,
            duration_months=rng.choice([18, 24, 36]),
            batch=standing if index % 4 == 3 else annual,
            eligibility="国内高校、科研院所、企业均可揭榜；鼓励产学研联合揭榜。团队负责人须具有高级职称。",
            contact=f"{owner.name} 技术中心",
            mode=Challenge.Mode.ASSEMBLED if index == 5 else Challenge.Mode.OPEN_CALL,
        )
        if not data["targets"]:
            data["targets"] = [
                {"indicator": "关键性能指标", "value": "达到国内先进水平", "unit": "", "method": "第三方检测"}
            ]
        if not data["deliverables"]:
            data["deliverables"] = "技术方案、样机或中试产品、第三方检测报告。"
        challenge = services.challenge_create(owner=owner, acting_user=owner_admin, **data)
        made += 1
        if phase == S.DRAFT:
            continue
        services.challenge_move(challenge=challenge, action="submit", acting_user=owner_admin)
        if phase == S.PENDING:
            continue
        services.challenge_move(challenge=challenge, action="publish", acting_user=operator)
        if past:
            Challenge.objects.filter(pk=challenge.pk).update(published_at=deadline - timedelta(days=45))
            challenge.refresh_from_db()
        if challenge.mode == Challenge.Mode.ASSEMBLED:
            continue  # 组阁制: no open applications; the platform assembles the team from the expert pool
        applied_at = deadline - timedelta(days=5) if past else now
        entries = []
        exclude = {owner.pk} | ({university.pk} if phase == S.REVIEWING else set())
        for org, admin, experts in _teams(ctx, owner, exclude)[: rng.randint(2, 3)]:
            start = (applied_at + timedelta(days=30)).date()
            entries.append(
                services.application_submit(
                    challenge=challenge,
                    organization=org,
                    lead_expert=experts[0],
                    members=experts[1:],
                    acting_user=admin,
                    plan=f"围绕“{challenge.title}”，{org.name}团队拟分三个阶段攻关：机理研究与方案设计、"
                    "样机研制与测试、企业现场中试验证；依托已有平台和前期成果，确保各项指标达标。",
                    budget=[
                        {"item": "设备费", "amount": str((total * Decimal("0.4")).quantize(Decimal(1)))},
                        {
                            "item": "材料与测试费",
                            "amount": str((total * Decimal("0.3")).quantize(Decimal(1))),
                        },
                        {
                            "item": "劳务与专家咨询费",
                            "amount": str((total * Decimal("0.2")).quantize(Decimal(1))),
                        },
                    ],
                    milestones_plan=[
                        {
                            "title": "方案设计与样机",
                            "deliverable": "技术方案与样机测试报告",
                            "due": (start + timedelta(days=180)).isoformat(),
                            "amount": str((total * Decimal("0.4")).quantize(Decimal(1))),
                        },
                        {
                            "title": "中试验证与验收",
                            "deliverable": "中试报告与第三方检测报告",
                            "due": (start + timedelta(days=540)).isoformat(),
                            "amount": str((total * Decimal("0.5")).quantize(Decimal(1))),
                        },
                    ],
                    prior_results="近五年承担相关领域省部级项目，授权发明专利多项。",
                    now=applied_at,
                )
            )
        if phase == S.OPEN or len(entries) < 2:
            continue
        services.challenge_move(challenge=challenge, action="start_review", acting_user=operator)
        panel = services.challenge_panel_create(
            challenge=challenge, acting_user=operator, trimmed=index % 2 == 0
        )
        reviewers = _reviewers(ctx, panel, 3)
        if phase == S.REVIEWING:
            own = Expert.objects.filter(user=ctx.users["demo_expert"]).first()
            if own is not None and not panels.panel_conflicts(panel, own):
                own.panel_eligible = True
                own.save(update_fields=["panel_eligible"])
                reviewers = [own, *reviewers[:2]]
        for expert in reviewers:
            panels.panel_add_member(panel=panel, expert=expert, acting_user=operator)
        panels.panel_start_scoring(panel=panel, acting_user=operator)
        for rank, entry in enumerate(entries):
            for n, expert in enumerate(reviewers):
                if phase == S.REVIEWING and n == 0:
                    continue  # the demo expert still has scoring to do
                _score(panel, entry, expert, 86 - 8 * rank, ctx)
        if phase == S.REVIEWING:
            continue
        panels.panel_close(panel=panel, acting_user=operator)
        best = panels.panel_results(panel)[0].entry
        challenge = services.challenge_propose_award(
            challenge=challenge,
            application=best,
            acting_user=operator,
            reason="专家评审综合得分第一，技术路线可行，团队前期基础扎实。",
        )
        if phase == S.PUBLICITY:
            continue
        assert challenge.publicity_until is not None
        services.challenge_award(
            challenge=challenge, acting_user=operator, now=challenge.publicity_until + timedelta(seconds=1)
        )
        team_admin = _admin(best.organization)
        milestones = list(Milestone.objects.filter(application=best).order_by("order"))
        for m in milestones if phase == S.COMPLETED else milestones[:1]:
            services.milestone_move(
                milestone=m, action="submit", acting_user=team_admin, note="已按计划完成。"
            )
            services.milestone_move(
                milestone=m, action="accept", acting_user=owner_admin, reason="指标达标。"
            )
            _pay_tranche(m, operator)
        if phase == S.AWARDED:
            Milestone.objects.filter(pk=milestones[-1].pk).update(
                planned_date=date.today() + timedelta(days=60)
            )
            continue
        acceptance = services.challenge_acceptance_panel_create(challenge=challenge, acting_user=operator)
        judges = _reviewers(ctx, acceptance, 3)
        for expert in judges:
            panels.panel_add_member(panel=acceptance, expert=expert, acting_user=operator)
        panels.panel_start_scoring(panel=acceptance, acting_user=operator)
        for expert in judges:
            _score(acceptance, best, expert, 85, ctx)
        panels.panel_close(panel=acceptance, acting_user=operator)
        services.challenge_complete(
            challenge=challenge,
            acting_user=operator,
            reason="验收评审组认为各项指标达到榜单要求，交付成果齐全，经费使用规范，同意通过验收。",
            outcome_products=2,
            outcome_patents=3,
            outcome_revenue=Decimal(1200) * WAN,
            outcome_taxes=Decimal(180) * WAN,
            outcome_jobs=25,
        )
    ctx.notes.append(f"揭榜挂帅榜单 {made} 个")
