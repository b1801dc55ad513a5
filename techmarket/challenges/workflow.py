"""The lifecycles of a challenge, a milestone and a review panel, declared on the workflow engine."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.orgs.models import Membership, Organization, Role
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow

from .models import Challenge, Milestone, Panel

C = Challenge.Status
M = Milestone.Status
P = Panel.Status
TEAM = "team"


def is_challenge_operator(user: Any) -> bool:
    """Operators run the platform; the bureau publishes batches and decides awards too."""
    return roles.is_operator(user) or roles.is_bureau(user)


def org_admins(organization: Organization) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization=organization, role=Role.ORG_ADMIN, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def operators() -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            role=Role.OPERATOR, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def challenge_kinds(user: Any, challenge: Challenge) -> set[str]:
    kinds = set()
    if is_challenge_operator(user):
        kinds.add(OPERATOR)
    if roles.is_org_member(user, challenge.owner):
        kinds.add(OWNER)
    return kinds


def _on_moved(challenge: Challenge, action: str) -> None:
    from .events import listener

    listener(challenge, action)


def upheld_objections(challenge: Challenge) -> Any:
    """Objections upheld in the current publicity round (an earlier round's are answered by its re-review)."""
    from .models import Objection

    qs = Objection.objects.unscoped().filter(challenge=challenge, status="approved")
    if challenge.publicity_started_at is not None:
        qs = qs.filter(created_at__gte=challenge.publicity_started_at)
    return qs


def _challenge_preconditions(challenge: Challenge, action: str) -> list[str]:
    if action in ("re_review", "reassemble") and not upheld_objections(challenge).exists():
        return [str(_("只有公示期内有成立的异议时才能重新评审或重新组阁。"))]
    if action == "re_review" and challenge.mode != Challenge.Mode.OPEN_CALL:
        return [str(_("组阁制榜单请重新组阁。"))]
    if action == "reassemble" and challenge.mode != Challenge.Mode.ASSEMBLED:
        return [str(_("揭榜制榜单请重新评审。"))]
    return []


def _published(challenge: Challenge, action: str) -> None:
    """Inside the publishing transaction: catalogue listeners (saved searches) owe their work via the outbox."""
    if action == "publish":
        from techmarket.catalog.events import listing_published

        listing_published(challenge)


CHALLENGE = engine.register(
    Workflow(
        name="challenges.challenge",
        listeners=(_on_moved,),
        events=(_published,),
        preconditions=_challenge_preconditions,
        model=Challenge,
        actor_kinds=challenge_kinds,
        reason_field="status_note",
        due_field="due_at",
        audit_prefix="challenges.challenge",
        responsible=lambda c: operators(),
        url=lambda c: reverse("challenges:detail", args=[c.pk]),
        actions={
            "submit": Action(_("提交发布"), (C.DRAFT,), C.PENDING, (OWNER, OPERATOR), due_working_days=5),
            "publish": Action(
                _("发布榜单"), (C.DRAFT, C.PENDING), C.OPEN, (OPERATOR,), keep_stamps=("published_at",)
            ),
            "send_back": Action(
                _("退回修改"),
                (C.PENDING,),
                C.DRAFT,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("退回时请写明需要修改的内容，发榜企业会看到它。"),
            ),
            "start_review": Action(
                _("截止揭榜，进入评审"), (C.OPEN,), C.REVIEWING, (OPERATOR,), due_working_days=20
            ),
            "propose_award": Action(
                _("确定拟揭榜团队并公示"),
                (C.REVIEWING,),
                C.PUBLICITY,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("请写明确定拟揭榜团队的理由（将随公示发布）。"),
                stamps=("publicity_started_at",),
            ),
            "propose_assembled": Action(
                _("组阁完成并公示"),
                (C.OPEN,),
                C.PUBLICITY,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("请写明组阁的理由（将随公示发布）。"),
                stamps=("publicity_started_at",),
            ),
            "re_review": Action(
                _("异议成立，重新评审"),
                (C.PUBLICITY,),
                C.REVIEWING,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("请写明重新评审的理由（异议人和各申报团队会看到它）。"),
                due_working_days=20,
                audit_verb="re_review",
            ),
            "reassemble": Action(
                _("异议成立，重新组阁"),
                (C.PUBLICITY,),
                C.OPEN,
                (OPERATOR,),
                needs_reason=True,
                reason_message=_("请写明重新组阁的理由。"),
            ),
            "award": Action(
                _("公示结束，揭榜成功"), (C.PUBLICITY,), C.AWARDED, (OPERATOR,), stamps=("awarded_at",)
            ),
            "complete": Action(
                _("通过最终验收"),
                (C.AWARDED,),
                C.COMPLETED,
                (OPERATOR,),
                stamps=("completed_at",),
                writes_reason=True,
            ),
            "close": Action(
                _("终止榜单"),
                (C.DRAFT, C.PENDING, C.OPEN, C.REVIEWING, C.PUBLICITY, C.AWARDED),
                C.CLOSED,
                (OPERATOR,),
                needs_reason=True,
            ),
        },
    )
)

# Actions with their own page (they need more than a reason): not drawn as plain buttons.
CHALLENGE_FORM_ACTIONS = {
    "propose_award",
    "propose_assembled",
    "re_review",
    "reassemble",
    "award",
    "complete",
}


def milestone_kinds(user: Any, milestone: Milestone) -> set[str]:
    application = milestone.application
    kinds = set()
    if is_challenge_operator(user):
        kinds.add(OPERATOR)
    if roles.is_org_member(user, application.challenge.owner):
        kinds.add(OWNER)
    if roles.is_org_member(user, application.organization) or application.requested_by_id == user.pk:
        kinds.add(TEAM)
    return kinds


def _milestone_responsible(m: Milestone) -> list[Any]:
    if m.status in (M.PLANNED, M.REWORK):
        people = [m.application.requested_by, *org_admins(m.application.challenge.owner)]
    else:
        people = org_admins(m.application.challenge.owner)
    return people


MILESTONE = engine.register(
    Workflow(
        name="challenges.milestone",
        model=Milestone,
        actor_kinds=milestone_kinds,
        reason_field="review_note",
        due_field="due_at",
        audit_prefix="challenges.milestone",
        audit_target=lambda m: m.application,
        responsible=_milestone_responsible,
        url=lambda m: reverse("challenges:application", args=[m.application_id]),
        actions={
            "submit": Action(
                _("提交验收"),
                (M.PLANNED, M.REWORK),
                M.SUBMITTED,
                (TEAM,),
                stamps=("submitted_at",),
                due_working_days=10,
            ),
            "accept": Action(
                _("验收通过（拨付经费）"),
                (M.SUBMITTED,),
                M.ACCEPTED,
                (OWNER, OPERATOR),
                stamps=("accepted_at",),
                by_fields=("accepted_by",),
                writes_reason=True,
            ),
            "rework": Action(
                _("退回整改"),
                (M.SUBMITTED,),
                M.REWORK,
                (OWNER, OPERATOR),
                needs_reason=True,
                reason_message=_("退回整改时请写明原因和整改要求，团队会看到它。"),
                due_working_days=15,
            ),
        },
    )
)


def _panel_moved(panel: Panel, action: str) -> None:
    from .events import panel_scoring_started

    panel_scoring_started(panel, action)


PANEL = engine.register(
    Workflow(
        name="challenges.panel",
        listeners=(_panel_moved,),
        model=Panel,
        actor_kinds=lambda user, panel: {OPERATOR} if is_challenge_operator(user) else set(),
        reason_field="status_note",
        audit_prefix="challenges.panel",
        actions={
            "start_scoring": Action(
                _("开始评分"), (P.FORMING,), P.SCORING, (OPERATOR,), stamps=("scoring_started_at",)
            ),
            "close": Action(
                _("结束评审，汇总得分"), (P.SCORING,), P.CLOSED, (OPERATOR,), stamps=("closed_at",)
            ),
        },
    )
)
