"""Writes on engagements and caseloads: keyword-only, atomic, one audit record each; stage moves go
through the workflow (engagements.workflow), answers to recommendations through the request kernel."""

from datetime import date, datetime, time, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.core.text import word_list
from techmarket.workflow import engine
from techmarket.workflow.workdays import add_working_days

from . import events
from .models import (
    OPEN_STAGES,
    Activity,
    ActivityKind,
    Assignment,
    ChecklistItem,
    ChecklistTick,
    Engagement,
    EngagementProvider,
    Origin,
    ProviderRole,
    Stage,
    TerminationReason,
)
from .workflow import ENGAGEMENT, NEXT_STEP_DAYS

STALE_EDIT = _("该项目已被他人修改，请刷新页面后重新填写并保存（您的修改尚未保存）。")


def _may_run(user: Any, engagement: Engagement) -> bool:
    """Brokers of the engagement and operators run it (log activities, tick items, edit next steps)."""
    return bool(ENGAGEMENT.kinds(user, engagement) & {"broker", "operator"})


def _require_run(user: Any, engagement: Engagement) -> None:
    if not _may_run(user, engagement):
        raise PermissionDenied(_("只有本项目的经纪人和平台运营可以执行此操作。"))


def _is_broker(user: Any) -> bool:
    return bool(getattr(user, "is_active", False)) and roles.is_broker(user)


# --- opening ---------------------------------------------------------------------------------------------


def engagement_open(*, acting_user: Any, **fields: Any) -> Engagement:
    """Open an engagement at 发现对接 (brokers and operators); its need / achievement moves to 对接中.
    Fields: title, demand_org, supply_org, experts, lead_broker, need, achievement, origin, summary,
    recommendation."""
    if not roles.is_broker_or_operator(acting_user):
        raise PermissionDenied(_("只有经纪人和平台运营可以创建对接项目。"))
    return open_engagement_record(acting_user=acting_user, **fields)


@transaction.atomic
def open_engagement_record(
    *,
    acting_user: Any,
    title: str,
    demand_org: Any,
    supply_org: Any = None,
    experts: Any = (),
    lead_broker: Any = None,
    need: Any = None,
    achievement: Any = None,
    origin: str = Origin.MANUAL,
    summary: str = "",
    recommendation: Any = None,
) -> Engagement:
    """The opening itself, for callers that decided who may open it: ``engagement_open`` (brokers and
    operators) and ``from_events`` (a party to an event meeting, the lead broker found by its rule)."""
    lead_broker = lead_broker or acting_user
    experts = list(experts)
    errors: dict[str, str] = {}
    title = (title or "").strip()
    if len(title) < 4:
        errors["title"] = _("项目名称至少 4 个字。")
    if not _is_broker(lead_broker) and not (lead_broker == acting_user and roles.is_operator(acting_user)):
        errors["lead_broker"] = _("主办经纪人必须是在册的技术经纪人。")
    if supply_org is None and not experts:
        errors["supply_org"] = _("请填写供给方机构或至少一位专家。")
    if supply_org is not None and supply_org.pk == demand_org.pk:
        errors["supply_org"] = _("供给方与需求方不能是同一机构。")
    if need is not None and need.owner_id != demand_org.pk:
        errors["need"] = _("关联需求必须是需求方机构发布的需求。")
    if achievement is not None and supply_org is not None and achievement.owner_id != supply_org.pk:
        errors["achievement"] = _("关联成果必须属于供给方机构。")
    for item in (need, achievement):
        if item is not None and item.status not in ("published", "in_progress"):
            errors[item._meta.model_name] = _(
                "“%(t)s”当前状态为“%(s)s”，只有已发布或对接中的条目可以发起对接。"
            ) % {
                "t": item.title,
                "s": item.get_status_display(),
            }
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    engagement = Engagement.objects.create(
        title=title,
        summary=summary,
        origin=origin,
        need=need,
        achievement=achievement,
        recommendation=recommendation,
        demand_org=demand_org,
        supply_org=supply_org,
        lead_broker=lead_broker,
        stage=Stage.DISCOVERY,
        stage_entered_at=now,
        due_at=add_working_days(now, NEXT_STEP_DAYS),
        opened_by=acting_user,
    )
    if experts:
        engagement.experts.set(experts)
    events.record_stage(engagement, user=acting_user, now=now)
    audit_record(
        actor=acting_user,
        action="engagements.engagement.create",
        target=engagement,
        after={
            "title": title,
            "origin": origin,
            "demand_org": demand_org.pk,
            "supply_org": getattr(supply_org, "pk", None),
            "experts": [e.pk for e in experts],
            "lead_broker": lead_broker.pk,
            "need": getattr(need, "pk", None),
            "achievement": getattr(achievement, "pk", None),
        },
    )
    events.items_opened(engagement)
    return engagement


