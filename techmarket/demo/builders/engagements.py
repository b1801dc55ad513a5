"""Demo caseloads and engagements: brokers with fields and caseloads, engagements in every stage with a
plausible history (checklist, meetings, visits, sample tests), deals and terminations, and one broker
recommendation waiting for the demo enterprise's and university's answers. Built through the services, so
the needs' and achievements' statuses follow their engagements; only the dates are moved into the past."""

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus
from techmarket.engagements import services
from techmarket.engagements.models import (
    OPEN_STAGES,
    Activity,
    ActivityKind,
    Assignment,
    BrokerFields,
    ChecklistItem,
    Engagement,
    Stage,
    StageEntry,
    TerminationReason,
)
from techmarket.engagements.workflow import ADVANCE
from techmarket.needs.models import Need
from techmarket.reference.models import Region

from ..context import DemoContext

ENGAGEMENTS_PER_RUN = 24
# Where the demo engagements end up: every stage, a few deals and terminations.
TARGETS = (
    Stage.DISCOVERY,
    Stage.VERIFICATION,
    Stage.PILOT,
    Stage.TRANSACTION,
    Stage.INDUSTRIALISATION,
    Stage.DEAL,
    Stage.TERMINATED,
    Stage.DISCOVERY,
    Stage.VERIFICATION,
    Stage.DEAL,
)
ACTIVITY_TEXT = {
    Stage.DISCOVERY: (
        ActivityKind.MEETING,
        "首次三方会谈：企业介绍生产线现状与技术指标，课题组介绍成果与专利情况。",
    ),
    Stage.VERIFICATION: (
        ActivityKind.SAMPLE_TEST,
        "课题组按企业工况制备样品，第三方检测机构完成关键指标测试。",
    ),
    Stage.PILOT: (ActivityKind.VISIT, "赴中试基地走访，确认中试线排产计划与批次验收标准。"),
    Stage.TRANSACTION: (ActivityKind.PROPOSAL, "提交技术许可方案及报价，双方就入门费与提成比例交换意见。"),
    Stage.INDUSTRIALISATION: (ActivityKind.CALL, "电话跟进首批量产进度，企业反馈良品率达到预期。"),
}
TERMINATION_NOTES = {
    TerminationReason.PRICE: "企业预算与高校报价差距较大，双方同意暂停。",
    TerminationReason.VERIFICATION_FAILED: "样品低温循环寿命未达企业要求，验证未通过。",
    TerminationReason.DEMAND_CHANGED: "企业调整产品线，该需求暂缓。",
}


def _brokers(ctx: DemoContext) -> list[Any]:
    names = ["demo_broker", *sorted(n for n in ctx.users if n.startswith("broker"))]
    return [ctx.users[n] for n in names if n in ctx.users]


def _supply_for(ctx: DemoContext, need: Need, achievements: list[Achievement]) -> Achievement | None:
    """The achievement closest to the need: sharing the owner's fields, then the most title bigrams."""
    if not achievements:
        return None
    sectors = ctx.sectors.get(need.owner_id, frozenset())
    fitting = [a for a in achievements if sectors & ctx.sectors.get(a.owner_id, frozenset())] or achievements
    grams = {need.title[i : i + 2] for i in range(len(need.title) - 1)}
    best = max(len(grams & {a.title[i : i + 2] for i in range(len(a.title) - 1)}) for a in fitting)
    return ctx.rng.choice(
        [a for a in fitting if len(grams & {a.title[i : i + 2] for i in range(len(a.title) - 1)}) == best]
    )


def _walk(ctx: DemoContext, engagement: Engagement, target: str, broker: Any) -> None:
    """Tick the required items, log an activity per stage and move on until the target."""
    order = list(OPEN_STAGES)
    last_open = order.index(target) if target in order else ctx.rng.randrange(len(order) - 1)
    while True:
        stage = engagement.stage
        kind, text = ACTIVITY_TEXT[Stage(stage)]
        services.activity_log(
            engagement=engagement,
            acting_user=broker,
            kind=kind,
            happened_on=timezone.localdate(),
            summary=text,
            participants="企业技术负责人、课题组负责人、经纪人",
        )
        if order.index(stage) >= last_open:
            break
        for item in ChecklistItem.objects.filter(stage=stage, required=True, is_active=True):
            services.checklist_tick(engagement=engagement, item=item, acting_user=broker)
        services.engagement_move(
            engagement=engagement, action=ADVANCE[Stage(order[order.index(stage) + 1])][0], acting_user=broker
        )
    if target == Stage.DEAL:
        for item in ChecklistItem.objects.filter(stage=engagement.stage, required=True, is_active=True):
            services.checklist_tick(engagement=engagement, item=item, acting_user=broker)
        services.engagement_move(
            engagement=engagement, action="deal", acting_user=broker, reason="双方签订技术许可合同。"
        )
    elif target == Stage.TERMINATED:
        reason = ctx.rng.choice(list(TERMINATION_NOTES))
        services.engagement_move(
            engagement=engagement,
            action="terminate",
            acting_user=broker,
            termination_reason=reason,
            reason=TERMINATION_NOTES[reason],
        )


