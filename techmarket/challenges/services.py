"""Writes on challenges: keyword-only, atomic, audited; lifecycles through the workflow engine."""

from datetime import date, datetime, time
from decimal import Decimal, InvalidOperation
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as _noop

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.core.money import money
from techmarket.core.text import word_list
from techmarket.decisions.models import RequestStatus
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.experts.models import Expert
from techmarket.workflow import engine
from techmarket.workflow.workdays import add_working_days

from . import panels
from .models import Application, Batch, Challenge, Milestone, Objection, Panel, Question
from .request_types import APPLICATION, OBJECTION
from .workflow import CHALLENGE, MILESTONE, is_challenge_operator, upheld_objections  # noqa: F401 - used by views

SHANGHAI = ZoneInfo("Asia/Shanghai")
CHALLENGE_FIELDS = (
    "title",
    "problem",
    "targets",
    "deliverables",
    "funding_total",
    "enterprise_share",
    "government_share",
    "duration_months",
    "eligibility",
    "eligible_kinds",
    "criteria",
    "contact",
    "industry",
    "deadline",
    "mode",
    "batch",
    "need",
)


def _money(value: Any) -> Decimal | None:
    try:
        d = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        return None
    return d if d.is_finite() else None


def validate_challenge(data: dict[str, Any]) -> None:
    """THE rules of a challenge (pages and API both end here); one ValidationError naming every wrong field."""
    errors: dict[str, str] = {}
    if len((data.get("title") or "").strip()) < 4:
        errors["title"] = _("榜单名称至少 4 个字，请写清要攻关的技术问题。")
    if len((data.get("problem") or "").strip()) < 10:
        errors["problem"] = _("请描述技术难题（至少 10 个字）。")
    total, ent, gov = (_money(data.get(k)) for k in ("funding_total", "enterprise_share", "government_share"))
    if total is None or total <= 0:
        errors["funding_total"] = _("请填写榜单总金额（元），应大于 0。")
    if ent is None or ent < 0:
        errors["enterprise_share"] = _("请填写企业出资（元），不能为负数。")
    if gov is None or gov < 0:
        errors["government_share"] = _("财政支持（元）不能为负数。")
    if total is not None and ent is not None and gov is not None and "funding_total" not in errors:
        if ent + gov != total:
            errors["funding_total"] = _(
                "经费来源合计不等于榜单总金额：企业出资 %(e)s + 财政支持 %(g)s = %(s)s，总金额为 %(t)s。"
            ) % {
                "e": money(ent, "元"),
                "g": money(gov, "元"),
                "s": money(ent + gov, "元"),
                "t": money(total, "元"),
            }
        minimum = settings.CHALLENGE_MIN_ENTERPRISE_SHARE
        if ent < minimum:
            errors["enterprise_share"] = _("企业出资不得低于 %(m)s（现为 %(v)s）。") % {
                "m": money(minimum, "万元"),
                "v": money(ent, "万元"),
            }
    criteria = data.get("criteria") or []
    names = set()
    for c in criteria:
        weight = _money(c.get("weight")) if isinstance(c, dict) else None
        name = (c.get("name") or "").strip() if isinstance(c, dict) else ""
        if not name or weight is None or weight <= 0:
            errors["criteria"] = _("每项评审指标都要有名称和大于 0 的权重。")
            break
        if name in names:
            errors["criteria"] = _("评审指标“%(n)s”重复。") % {"n": name}
            break
        names.add(name)
    if not criteria and "criteria" not in errors:
        errors["criteria"] = _("请至少设置一项评审指标及其权重。")
    for t in data.get("targets") or []:
        if (
            not isinstance(t, dict)
            or not (t.get("indicator") or "").strip()
            or not str(t.get("value") or "").strip()
        ):
            errors["targets"] = _("每项量化指标都要写明指标名称和目标值。")
            break
    deadline = data.get("deadline")
    if not isinstance(deadline, datetime):
        errors["deadline"] = _("请填写揭榜截止时间。")
    months = data.get("duration_months")
    if not isinstance(months, int) or not 1 <= months <= 60:
        errors["duration_months"] = _("攻关周期应为 1–60 个月。")
    if errors:
        raise ValidationError(errors)


