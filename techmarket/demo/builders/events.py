"""Demo events: past matchmaking events and roadshows run by the platform operator, with registrations,
one-to-one meetings and their outcomes, and one upcoming event open for registration.

Participants come from the sector the event is about (ctx.sectors), bringing their own published needs and
achievements, so the list of who comes, the meeting suggestions and the figures read as one story.
"""

from datetime import timedelta
from typing import Any

from django.utils import timezone

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import LISTED_STATUSES
from techmarket.engagements import services as engagement_services
from techmarket.engagements.models import Activity, ChecklistItem, Engagement, Stage, StageEntry
from techmarket.events import services
from techmarket.events.models import Event, MeetingRequest, MeetingSeat, ProjectInterest, Registration
from techmarket.needs.models import Need
from techmarket.orgs.models import Membership, Organization, Role

from ..context import DemoContext
from ..vocab import SECTORS

K = Organization.Kind
R = Registration.Status
Out = MeetingRequest.Outcome

PAST = (
    # (months ago, kind, sector, title)
    (3, Event.Kind.MATCHMAKING, "materials", "新材料产业链供需对接会（第 {n} 期）"),
    (2, Event.Kind.CAMPUS, "electronics", "名校直通车：走进高校电子信息实验室"),
    (1, Event.Kind.ROADSHOW, "equipment", "月度路演：高端装备与智能制造专场"),
)
# Dealt round the enterprises of each event (the local ones come first): the first events' local pairs go on to
# an engagement and to a deal; the visitors from further away more often do not meet or do not follow up.
OUTCOMES = (Out.NOT_HELD, Out.AGREEMENT, Out.ENGAGEMENT, Out.CONTINUE, Out.CONTINUE, Out.NO_FOLLOW_UP)