# --- stage moves -------------------------------------------------------------------------------------------


def engagement_move(
    *,
    engagement: Engagement,
    action: str,
    acting_user: Any,
    reason: str = "",
    termination_reason: str = "",
    expected_state: str | None = None,
    request: Any = None,
) -> Engagement:
    """Move the engagement along the chain (the workflow checks actors, checklist and staleness)."""
    changes: dict[str, Any] = {}
    if action in {"deal", "terminate"}:
        changes["ended_stage"] = engagement.stage
    if action == "terminate":
        if termination_reason not in TerminationReason.values:
            raise ValidationError({"termination_reason": _("请从列表中选择终止原因。")})
        changes["termination_reason"] = termination_reason
    return engine.transition(
        workflow=ENGAGEMENT,
        obj=engagement,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
        request=request,
        changes=changes,
    )


# --- editing (optimistic: two people saving at once, the second is refused) -------------------------------


def _end_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(18, 0)))


@transaction.atomic
def engagement_update(
    *,
    engagement: Engagement,
    acting_user: Any,
    expected_version: int,
    title: str | None = None,
    summary: str | None = None,
    next_step: str | None = None,
    next_step_on: date | None = None,
) -> Engagement:
    """Save the engagement's description and next step. ``expected_version`` is the version the person
    edited; if someone saved meanwhile, nothing is written and they are told to reload."""
    _require_run(acting_user, engagement)
    if not engagement.is_open:
        raise ValidationError(_("项目已结束（%(s)s），不能再修改。") % {"s": engagement.get_stage_display()})
    changes: dict[str, Any] = {}
    errors: dict[str, str] = {}
    if title is not None:
        title = title.strip()
        if len(title) < 4:
            errors["title"] = _("项目名称至少 4 个字。")
        changes["title"] = title
    if summary is not None:
        changes["summary"] = summary.strip()
    if next_step is not None:
        changes["next_step"] = next_step.strip()[:200]
    if next_step_on is not None:
        if next_step_on < timezone.localdate():
            errors["next_step_on"] = _("下一步日期不能早于今天。")
        changes["due_at"] = _end_of(next_step_on)
    if errors:
        raise ValidationError(errors)
    changes = {k: v for k, v in changes.items() if getattr(engagement, k) != v}
    if not changes:
        return engagement
    before = {k: getattr(engagement, k) for k in changes}
    updated = (
        Engagement.objects.unscoped()
        .filter(pk=engagement.pk, version=expected_version)
        .update(version=expected_version + 1, updated_at=timezone.now(), **changes)
    )
    if updated != 1:
        raise ValidationError(STALE_EDIT, code="stale")
    for k, v in changes.items():
        setattr(engagement, k, v)
    engagement.version = expected_version + 1
    audit_record(
        actor=acting_user,
        action="engagements.engagement.update",
        target=engagement,
        before=before,
        after=changes,
    )
    return engagement