def may_create_for(user: Any, owner: Any) -> bool:
    return is_challenge_operator(user) or roles.is_org_member(user, owner)


def challenge_create(*, owner: Any, acting_user: Any, **data: Any) -> Challenge:
    if not may_create_for(acting_user, owner):
        raise PermissionDenied(_("只有发榜企业的成员或平台运营可以创建该企业的榜单。"))
    unknown = set(data) - set(CHALLENGE_FIELDS)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": word_list(sorted(unknown))})
    validate_challenge(data)
    with transaction.atomic():
        challenge = Challenge.objects.create(owner=owner, created_by=acting_user, **data)
        audit_record(
            actor=acting_user,
            action="challenges.challenge.create",
            target=challenge,
            after=snapshot(challenge),
        )
    return challenge


def challenge_update(*, challenge: Challenge, acting_user: Any, **changes: Any) -> Challenge:
    if not (is_challenge_operator(acting_user) or roles.is_org_member(acting_user, challenge.owner)):
        raise PermissionDenied(_("您无权修改该榜单。"))
    if challenge.status not in (Challenge.Status.DRAFT, Challenge.Status.PENDING):
        raise ValidationError(_("榜单发布后不能再修改；如需更正请联系平台运营。"))
    data = {k: getattr(challenge, k) for k in CHALLENGE_FIELDS}
    data.update(changes)
    validate_challenge(data)
    with transaction.atomic():
        before = snapshot(challenge)
        for k, v in changes.items():
            setattr(challenge, k, v)
        challenge.save()
        audit_record(
            actor=acting_user,
            action="challenges.challenge.update",
            target=challenge,
            before=before,
            after=snapshot(challenge),
        )
    return challenge


def from_need(need: Any) -> dict[str, Any]:
    """A challenge's first draft from an enterprise need: the need's text and parameters carry over."""
    targets = [
        {
            "indicator": p.get("indicator", ""),
            "value": p.get("target", ""),
            "unit": p.get("unit", ""),
            "method": "",
        }
        for p in need.parameters or []
        if isinstance(p, dict)
    ]
    budget = (need.budget_max or need.budget_min or Decimal("100")) * Decimal(10000)  # 万元 -> 元
    return {
        "title": need.title,
        "problem": "\n\n".join(x for x in (need.summary, need.problem) if x),
        "targets": targets,
        "deliverables": need.expected_outcome or "",
        "funding_total": budget,
        "enterprise_share": budget,
        "government_share": Decimal("0"),
        "industry": need.industry,
        "need": need,
    }


def challenge_move(
    *,
    challenge: Challenge,
    action: str,
    acting_user: Any,
    reason: str = "",
    expected_state: str | None = None,
) -> Challenge:
    if action in ("propose_award", "propose_assembled", "re_review", "reassemble", "award", "complete"):
        raise ValidationError(_("该操作需要在对应页面填写完整信息后提交。"))
    return engine.transition(
        workflow=CHALLENGE,
        obj=challenge,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )


def batch_create(
    *, acting_user: Any, title: str, kind: str, year: int, description: str = "", publish: bool = True
) -> Batch:
    if not is_challenge_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或科技局可以发布榜单批次。"))
    with transaction.atomic():
        batch = Batch.objects.create(
            title=title,
            kind=kind,
            year=year,
            description=description,
            created_by=acting_user,
            published_at=timezone.now() if publish else None,
        )
        audit_record(actor=acting_user, action="challenges.batch.create", target=batch, after=snapshot(batch))
    return batch


# --- applications ---------------------------------------------------------------------------------


def deadline_passed(challenge: Challenge, now: datetime | None = None) -> bool:
    """Server time against the deadline; the deadline itself is the first refused instant."""
    return (now or timezone.now()) >= challenge.deadline


def _deadline_message(challenge: Challenge) -> str:
    return _("揭榜截止时间（北京时间 %(d)s）已过，不再接受申报或修改。") % {
        "d": timezone.localtime(challenge.deadline, SHANGHAI).strftime("%Y-%m-%d %H:%M")
    }