def _admin_of(org: Organization) -> Any:
    m = (
        Membership.objects.filter(organization=org, role__in=[Role.ORG_ADMIN, Role.MEMBER], is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return m.user if m else None


def _people(ctx: DemoContext, sector: str, n_ent: int, n_uni: int) -> list[tuple[Organization, Any]]:
    def in_sector(kinds: tuple[str, ...]) -> list[Organization]:
        return [
            o
            for kind in kinds
            for o in ctx.orgs[kind]
            if o.status == Organization.Status.APPROVED and sector in ctx.sectors.get(o.pk, frozenset())
        ]

    ents = in_sector((K.ENTERPRISE,))[:n_ent]
    unis = in_sector((K.UNIVERSITY, K.INSTITUTE))[:n_uni]
    out = [(o, _admin_of(o)) for o in ents + unis]
    return [(o, u) for o, u in out if u is not None]


def _register(event: Event, org: Organization, user: Any, status: str, when: Any) -> Registration:
    reg = Registration.objects.create(
        event=event,
        user=user,
        organization=org,
        status=status,
        intro=f"{org.short_name or org.name}：希望对接{event.fields}方向的合作伙伴。"[:300],
    )
    Registration.objects.filter(pk=reg.pk).update(created_at=when)
    needs = Need.objects.unscoped().filter(owner=org, status__in=LISTED_STATUSES).order_by("pk")[:2]
    achievements = (
        Achievement.objects.unscoped().filter(owner=org, status__in=LISTED_STATUSES).order_by("pk")[:2]
    )
    reg.needs.set(needs)
    reg.achievements.set(achievements)
    return reg


def _agenda(start: Any) -> str:
    """The programme in the event's own hours: one-to-one meetings start two hours in (meetings_start)."""
    steps = ((0, "签到"), (30, "主办方致辞与政策解读"), (60, "项目路演"), (120, "一对一洽谈"), (180, "结束"))
    local = timezone.localtime(start)
    return "\n".join(f"{(local + timedelta(minutes=m)):%H:%M} {what}" for m, what in steps)


def _event(
    ctx: DemoContext,
    organiser: Organization,
    creator: Any,
    *,
    start: Any,
    kind: str,
    sector: str,
    title: str,
    status: str,
) -> Event:
    label = next(s.label for s in SECTORS if s.key == sector)
    return Event.objects.create(
        title=title,
        kind=kind,
        organiser=organiser,
        summary=(
            f"围绕{label}产业链，组织企业技术需求方与高校院所成果方面对面洽谈；"
            "现场设一对一洽谈桌，会后由技术经理人跟进对接成果。"
        ),
        fields=f"{label}、产业链协同",
        audience="企业、高校院所、投资机构、技术经理人",
        agenda=_agenda(start),
        starts_at=start,
        ends_at=start + timedelta(hours=3),
        venue="临沂市兰山区沂蒙科技大市场路演厅",
        capacity=30,
        registration_deadline=start - timedelta(days=1),
        requires_approval=kind == Event.Kind.ROADSHOW,
        meetings_start=start + timedelta(hours=2),
        meeting_minutes=15,
        meeting_slots=4,
        meeting_tables=4,
        status=status,
        published_at=start - timedelta(days=20),
        created_by=creator,
    )


def _meet(
    event: Event, a: Registration, b: Registration, slot: int | None, table: int | None, outcome: str
) -> MeetingRequest:
    m = MeetingRequest.objects.create(
        event=event, requested_by=a.user, requester=a, invitee=b, status=MeetingRequest.Status.ACCEPTED,
        message="希望就贵方的成果/需求做进一步交流。", slot=slot, table=table, outcome=outcome,
        rating=None if outcome in ("", Out.NOT_HELD) else 4, outcome_by=a.user if outcome else None,
        decided_by=b.user, decided_at=event.starts_at - timedelta(days=2),
        outcome_at=event.ends_at if outcome else None,
    )  # fmt: skip
    if slot is not None:
        MeetingSeat.objects.bulk_create(
            [
                MeetingSeat(meeting=m, registration=a, slot=slot),
                MeetingSeat(meeting=m, registration=b, slot=slot),
            ]
        )
    return m


def _open_engagement(meeting: MeetingRequest, marker: Any) -> int | None:
    """Mark a held meeting 已立项对接 through the service, so the engagement opens as on the site (led by the
    broker the rule finds, linked back to its event); then move the dates back to the event's end."""
    marked = services.meeting_record_outcome(
        meeting=meeting,
        acting_user=marker,
        outcome=Out.ENGAGEMENT,
        rating=5,
        note="双方约定会后两周内开展样品测试，由技术经理人跟进立项。",
    )
    ended = meeting.event.ends_at
    MeetingRequest.objects.filter(pk=marked.pk).update(outcome_at=ended)
    if marked.engagement_id is not None:
        Engagement.objects.unscoped().filter(pk=marked.engagement_id).update(
            created_at=ended, stage_entered_at=ended
        )
        StageEntry.objects.filter(engagement_id=marked.engagement_id).update(entered_at=ended)
    return marked.engagement_id


def _sign(ctx: DemoContext, meeting: MeetingRequest, marker: Any) -> int | None:
    """已签约: the meeting opened an engagement (as on the site), which its broker carried to a deal after the
    event; the meeting is then marked 已签约. The contracts builder records the contract of that deal, so the
    event's 合同成交额 counts something. The stages are spread between the event's end and today."""
    from .engagements import _walk

    engagement_id = _open_engagement(meeting, marker)
    if engagement_id is None:  # no broker covers the enterprise: signed all the same, without an engagement
        services.meeting_record_outcome(meeting=meeting, acting_user=marker, outcome=Out.AGREEMENT, rating=5)
        MeetingRequest.objects.filter(pk=meeting.pk).update(outcome_at=meeting.event.ends_at)
        return None
    engagement = Engagement.objects.unscoped().get(pk=engagement_id)
    broker = engagement.lead_broker
    _walk(ctx, engagement, Stage.TRANSACTION, broker)
    for item in ChecklistItem.objects.filter(stage=engagement.stage, required=True, is_active=True):
        engagement_services.checklist_tick(engagement=engagement, item=item, acting_user=broker)
    engagement_services.engagement_move(
        engagement=engagement, action="deal", acting_user=broker, reason="双方在对接活动洽谈后签订技术合同。"
    )
    services.meeting_record_outcome(
        meeting=meeting, acting_user=marker, outcome=Out.AGREEMENT, rating=5, note="会后完成中试验证并签约。"
    )
    ended = meeting.event.ends_at
    entries = list(StageEntry.objects.filter(engagement_id=engagement_id).order_by("entered_at", "pk"))
    step = (timezone.now() - timedelta(days=7) - ended) / max(1, len(entries))
    for i, entry in enumerate(entries):
        entry.entered_at = ended + step * i
        entry.left_at = entry.entered_at if i == len(entries) - 1 else ended + step * (i + 1)
        entry.save(update_fields=["entered_at", "left_at"])
        Activity.objects.filter(engagement_id=engagement_id, stage=entry.stage).update(
            happened_on=timezone.localtime(entry.entered_at).date()
        )
    closed = entries[-1].entered_at
    Engagement.objects.unscoped().filter(pk=engagement_id).update(
        created_at=ended, stage_entered_at=closed, closed_at=closed
    )
    MeetingRequest.objects.filter(pk=meeting.pk).update(outcome_at=ended)
    return engagement_id


def build(ctx: DemoContext) -> None:
    operator = ctx.users["demo_operator"]
    organiser = next(o for o in ctx.orgs[K.SERVICE] if o.is_platform_operator)
    now = timezone.localtime().replace(minute=0, second=0, microsecond=0)
    opened = signed = 0
    showcase = ctx.users["demo_enterprise"].memberships.first().organization_id
    owed = False
    for n, (months_ago, kind, sector, title) in enumerate(PAST, start=1):
        start = (now - timedelta(days=30 * months_ago)).replace(hour=9)
        event = _event(
            ctx,
            organiser,
            operator,
            start=start,
            kind=kind,
            sector=sector,
            title=title.format(n=n),
            status=Event.Status.CLOSED,
        )
        people = _people(ctx, sector, 6, 4)
        regs = [
            _register(event, o, u, R.ATTENDED if i % 4 else R.CONFIRMED, start - timedelta(days=10 - i))
            for i, (o, u) in enumerate(people)
        ]
        Registration.objects.filter(event=event, status=R.ATTENDED).update(
            checked_in_at=start - timedelta(minutes=20)
        )
        ents = [r for r in regs if r.organization and r.organization.kind == K.ENTERPRISE]
        unis = [r for r in regs if r not in ents]
        if kind == Event.Kind.ROADSHOW:  # the universities presented projects; enterprises showed interest
            Registration.objects.filter(pk__in=[r.pk for r in unis]).update(role=Registration.Role.PRESENTER)
            ProjectInterest.objects.bulk_create(
                [
                    ProjectInterest(presenter=p, participant=e, note="有意以技术许可方式合作，会后对接。")
                    for p in unis[:2]
                    for e in ents[:3]
                ]
            )
        for i, a in enumerate(ents):
            if not unis or i // len(unis) >= event.meeting_slots:
                break
            b = unis[i % len(unis)]
            outcome = OUTCOMES[(i + n) % len(OUTCOMES)]
            if owed and a.organization_id != showcase:
                outcome, owed = Out.AGREEMENT, False
            slot, table = i // len(unis), i % len(unis) + 1
            if outcome == Out.ENGAGEMENT:  # the enterprise marks it after the event: the engagement opens
                meeting = _meet(event, a, b, slot=slot, table=table, outcome="")
                opened += _open_engagement(meeting, a.user) is not None
            elif outcome == Out.AGREEMENT and a.organization_id == showcase:
                # the demo login's enterprise keeps its needs listed (a deal would mark them solved): it opens
                # an engagement, and the next enterprise of the event signs instead
                meeting = _meet(event, a, b, slot=slot, table=table, outcome="")
                opened += _open_engagement(meeting, a.user) is not None
                owed = True
            elif outcome == Out.AGREEMENT:  # ... and one went on to a deal and a contract
                meeting = _meet(event, a, b, slot=slot, table=table, outcome="")
                signed += _sign(ctx, meeting, a.user) is not None
            else:
                _meet(event, a, b, slot=slot, table=table, outcome=outcome)
        if len(ents) > 1 and unis:
            MeetingRequest.objects.create(
                event=event, requested_by=ents[-1].user, requester=ents[-1], invitee=unis[0],
                status=MeetingRequest.Status.DECLINED, decision_note="该方向暂无可转化成果，会后推荐其他团队。",
                decided_by=unis[0].user, decided_at=start - timedelta(days=3),
            )  # fmt: skip

    # The upcoming event, open for registration: the demo university is in with an achievement.
    start = (now + timedelta(days=14)).replace(hour=9)
    sector = next(iter(ctx.sectors.get(ctx.orgs[K.ENTERPRISE][0].pk, frozenset({"materials"}))))
    upcoming = _event(ctx, organiser, operator, start=start, kind=Event.Kind.MATCHMAKING, sector=sector,
                      title="“人才+企业+资本”供需对接会（本月）", status=Event.Status.PUBLISHED)  # fmt: skip
    university = ctx.users["demo_university"].memberships.first().organization
    _register(upcoming, university, ctx.users["demo_university"], R.CONFIRMED, now - timedelta(days=2))
    for o, u in _people(ctx, sector, 3, 2):
        if (
            u.pk != ctx.users["demo_university"].pk
            and o.pk != ctx.users["demo_staff"].memberships.first().organization_id
        ):
            _register(upcoming, o, u, R.CONFIRMED, now - timedelta(days=1))
    _event(ctx, organiser, operator, start=(now + timedelta(days=45)).replace(hour=14), kind=Event.Kind.ROADSHOW,
           sector=sector, title="季度汇演：科技成果转化项目路演（筹备中）", status=Event.Status.DRAFT)  # fmt: skip
    ctx.notes.append(
        f"对接活动：3 场往期活动（含洽谈与成果，{opened} 场洽谈已立项对接并开启对接项目，"
        f"{signed} 场洽谈后签约），1 场报名中、1 场草稿"
    )
