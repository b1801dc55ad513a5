"""An investor's interest: 待安排 → 已立项对接 (a broker or operator opens the engagement) or 已安排路演 (an
operator gives it a slot in a roadshow), 未能安排 (with the reason the investor sees), or 已撤回."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.workflow import engine
from techmarket.workflow.engine import BROKER, OPERATOR, OWNER, REQUESTER, Action, Workflow

from .models import Interest

S = Interest.Status
ARRANGE_WORKING_DAYS = 5


def actor_kinds(user: Any, interest: Interest) -> set[str]:
    kinds: set[str] = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if roles.is_broker(user):
        kinds.add(BROKER)
    orgs = {o.pk for o in roles.user_organizations(user)}
    if interest.fund.manager_id in orgs:
        kinds.add(REQUESTER)
    if interest.target_id in orgs:
        kinds.add(OWNER)
    return kinds


def _responsible(interest: Interest) -> list[Any]:
    from techmarket.workflow.selectors import operator_users

    return list(operator_users()) if interest.status == S.OPEN else []


INTEREST = engine.register(
    Workflow(
        name="investors.interest",
        model=Interest,
        actor_kinds=actor_kinds,
        reason_field="status_note",
        due_field="due_at",
        audit_prefix="investors.interest",
        responsible=_responsible,
        url=lambda i: reverse("investors:interest_detail", args=[i.pk]),
        audit_fields=("status", "status_note", "engagement_id", "event_id", "decided_at", "due_at"),
        actions={
            "engage": Action(
                _("立项对接"),
                (S.OPEN,),
                S.ENGAGED,
                (BROKER, OPERATOR),
                stamps=("decided_at",),
                writes_reason=True,
            ),
            "schedule_roadshow": Action(
                _("安排路演"), (S.OPEN,), S.ROADSHOW, (OPERATOR,), stamps=("decided_at",), writes_reason=True
            ),
            "decline": Action(
                _("未能安排"),
                (S.OPEN,),
                S.DECLINED,
                (BROKER, OPERATOR, OWNER),
                needs_reason=True,
                stamps=("decided_at",),
                reason_message=_("请写明未能安排的原因，投资机构会看到它。"),
            ),
            "withdraw": Action(_("撤回"), (S.OPEN,), S.WITHDRAWN, (REQUESTER,), stamps=("decided_at",)),
        },
    )
)