def _validate_application(
    challenge: Challenge, organization: Any, lead_expert: Expert, data: dict[str, Any]
) -> dict[str, Any]:
    errors: dict[str, str] = {}
    if challenge.status != Challenge.Status.OPEN:
        raise ValidationError(
            _("该榜单当前不在揭榜期（状态：%(s)s）。") % {"s": challenge.get_status_display()}
        )
    if organization.pk == challenge.owner_id:
        errors["organization"] = _("发榜企业不能揭自己的榜。")
    kinds = challenge.eligible_kinds or []
    if kinds and organization.kind not in kinds:
        errors["organization"] = _("该榜单只接受以下类型的机构揭榜：%(k)s。") % {
            "k": word_list(str(dict(organization.Kind.choices).get(k, k)) for k in kinds)
        }
    if organization.status != organization.Status.APPROVED:
        errors["organization"] = _("牵头单位尚未通过平台审核。")
    if not lead_expert.is_active:
        errors["lead_expert"] = _("团队负责人的专家档案已停用。")
    if len((data.get("plan") or "").strip()) < 20:
        errors["plan"] = _("请写明技术方案（至少 20 个字）。")
    budget, milestones = data.get("budget") or [], data.get("milestones_plan") or []
    total = Decimal("0")
    for row in budget:
        amount = _money(row.get("amount")) if isinstance(row, dict) else None
        if amount is None or amount < 0 or not (row.get("item") or "").strip():
            errors["budget"] = _("经费预算每一行都要有科目和不小于 0 的金额（元）。")
            break
        total += amount
    if not budget:
        errors["budget"] = _("请填写经费预算。")
    elif "budget" not in errors and total > challenge.funding_total:
        errors["budget"] = _("经费预算合计 %(t)s超过榜单总金额 %(m)s。") % {
            "t": money(total, "元"),
            "m": money(challenge.funding_total, "元"),
        }
    if not milestones:
        errors["milestones_plan"] = _("请至少填写一个里程碑（名称、交付物、完成日期）。")
    for row in milestones:
        due = row.get("due") if isinstance(row, dict) else None
        try:
            due_date = due if isinstance(due, date) else date.fromisoformat(str(due))
        except ValueError:
            errors["milestones_plan"] = _("里程碑完成日期格式应为 YYYY-MM-DD。")
            break
        if not (row.get("title") or "").strip() or not (row.get("deliverable") or "").strip():
            errors["milestones_plan"] = _("每个里程碑都要写明名称和交付物。")
            break
        amount = _money(row.get("amount") or 0)
        if amount is None or amount < 0:
            errors["milestones_plan"] = _("里程碑拨付金额不能为负数。")
            break
        row["due"] = due_date.isoformat()
        row["amount"] = str(amount)
    if "milestones_plan" not in errors:
        tranches = sum((Decimal(str(r.get("amount") or 0)) for r in milestones), Decimal("0"))
        if tranches > challenge.funding_total:
            errors["milestones_plan"] = _("里程碑拨付金额合计 %(t)s超过榜单总金额 %(m)s。") % {
                "t": money(tranches, "元"),
                "m": money(challenge.funding_total, "元"),
            }
    if errors:
        raise ValidationError(errors)
    return data


def application_submit(
    *,
    challenge: Challenge,
    organization: Any,
    lead_expert: Expert,
    members: list[Expert],
    acting_user: Any,
    plan: str,
    budget: list[dict[str, Any]],
    milestones_plan: list[dict[str, Any]],
    prior_results: str = "",
    now: datetime | None = None,
) -> Application:
    """A team applies (揭榜): eligibility checked on submit, nothing accepted after the deadline."""
    if not roles.is_org_member(acting_user, organization):
        raise PermissionDenied(_("只能以您所在的机构作为牵头单位揭榜。"))
    if challenge.mode == Challenge.Mode.ASSEMBLED:
        raise ValidationError(_("该榜单为组阁制，攻关团队由平台从专家库中组建，不接受自行揭榜。"))
    if deadline_passed(challenge, now):
        raise ValidationError(_deadline_message(challenge))
    data = _validate_application(
        challenge,
        organization,
        lead_expert,
        {"plan": plan, "budget": budget, "milestones_plan": milestones_plan},
    )
    application = Application(
        challenge=challenge,
        requested_by=acting_user,
        organization=organization,
        lead_expert=lead_expert,
        plan=plan.strip(),
        budget=data["budget"],
        milestones_plan=data["milestones_plan"],
        prior_results=prior_results.strip(),
    )
    try:
        with transaction.atomic():
            request_open(
                request_type=APPLICATION,
                obj=application,
                acting_user=acting_user,
                audit_verb="submit",
                after={
                    "status": RequestStatus.PENDING,
                    "challenge": challenge.pk,
                    "organization": organization.pk,
                },
            )
            application.members.set([m for m in members if m.pk != lead_expert.pk])
    except IntegrityError:
        raise ValidationError(_("贵单位已揭此榜，可在截止前修改已提交的申报。")) from None
    return application


