"""组阁制: the bureau/operator assembles the team for a challenge from the expert pool.

Experts are proposed by field (the challenge's GB/T 4754 major class), then by the matching engine's
suggestions for the source need; an expert with a conflict of interest with the enterprise (same
organisation, declared relation) is excluded and the reason shown. The operator invites experts (a
decision request: the expert accepts or declines), then assembles the team from those who accepted: the
team's application is created for them and the challenge goes to 公示 like an awarded proposal, after
which the award, the milestones and the engagement run as for an open call.
"""

from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.core.text import word_list
from techmarket.decisions.models import RequestStatus
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.experts.models import Expert
from techmarket.experts.selectors import conflicts_of_interest
from techmarket.orgs.models import Organization
from techmarket.workflow import engine
from techmarket.workflow.workdays import add_working_days

from .models import Application, Challenge, TeamInvitation
from .panels import Candidate
from .request_types import APPLICATION, TEAM_INVITATION
from .workflow import CHALLENGE, is_challenge_operator

LIVE = (RequestStatus.PENDING, RequestStatus.APPROVED)


def _require_assembling(challenge: Challenge, acting_user: Any) -> None:
    if not is_challenge_operator(acting_user):
        raise PermissionDenied(_("只有平台运营或科技局可以组阁。"))
    if challenge.mode != Challenge.Mode.ASSEMBLED:
        raise ValidationError(_("该榜单为揭榜制，由团队自行揭榜，不能组阁。"))
    if challenge.status != Challenge.Status.OPEN:
        raise ValidationError(
            _("榜单发布后、公示前才能组阁（当前状态：%(s)s）。") % {"s": challenge.get_status_display()}
        )


def team_conflicts(challenge: Challenge, expert: Expert) -> list[str]:
    """Why ``expert`` may not join the team that carries ``challenge`` (empty: no conflict), in words."""
    reasons = []
    for c in conflicts_of_interest(expert, [challenge.owner]):
        if c.reason == "affiliation":
            reasons.append(_("与发榜企业%(org)s为同一单位") % {"org": c.organization.name})
        else:
            reasons.append(_("申报了与发榜企业%(org)s的关联关系") % {"org": c.organization.name})
    if expert.user_id is None:
        reasons.append(_("没有平台账号，无法答复邀请"))
    if expert.affiliation_id is None:
        reasons.append(_("未填写所在单位，不能作为团队成员"))
    return reasons


def team_candidates(challenge: Challenge, *, limit: int = 30) -> tuple[list[Candidate], list[Candidate]]:
    """Experts proposed for the team, best first, and those excluded with every reason explained.

    Field codes first (the challenge's industry major class), then matching suggestions; experts already
    invited (pending or accepted) are left out."""
    from .review import _suggested

    invited = TeamInvitation.objects.unscoped().filter(challenge=challenge, status__in=LIVE)
    pool = (
        Expert.objects.unscoped()
        .filter(is_active=True)
        .exclude(pk__in=invited.values("expert_id"))
        .select_related("affiliation")
    )
    found: dict[int, Candidate] = {}
    if challenge.industry_id:
        by_field = pool.filter(Q(industries__code__startswith=str(challenge.industry_id)[:2])).distinct()
        for expert in by_field.order_by("pk")[: limit * 2]:
            found[expert.pk] = Candidate(expert, [_("研究领域与榜单所属行业相同")])
    suggested: list[int] = []
    invited_ids = set(invited.values_list("expert_id", flat=True))
    for expert in _suggested(challenge):
        if expert.pk in invited_ids or not expert.is_active:
            continue
        found.setdefault(expert.pk, Candidate(expert)).why.append(_("智能匹配推荐"))
        suggested.append(expert.pk)
    ranked = sorted(
        found.values(),
        key=lambda c: (
            -len(c.why),
            suggested.index(c.expert.pk) if c.expert.pk in suggested else 999,
            c.expert.pk,
        ),
    )
    proposed: list[Candidate] = []
    excluded: list[Candidate] = []
    for cand in ranked:
        cand.conflicts = team_conflicts(challenge, cand.expert)
        (excluded if cand.conflicts else proposed).append(cand)
    return proposed[:limit], excluded