def _backdate(ctx: DemoContext, engagement: Engagement) -> None:
    """Spread the history over the past months: each stage lasted 1–6 weeks."""
    now = timezone.now()
    entries = list(StageEntry.objects.filter(engagement=engagement).order_by("entered_at", "pk"))
    spans = [timedelta(days=ctx.rng.randint(7, 42)) for _e in entries]
    start = now - sum(spans, timedelta()) - timedelta(days=ctx.rng.randint(0, 10))
    at = start
    activities = list(Activity.objects.filter(engagement=engagement).order_by("pk"))
    for i, entry in enumerate(entries):
        entry.entered_at = at
        at = at + spans[i]
        entry.left_at = at if (i < len(entries) - 1 or entry.stage not in OPEN_STAGES) else None
        if entry.stage not in OPEN_STAGES:
            entry.left_at = entry.entered_at
        entry.save(update_fields=["entered_at", "left_at"])
        for activity in activities:
            if activity.stage == entry.stage:
                day = entry.entered_at + timedelta(days=ctx.rng.randint(1, max(1, spans[i].days - 1)))
                activity.happened_on = min(timezone.localtime(day).date(), timezone.localdate())
                activity.save(update_fields=["happened_on"])
    last = entries[-1]
    fields: dict[str, Any] = {"created_at": start, "stage_entered_at": last.entered_at}
    if engagement.is_open:
        # A quarter are overdue, so the board shows them first and the overdue task has work.
        late = ctx.rng.random() < 0.25
        fields["due_at"] = now + timedelta(days=-ctx.rng.randint(2, 9) if late else ctx.rng.randint(3, 20))
        fields["next_step"] = ctx.rng.choice(
            ["寄送第二批样品", "安排企业赴校交流", "确认中试排产", "提交报价方案"]
        )
    else:
        fields["closed_at"] = last.entered_at
    Engagement.objects.unscoped().filter(pk=engagement.pk).update(**fields)


def _recommend(ctx: DemoContext) -> None:
    """One recommendation waiting for the demo enterprise's and the demo university's answers."""
    from techmarket.matching.services import feedback_record

    staff, university, broker = (ctx.users.get(n) for n in ("demo_staff", "demo_university", "demo_broker"))
    if not (staff and university and broker):
        return
    enterprise = staff.memberships.first().organization
    uni = university.memberships.first().organization
    need = (
        Need.objects.unscoped()
        .filter(owner=enterprise, status=ListingStatus.PUBLISHED)
        .order_by("pk")
        .first()
    )
    candidates = list(
        Achievement.objects.unscoped().filter(owner=uni, status=ListingStatus.PUBLISHED).order_by("pk")
    )
    achievement = _supply_for(ctx, need, candidates) if need else None
    if need and achievement:
        feedback_record(
            acting_user=broker,
            source=need,
            target=achievement,
            decision="recommend",
            reason="该成果的低温改性路线与贵司产品指标契合，课题组已有中试经验，建议先做样品对比测试。",
            score=0.82,
            rank=1,
        )


def build(ctx: DemoContext) -> None:
    rng = ctx.rng
    brokers = _brokers(ctx)
    if not brokers:
        return
    linyi = Region.objects.filter(pk="371300").first()
    for broker in brokers:
        fields, _created = BrokerFields.objects.get_or_create(broker=broker)
        if linyi is not None:
            fields.regions.add(linyi)
    needs = list(
        Need.objects.unscoped()
        .filter(status__in=[ListingStatus.PUBLISHED, ListingStatus.IN_PROGRESS])
        .select_related("owner")
        .order_by("pk")
    )
    achievements = list(
        Achievement.objects.unscoped()
        .filter(status=ListingStatus.PUBLISHED)
        .filter(~Q(owner__kind="enterprise"))
        .order_by("pk")
    )
    operator = ctx.users.get("demo_operator")
    # Caseloads: two in five listed needs have a broker; demo_broker holds the first of every round.
    for i, need in enumerate(needs):
        if i % 5 in (0, 1):
            broker = brokers[0] if i % 10 == 0 or len(brokers) == 1 else brokers[1 + i % (len(brokers) - 1)]
            if operator is not None and i % 3:
                services.need_assign(need=need, broker=broker, acting_user=operator)
            else:
                Assignment.objects.create(need=need, broker=broker, via=Assignment.Via.CLAIMED)
    in_progress = [n for n in needs if n.status == ListingStatus.IN_PROGRESS]
    published = [n for n in needs if n.status == ListingStatus.PUBLISHED]
    chosen = (in_progress + published[::3])[:ENGAGEMENTS_PER_RUN]
    assignments = {a.need_id: a.broker for a in Assignment.objects.filter(need__in=chosen)}
    for i, need in enumerate(chosen):
        achievement = _supply_for(ctx, need, achievements)
        if achievement is None:
            break
        broker = assignments.get(need.pk) or brokers[i % len(brokers)]
        engagement = services.engagement_open(
            acting_user=broker,
            title=f"{need.title[:40]}对接",
            summary=f"需求“{need.title}”与成果“{achievement.title}”的对接。",
            demand_org=need.owner,
            supply_org=achievement.owner,
            lead_broker=broker,
            need=need,
            achievement=achievement if achievement.status == ListingStatus.PUBLISHED else None,
            origin=rng.choice(["need", "recommendation", "achievement", "event"]),
        )
        _walk(ctx, engagement, TARGETS[i % len(TARGETS)], broker)
        _backdate(ctx, engagement)
        achievements = [a for a in achievements if a.pk != achievement.pk]
    _recommend(ctx)
    ctx.notes.append(
        f"对接项目 {Engagement.objects.unscoped().count()} 个，经纪人案源 {Assignment.objects.count()} 条"
    )