def application_update(
    *, application: Application, acting_user: Any, now: datetime | None = None, **changes: Any
) -> Application:
    """Edits until the deadline, by the team, while the application is still pending."""
    from .selectors import is_team

    if not is_team(acting_user, application):
        raise PermissionDenied(_("只有申报团队可以修改申报材料。"))
    if application.status != RequestStatus.PENDING:
        raise ValidationError(_("该申报已%(s)s，不能修改。") % {"s": application.get_status_display()})
    if deadline_passed(application.challenge, now):
        raise ValidationError(_deadline_message(application.challenge))
    members = changes.pop("members", None)
    data = {k: changes.get(k, getattr(application, k)) for k in ("plan", "budget", "milestones_plan")}
    _validate_application(application.challenge, application.organization, application.lead_expert, data)
    with transaction.atomic():
        before = snapshot(application, ["plan", "budget", "milestones_plan", "prior_results"])
        for k, v in changes.items():
            setattr(application, k, v)
        application.save()
        if members is not None:
            application.members.set([m for m in members if m.pk != application.lead_expert_id])
        audit_record(
            actor=acting_user,
            action="challenges.application.update",
            target=application,
            before=before,
            after=snapshot(application, ["plan", "budget", "milestones_plan", "prior_results"]),
        )
    return application


def application_withdraw(*, application: Application, acting_user: Any) -> Application:
    return request_withdraw(request_type=APPLICATION, obj=application, acting_user=acting_user)


# --- review, publicity and award ------------------------------------------------------------------


def selection_panel(challenge: Challenge) -> Any:
    """The challenge's current selection panel (the newest: a re-review after an objection adds one)."""
    return panels.panels_of(challenge, purpose=Panel.Purpose.SELECTION).first()


def acceptance_panel(challenge: Challenge) -> Any:
    return panels.panels_of(challenge, purpose=Panel.Purpose.ACCEPTANCE).first()


def challenge_panel_create(*, challenge: Challenge, acting_user: Any, trimmed: bool = False) -> Any:
    """The selection panel; a second one only for a re-review after an objection upheld in 公示."""
    if challenge.status != Challenge.Status.REVIEWING:
        raise ValidationError(_("榜单截止揭榜、进入评审后才能组建评审组。"))
    latest = selection_panel(challenge)
    if latest is not None:
        re_review = (
            latest.status == Panel.Status.CLOSED
            and challenge.publicity_started_at is not None
            and latest.closed_at is not None
            and latest.closed_at <= challenge.publicity_started_at
        )
        if not re_review:
            raise ValidationError(_("该榜单已有评审组。"))
    return panels.panel_create(
        subject=challenge,
        entry_model=Application,
        title=_("%(t)s 专家评审") % {"t": challenge.title},
        criteria=[(c["name"], Decimal(str(c["weight"]))) for c in challenge.criteria],
        acting_user=acting_user,
        trimmed=trimmed,
    )


def challenge_propose_award(
    *, challenge: Challenge, application: Application, acting_user: Any, reason: str
) -> Challenge:
    """The operator picks the team (with reasons) after the panel closed; the publicity period starts."""
    if application.challenge_id != challenge.pk or application.status != RequestStatus.PENDING:
        raise ValidationError(_("只能从本榜单有效的申报中确定拟揭榜团队。"))
    panel = selection_panel(challenge)
    if panel is None or panel.status != panel.Status.CLOSED:
        raise ValidationError(_("专家评审结束后才能确定拟揭榜团队。"))
    until = add_working_days(timezone.now(), settings.CHALLENGE_PUBLICITY_WORKING_DAYS)
    return engine.transition(
        workflow=CHALLENGE,
        obj=challenge,
        action="propose_award",
        acting_user=acting_user,
        reason=reason,
        changes={"proposed_application": application, "publicity_until": until},
    )