@transaction.atomic
def engagement_set_assistants(*, engagement: Engagement, acting_user: Any, brokers: Any) -> Engagement:
    if not (roles.is_operator(acting_user) or engagement.lead_broker_id == acting_user.pk):
        raise PermissionDenied(_("只有主办经纪人和平台运营可以调整协办经纪人。"))
    brokers = [b for b in brokers if b.pk != engagement.lead_broker_id]
    bad = [str(b) for b in brokers if not _is_broker(b)]
    if bad:
        raise ValidationError({"brokers": _("以下用户不是技术经纪人：%(u)s") % {"u": word_list(bad)}})
    before = sorted(engagement.assisting_brokers.values_list("pk", flat=True))
    engagement.assisting_brokers.set(brokers)
    audit_record(
        actor=acting_user,
        action="engagements.engagement.set_assistants",
        target=engagement,
        before={"assisting_brokers": before},
        after={"assisting_brokers": sorted(b.pk for b in brokers)},
    )
    return engagement


@transaction.atomic
def engagement_add_provider(
    *, engagement: Engagement, acting_user: Any, organization: Any, role: str
) -> EngagementProvider:
    _require_run(acting_user, engagement)
    if role not in ProviderRole.values:
        raise ValidationError({"role": _("请选择服务角色。")})
    if organization.pk in {engagement.demand_org_id, engagement.supply_org_id}:
        raise ValidationError({"organization": _("需求方或供给方不能同时作为服务机构加入。")})
    link, created = EngagementProvider.objects.get_or_create(
        engagement=engagement, organization=organization, role=role
    )
    if created:
        audit_record(
            actor=acting_user,
            action="engagements.engagement.add_provider",
            target=engagement,
            after={"organization": organization.pk, "role": role},
        )
    return link


# --- checklist and activities ------------------------------------------------------------------------------


@transaction.atomic
def checklist_tick(
    *, engagement: Engagement, item: ChecklistItem, acting_user: Any, done: bool = True, note: str = ""
) -> bool:
    """Tick (or untick) one item of the current stage's checklist; returns whether anything changed."""
    _require_run(acting_user, engagement)
    if item.stage != engagement.stage:
        raise ValidationError(
            _("只能勾选当前阶段（%(s)s）的检查项。") % {"s": engagement.get_stage_display()}
        )
    existing = ChecklistTick.objects.filter(engagement=engagement, item=item).first()
    if done and existing is None:
        ChecklistTick.objects.create(
            engagement=engagement, item=item, note=note.strip()[:300], done_by=acting_user
        )
    elif not done and existing is not None:
        existing.delete()
    else:
        return False
    audit_record(
        actor=acting_user,
        action="engagements.engagement.tick" if done else "engagements.engagement.untick",
        target=engagement,
        after={"item": item.label, "done": done},
    )
    return True


@transaction.atomic
def activity_log(
    *,
    engagement: Engagement,
    acting_user: Any,
    kind: str,
    happened_on: date,
    summary: str,
    participants: str = "",
) -> Activity:
    """Record a meeting, visit, call, sample test or proposal (attachments go through documents)."""
    _require_run(acting_user, engagement)
    errors: dict[str, str] = {}
    if kind not in ActivityKind.values:
        errors["kind"] = _("请选择活动类型。")
    if happened_on > timezone.localdate():
        errors["happened_on"] = _("活动日期不能晚于今天；计划中的事项请写在“下一步”。")
    elif happened_on < timezone.localdate(engagement.created_at) - timedelta(days=365):
        errors["happened_on"] = _("活动日期早于项目创建一年以上，请检查日期。")
    summary = (summary or "").strip()
    if len(summary) < 4:
        errors["summary"] = _("请填写活动纪要（至少 4 个字）。")
    if errors:
        raise ValidationError(errors)
    activity = Activity.objects.create(
        engagement=engagement,
        kind=kind,
        happened_on=happened_on,
        summary=summary,
        participants=participants.strip()[:300],
        stage=engagement.stage,
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="engagements.activity.create",
        target=engagement,
        after={"kind": kind, "happened_on": happened_on.isoformat(), "activity": activity.pk},
    )
    return activity