def team_invite(
    *, challenge: Challenge, expert: Expert, acting_user: Any, message: str = ""
) -> TeamInvitation:
    """Ask an expert to join the team; refused, with the reasons, for an expert with a conflict."""
    _require_assembling(challenge, acting_user)
    if not expert.is_active:
        raise ValidationError(_("%(name)s 的专家档案已停用。") % {"name": expert.name})
    conflicts = team_conflicts(challenge, expert)
    if conflicts:
        raise ValidationError(
            _("%(name)s 不能受邀：%(why)s。") % {"name": expert.name, "why": "；".join(conflicts)}
        )
    invitation = TeamInvitation(
        challenge=challenge, expert=expert, invited_by=acting_user, message=(message or "").strip()[:1000]
    )
    try:
        with transaction.atomic():
            request_open(
                request_type=TEAM_INVITATION,
                obj=invitation,
                acting_user=acting_user,
                audit_verb="invite",
                after={"status": RequestStatus.PENDING, "challenge": challenge.pk, "expert": expert.pk},
            )
            transaction.on_commit(lambda: _tell_expert(invitation.pk))
    except IntegrityError:
        raise ValidationError(_("已邀请过 %(name)s，请等待其答复。") % {"name": expert.name}) from None
    return invitation


def _tell_expert(invitation_pk: int) -> None:
    from techmarket.notifications.services import notify_users

    invitation = (
        TeamInvitation.objects.unscoped().select_related("challenge", "expert__user").get(pk=invitation_pk)
    )
    notify_users(
        users=[invitation.expert.user],
        title=_("组阁邀请：%(t)s") % {"t": invitation.challenge.title},
        body=invitation.message or _("平台邀请您加入该揭榜挂帅项目的攻关团队，请在“我的揭榜”中接受或谢绝。"),
        url=reverse("challenges:applications"),
        item_key=f"challenge-invite:{invitation.pk}",
        email=True,
    )


def team_invitation_answer(
    *, invitation: TeamInvitation, acting_user: Any, accept: bool, reason: str = ""
) -> TeamInvitation:
    if invitation.challenge.status != Challenge.Status.OPEN:
        raise ValidationError(_("组阁已结束，不能再答复该邀请。"))
    return request_decide(
        request_type=TEAM_INVITATION, obj=invitation, acting_user=acting_user, approve=accept, reason=reason
    )


def team_invitation_withdraw(*, invitation: TeamInvitation, acting_user: Any) -> TeamInvitation:
    return request_withdraw(request_type=TEAM_INVITATION, obj=invitation, acting_user=acting_user)


def accepted_experts(challenge: Challenge) -> list[Expert]:
    return [
        i.expert
        for i in TeamInvitation.objects.unscoped()
        .filter(challenge=challenge, status=RequestStatus.APPROVED)
        .select_related("expert__affiliation", "expert__user")
    ]


def team_assemble(
    *,
    challenge: Challenge,
    lead_expert: Expert,
    members: list[Expert],
    acting_user: Any,
    plan: str,
    budget: list[dict[str, Any]],
    milestones_plan: list[dict[str, Any]],
    reason: str,
    now: datetime | None = None,
) -> Application:
    """The team (experts who accepted) becomes the challenge's proposed application; 公示 starts.

    The lead expert's organisation leads and the lead's account is the applicant, so the team runs the
    milestones exactly as an open-call winner does."""
    from .services import _validate_application

    _require_assembling(challenge, acting_user)
    accepted = {e.pk for e in accepted_experts(challenge)}
    not_accepted = [e.name for e in [lead_expert, *members] if e.pk not in accepted]
    if not_accepted:
        raise ValidationError(
            {
                "members": _("只能由已接受邀请的专家组阁：%(n)s 尚未接受邀请。")
                % {"n": word_list(not_accepted)}
            }
        )
    organization = lead_expert.affiliation
    if organization is None or lead_expert.user is None:
        raise ValidationError({"lead_expert": _("团队负责人须有所在单位和平台账号。")})
    if not reason.strip():
        raise ValidationError({"reason": _("请写明组阁的理由（将随公示发布）。")})
    if organization.status != Organization.Status.APPROVED:
        raise ValidationError({"lead_expert": _("团队负责人所在单位尚未通过平台审核。")})
    data = _validate_application(
        challenge,
        organization,
        lead_expert,
        {"plan": plan, "budget": budget, "milestones_plan": milestones_plan},
    )
    application = Application(
        challenge=challenge,
        requested_by=lead_expert.user,
        organization=organization,
        lead_expert=lead_expert,
        plan=plan.strip(),
        budget=data["budget"],
        milestones_plan=data["milestones_plan"],
    )
    until = add_working_days(now or timezone.now(), settings.CHALLENGE_PUBLICITY_WORKING_DAYS)
    with transaction.atomic():
        request_open(
            request_type=APPLICATION,
            obj=application,
            acting_user=acting_user,
            audit_verb="assemble",
            after={
                "status": RequestStatus.PENDING,
                "challenge": challenge.pk,
                "organization": organization.pk,
            },
        )
        application.members.set([m for m in members if m.pk != lead_expert.pk])
        engine.transition(
            workflow=CHALLENGE,
            obj=challenge,
            action="propose_assembled",
            acting_user=acting_user,
            reason=reason,
            changes={"proposed_application": application, "publicity_until": until},
        )
    return application