def objection_raise(*, challenge: Challenge, acting_user: Any, text: str) -> Objection:
    if challenge.status != Challenge.Status.PUBLICITY:
        raise ValidationError(_("只能在公示期内提出异议。"))
    if len(text.strip()) < 10:
        raise ValidationError({"text": _("请写明异议的事实和理由（至少 10 个字）。")})
    return request_open(
        request_type=OBJECTION,
        obj=Objection(challenge=challenge, raised_by=acting_user, text=text.strip()),
        acting_user=acting_user,
        audit_verb="raise",
    )


def objection_answer(*, objection: Objection, acting_user: Any, upheld: bool, answer: str) -> Objection:
    if not answer.strip():
        raise ValidationError({"reason": _("请填写对异议的答复，异议人会看到它。")})
    return request_decide(
        request_type=OBJECTION, obj=objection, acting_user=acting_user, approve=upheld, reason=answer
    )


def challenge_re_review(*, challenge: Challenge, acting_user: Any, reason: str) -> Challenge:
    """An objection upheld in 公示: back to review. The operator decides again on the closed panel's
    ranking or forms a new panel; the proposal and its publicity period are cleared."""
    return engine.transition(
        workflow=CHALLENGE,
        obj=challenge,
        action="re_review",
        acting_user=acting_user,
        reason=reason,
        changes={"proposed_application": None, "publicity_until": None},
    )


def challenge_reassemble(*, challenge: Challenge, acting_user: Any, reason: str) -> Challenge:
    """组阁制 after an upheld objection: the assembled team is not selected (told why) and the operator
    assembles again from the invited experts."""
    proposed = challenge.proposed_application
    with transaction.atomic():
        engine.transition(
            workflow=CHALLENGE,
            obj=challenge,
            action="reassemble",
            acting_user=acting_user,
            reason=reason,
            changes={"proposed_application": None, "publicity_until": None},
        )
        if proposed is not None and proposed.status == RequestStatus.PENDING:
            request_decide(
                request_type=APPLICATION, obj=proposed, acting_user=acting_user, approve=False, reason=reason
            )
    return challenge


def _end_of_day(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=SHANGHAI)


def challenge_award(
    *, challenge: Challenge, acting_user: Any, reason: str = "", now: datetime | None = None
) -> Challenge:
    """After the publicity period, with every objection answered: the proposed team wins (揭榜成功), the
    others are told why not, and the winner's milestone plan becomes the milestones to execute."""
    if not is_challenge_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或科技局可以确认揭榜结果。"))
    now = now or timezone.now()
    if challenge.publicity_until and now < challenge.publicity_until:
        raise ValidationError(
            _("公示期至 %(d)s，公示结束后才能确认揭榜成功。")
            % {"d": timezone.localtime(challenge.publicity_until, SHANGHAI).strftime("%Y-%m-%d %H:%M")}
        )
    if Objection.objects.unscoped().filter(challenge=challenge, status=RequestStatus.PENDING).exists():
        raise ValidationError(_("还有未答复的公示异议，请先逐条答复。"))
    if upheld_objections(challenge).exists():
        raise ValidationError(_("有成立的公示异议，不能按原结果确认揭榜；请重新评审（组阁）或终止榜单。"))
    winner = challenge.proposed_application
    if winner is None:
        raise ValidationError(_("尚未确定拟揭榜团队。"))
    with transaction.atomic():
        request_decide(
            request_type=APPLICATION,
            obj=winner,
            acting_user=acting_user,
            approve=True,
            reason=reason or challenge.status_note,
        )
        others = Application.objects.unscoped().filter(challenge=challenge, status=RequestStatus.PENDING)
        for other in others.exclude(pk=winner.pk):
            request_decide(
                request_type=APPLICATION,
                obj=other,
                acting_user=acting_user,
                approve=False,
                reason=_("经专家评审和公示，本榜单由其他团队揭榜。感谢参与。"),
            )
        for i, row in enumerate(winner.milestones_plan, start=1):
            planned = date.fromisoformat(row["due"])
            Milestone.objects.create(
                application=winner,
                order=i,
                title=row["title"],
                deliverable=row["deliverable"],
                planned_date=planned,
                amount=Decimal(str(row.get("amount") or 0)),
                is_final=i == len(winner.milestones_plan),
                due_at=_end_of_day(planned),
            )
        engine.transition(
            workflow=CHALLENGE, obj=challenge, action="award", acting_user=acting_user, reason=reason
        )
        if roles.is_broker_or_operator(acting_user):
            challenge_open_engagement(challenge=challenge, acting_user=acting_user)
    return challenge