# --- caseloads ---------------------------------------------------------------------------------------------


def broker_covers(broker: Any, need: Any) -> bool:
    """Whether the need falls in the broker's declared fields (industry or region; a code covers sub-codes)."""
    fields = getattr(broker, "broker_fields", None)
    if fields is None:
        return False
    industry = need.industry_id or ""
    region = need.region_id or ""
    if industry and any(industry.startswith(c) for c in fields.industries.values_list("code", flat=True)):
        return True
    return bool(region) and any(
        region.startswith(c.rstrip("0") or c) for c in fields.regions.values_list("code", flat=True)
    )


@transaction.atomic
def need_assign(*, need: Any, broker: Any, acting_user: Any) -> Assignment:
    """An operator puts a need in a broker's caseload (replacing any previous broker)."""
    if not roles.is_operator(acting_user):
        raise PermissionDenied(_("只有平台运营可以分派需求。"))
    if not _is_broker(broker):
        raise ValidationError({"broker": _("只能分派给在册的技术经纪人。")})
    existing = Assignment.objects.filter(need=need).select_related("broker").first()
    before = {"broker": existing.broker_id} if existing else None
    if existing is not None and existing.broker_id == broker.pk:
        return existing
    if existing is not None:
        existing.delete()
    assignment = Assignment.objects.create(
        need=need, broker=broker, via=Assignment.Via.ASSIGNED, assigned_by=acting_user
    )
    audit_record(
        actor=acting_user,
        action="engagements.assignment.assign",
        target=need,
        before=before,
        after={"broker": broker.pk},
    )
    transaction.on_commit(lambda: _tell_broker(assignment.pk))
    return assignment


@transaction.atomic
def need_claim(*, need: Any, acting_user: Any) -> Assignment:
    """A broker takes an unassigned need in their fields into their caseload."""
    if not _is_broker(acting_user):
        raise PermissionDenied(_("只有技术经纪人可以认领需求。"))
    if need.status not in ("published", "in_progress"):
        raise ValidationError(_("只能认领已发布的需求。"))
    if Assignment.objects.select_for_update().filter(need=need).exists():
        raise ValidationError(_("该需求已有经纪人负责，不能重复认领。"))
    if not broker_covers(acting_user, need):
        raise ValidationError(_("该需求不在您登记的服务领域（行业、地区）内；请联系平台运营分派。"))
    try:
        with transaction.atomic():
            assignment = Assignment.objects.create(need=need, broker=acting_user, via=Assignment.Via.CLAIMED)
    except IntegrityError:  # another broker claimed it a moment ago (SQLite has no row lock)
        raise ValidationError(_("该需求已有经纪人负责，不能重复认领。")) from None
    audit_record(
        actor=acting_user,
        action="engagements.assignment.claim",
        target=need,
        after={"broker": acting_user.pk},
    )
    return assignment


def _tell_broker(assignment_pk: int) -> None:
    from techmarket.notifications.services import notify_users

    a = Assignment.objects.select_related("need", "broker").filter(pk=assignment_pk).first()
    if a is None:
        return
    from django.urls import reverse

    notify_users(
        users=[a.broker],
        title=_("平台运营向您分派了需求：%(t)s") % {"t": a.need.title},
        body=_("请在工作台“我的案源”中查看并跟进。"),
        url=reverse("engagements:caseload"),
        item_key=f"assign:{a.pk}",
    )


__all__ = [
    "OPEN_STAGES",
    "engagement_open",
    "engagement_move",
    "engagement_update",
    "engagement_set_assistants",
    "engagement_add_provider",
    "checklist_tick",
    "activity_log",
    "need_assign",
    "need_claim",
    "broker_covers",
]
