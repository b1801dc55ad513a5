"""The engagement's stage machine, declared on the workflow engine.

发现对接 → 概念验证 → 中试熟化 → 交易融资 → 产业化 (a later stage may be reached directly: a plain
licence skips the pilot), ending 成交 or 终止 (reason from a list plus free text, seen by all parties).
Leaving a stage requires its required checklist items (operator-configured, ``ChecklistItem``). Every move
sets the next-step deadline in working days; an overdue engagement is reminded to its lead broker and,
after the grace period, to the operators (the kernel's overdue task).
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import BROKER, OPERATOR, OWNER, Action, Workflow

from . import events
from .models import OPEN_STAGES, Engagement, Stage

NEXT_STEP_DAYS = getattr(settings, "ENGAGEMENT_NEXT_STEP_WORKING_DAYS", 10)

# The action that moves an engagement into each later stage of the chain.
ADVANCE = {
    Stage.VERIFICATION: ("to_verification", _("进入概念验证")),
    Stage.PILOT: ("to_pilot", _("进入中试熟化")),
    Stage.TRANSACTION: ("to_transaction", _("进入交易融资")),
    Stage.INDUSTRIALISATION: ("to_industrialisation", _("进入产业化")),
}


def _actions() -> dict[str, Action]:
    actions: dict[str, Action] = {}
    for i, stage in enumerate(OPEN_STAGES[1:], start=1):
        name, label = ADVANCE[Stage(stage)]
        actions[name] = Action(
            label,
            OPEN_STAGES[:i],
            stage,
            (BROKER, OPERATOR),
            stamps=("stage_entered_at",),
            due_working_days=NEXT_STEP_DAYS,
        )
    actions["deal"] = Action(
        _("成交"),
        OPEN_STAGES,
        Stage.DEAL,
        (BROKER, OPERATOR),
        stamps=("stage_entered_at", "closed_at"),
        writes_reason=True,
    )
    actions["terminate"] = Action(
        pgettext_lazy("action", "终止"),
        OPEN_STAGES,
        Stage.TERMINATED,
        (BROKER, OPERATOR),
        needs_reason=True,
        stamps=("stage_entered_at", "closed_at"),
        reason_message=_("终止对接项目必须填写说明，各方都会看到它。"),
    )
    return actions


def actor_kinds(user: Any, engagement: Engagement) -> set[str]:
    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if engagement.lead_broker_id == user.pk or any(
        b.pk == user.pk for b in engagement.assisting_brokers.all()
    ):
        kinds.add(BROKER)
    org_ids = {o.pk for o in roles.user_organizations(user)}
    if org_ids & {engagement.demand_org_id, engagement.supply_org_id}:
        kinds.add(OWNER)
    return kinds


def missing_checklist(engagement: Engagement, action: str) -> list[str]:
    """The required checklist items of the current stage not yet done (leaving a stage needs them all)."""
    from .models import ChecklistItem

    if action == "terminate" or engagement.stage not in OPEN_STAGES:
        return []
    done = set(engagement.ticks.values_list("item_id", flat=True))
    items = ChecklistItem.objects.filter(stage=engagement.stage, required=True, is_active=True)
    return [
        str(
            _("离开“%(s)s”阶段前须完成检查项：%(i)s。")
            % {"s": engagement.get_stage_display(), "i": item.label}
        )
        for item in items
        if item.pk not in done
    ]


def _apply(engagement: Engagement, action: str, now: Any, reason: str) -> None:
    engagement.version += 1
    if action in {"deal", "terminate"}:
        engagement.next_step = ""


def _url(engagement: Engagement) -> str:
    return reverse("engagements:detail", args=[engagement.pk])


ENGAGEMENT = engine.register(
    Workflow(
        name="engagements.engagement",
        model=Engagement,
        state_field="stage",
        actions=_actions(),
        actor_kinds=actor_kinds,
        reason_field="stage_note",
        due_field="due_at",
        preconditions=missing_checklist,
        apply=_apply,
        events=(events.stage_changed,),
        responsible=lambda e: [e.lead_broker],
        url=_url,
        extra_audit=lambda e: {"termination_reason": e.termination_reason, "ended_stage": e.ended_stage},
    )
)