def challenge_open_engagement(*, challenge: Challenge, acting_user: Any) -> Any:
    """揭榜成功 opens an engagement between the enterprise and the winning team's organisation (once).

    Called by the award service with the acting operator (the workflow's after-commit listeners have no
    acting user, and engagements are opened by brokers and operators only); an award decided by the
    bureau leaves it to an operator, who opens it from the challenge page. Idempotent: a challenge that
    already has its engagement returns it unchanged."""
    from techmarket.engagements.models import Engagement, Origin
    from techmarket.engagements.services import engagement_open

    from .review import team_of

    if not roles.is_broker_or_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或技术经纪人可以开启对接项目。"))
    with transaction.atomic():
        locked = Challenge.objects.unscoped().select_for_update().get(pk=challenge.pk)
        if locked.engagement_id:
            challenge.engagement_id = locked.engagement_id
            return Engagement.objects.unscoped().get(pk=locked.engagement_id)
        winner = locked.proposed_application
        if locked.status not in (Challenge.Status.AWARDED, Challenge.Status.COMPLETED) or winner is None:
            raise ValidationError(_("揭榜成功后才能开启对接项目。"))
        need = locked.need
        if need is not None and (
            need.owner_id != locked.owner_id or need.status not in ("published", "in_progress")
        ):
            need = None  # a closed or foreign need is not linked; the engagement still opens
        engagement = engagement_open(
            acting_user=acting_user,
            title=(_("揭榜挂帅：%(t)s") % {"t": locked.title})[:120],
            demand_org=locked.owner,
            supply_org=winner.organization,
            experts=team_of(winner),
            need=need,
            origin=Origin.NEED if need is not None else Origin.MANUAL,
            summary=_("榜单“%(t)s”揭榜成功，由%(o)s（负责人 %(l)s）揭榜。%(r)s")
            % {
                "t": locked.title,
                "o": winner.organization.name,
                "l": winner.lead_expert.name,
                "r": locked.status_note,
            },
        )
        locked.engagement = engagement
        locked.save(update_fields=["engagement", "updated_at"])
        challenge.engagement = engagement
        audit_record(
            actor=acting_user,
            action="challenges.challenge.open_engagement",
            target=locked,
            after={"engagement": engagement.pk, "supply_org": winner.organization_id},
        )
    return engagement


def milestone_move(
    *,
    milestone: Milestone,
    action: str,
    acting_user: Any,
    reason: str = "",
    note: str = "",
    expected_state: str | None = None,
) -> Milestone:
    if milestone.application.challenge.status != Challenge.Status.AWARDED:
        raise ValidationError(_("榜单不在实施阶段，里程碑不能变更。"))
    changes = {"submission_note": note.strip()} if action == "submit" and note.strip() else None
    return engine.transition(
        workflow=MILESTONE,
        obj=milestone,
        action=action,
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
        changes=changes,
    )


OUTCOME_FIELDS = ("outcome_products", "outcome_patents", "outcome_revenue", "outcome_taxes", "outcome_jobs")


ACCEPTANCE_CRITERIA = (
    (_noop("目标指标完成情况"), Decimal(50)),
    (_noop("交付成果质量"), Decimal(30)),
    (_noop("经费使用规范性"), Decimal(20)),
)


def _open_milestones(challenge: Challenge) -> int:
    winner = challenge.proposed_application
    return Milestone.objects.filter(application=winner).exclude(status=Milestone.Status.ACCEPTED).count()


def challenge_acceptance_panel_create(
    *, challenge: Challenge, acting_user: Any, trimmed: bool = False
) -> Any:
    """Final acceptance (验收) by a review panel, once every milestone is accepted: the panel scores the
    winning team's work; the operator then decides with reasons (challenge_complete)."""
    if challenge.status != Challenge.Status.AWARDED or challenge.proposed_application is None:
        raise ValidationError(_("揭榜成功、进入实施后才能组织验收评审。"))
    open_ms = _open_milestones(challenge)
    if open_ms:
        raise ValidationError(_("还有 %(n)s 个里程碑未通过验收，不能组织最终验收评审。") % {"n": open_ms})
    if acceptance_panel(challenge) is not None:
        raise ValidationError(_("该榜单已有验收评审组。"))
    return panels.panel_create(
        subject=challenge,
        entry_model=Application,
        title=_("%(t)s 结题验收评审") % {"t": challenge.title},
        criteria=[(_(name), weight) for name, weight in ACCEPTANCE_CRITERIA],
        acting_user=acting_user,
        trimmed=trimmed,
        purpose=Panel.Purpose.ACCEPTANCE,
    )


def challenge_complete(
    *, challenge: Challenge, acting_user: Any, reason: str = "", **outcomes: Any
) -> Challenge:
    """Final acceptance (验收): every milestone accepted, the acceptance panel closed; the operator decides
    with reasons; the panel's score and the outcomes are recorded with the move."""
    unknown = set(outcomes) - set(OUTCOME_FIELDS)
    if unknown:
        raise ValidationError(_("未知字段：%(f)s") % {"f": word_list(sorted(unknown))})
    winner = challenge.proposed_application
    open_ms = _open_milestones(challenge)
    if winner is None or open_ms:
        raise ValidationError(_("还有 %(n)s 个里程碑未通过验收，不能最终验收。") % {"n": open_ms})
    panel = acceptance_panel(challenge)
    if panel is None or panel.status != Panel.Status.CLOSED:
        raise ValidationError(_("验收评审组评审结束后才能作出最终验收结论。"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明验收结论的理由（团队和发榜企业会看到它）。")})
    for k, v in outcomes.items():
        if v is None or v < 0:
            raise ValidationError({k: _("成果数据不能为负数。")})
    row = next((r for r in panels.panel_results(panel) if r.entry.pk == winner.pk), None)
    return engine.transition(
        workflow=CHALLENGE,
        obj=challenge,
        action="complete",
        acting_user=acting_user,
        reason=reason,
        changes={**outcomes, "acceptance_score": row.score if row is not None else None},
    )


# --- public Q&A ------------------------------------------------------------------------------------


def question_ask(*, challenge: Challenge, acting_user: Any, text: str) -> Question:
    if challenge.status != Challenge.Status.OPEN:
        raise ValidationError(_("只能在揭榜期内提问。"))
    text = (text or "").strip()
    if len(text) < 5:
        raise ValidationError({"text": _("请把问题写清楚（至少 5 个字）。")})
    with transaction.atomic():
        question = Question.objects.create(challenge=challenge, asked_by=acting_user, text=text[:1000])
        audit_record(
            actor=acting_user,
            action="challenges.question.ask",
            target=challenge,
            after={"question": question.pk},
        )
    return question


def question_answer(*, question: Question, acting_user: Any, answer: str) -> Question:
    """The operator or the enterprise answers; the answer is public, the asker is never shown."""
    challenge = question.challenge
    if not (is_challenge_operator(acting_user) or roles.is_org_member(acting_user, challenge.owner)):
        raise PermissionDenied(_("只有平台运营或发榜企业可以答复。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")})
    with transaction.atomic():
        before = {"answer": question.answer}
        question.answer = answer[:3000]
        question.answered_by = acting_user
        question.answered_at = timezone.now()
        question.save()
        audit_record(
            actor=acting_user,
            action="challenges.question.answer",
            target=challenge,
            before=before,
            after={"answer": question.answer},
        )
    return question
