"""Applications and publicity objections as requests: someone asks, an operator decides with a reason."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type

from .models import Application, Objection, TeamInvitation
from .workflow import is_challenge_operator, operators


def _is_team(user: Any, application: Application) -> bool:
    return application.requested_by_id == getattr(user, "pk", None) or roles.is_org_member(
        user, application.organization
    )


def _application_decided(application: Application, action: str) -> None:
    from .events import application_decided

    application_decided(application, action)


APPLICATION = register_request_type(
    RequestType(
        name="challenges.application",
        model=Application,
        requester_field="requested_by",
        is_requester=_is_team,
        subject=lambda a: a.challenge,
        may_decide=lambda user, a: is_challenge_operator(user),
        deciders=lambda a: operators(),
        due_working_days=None,  # decided after the panel, when the challenge's own deadlines run
        reason_on_reject=True,
        approve_label=_("揭榜成功"),
        reject_label=_("未入选"),
        audit_prefix="challenges.application",
        audit_verbs={"approve": "award", "reject": "decline", "withdraw": "withdraw"},
        extra_audit=lambda a: snapshot(a, ["challenge_id", "organization_id"]),
        url=lambda a: reverse("challenges:application", args=[a.pk]),
        listeners=(_application_decided,),
    )
)

OBJECTION = register_request_type(
    RequestType(
        name="challenges.objection",
        model=Objection,
        requester_field="raised_by",
        subject=lambda o: o.challenge,
        may_decide=lambda user, o: is_challenge_operator(user),
        deciders=lambda o: operators(),
        due_working_days=3,
        reason_on_reject=True,
        approve_label=_("异议成立"),
        reject_label=_("异议不成立"),
        audit_prefix="challenges.objection",
        audit_verbs={"approve": "uphold", "reject": "dismiss"},
        extra_audit=lambda o: snapshot(o, ["challenge_id"]),
        url=lambda o: reverse("challenges:detail", args=[o.challenge_id]),
    )
)


def _invitation_answered(invitation: TeamInvitation, action: str) -> None:
    from .events import invitation_answered

    invitation_answered(invitation, action)


TEAM_INVITATION = register_request_type(
    RequestType(
        name="challenges.team_invitation",
        model=TeamInvitation,
        requester_field="invited_by",
        is_requester=lambda user, i: is_challenge_operator(user),
        subject=lambda i: i.challenge,
        may_decide=lambda user, i: (
            i.expert.user_id is not None and i.expert.user_id == getattr(user, "pk", None)
        ),
        deciders=lambda i: [i.expert.user] if i.expert.user_id else [],
        due_working_days=5,
        reason_on_reject=False,
        approve_label=_("接受邀请"),
        reject_label=_("谢绝"),
        audit_prefix="challenges.team_invitation",
        audit_verbs={"approve": "accept", "reject": "decline", "withdraw": "withdraw"},
        extra_audit=lambda i: snapshot(i, ["challenge_id", "expert_id"]),
        url=lambda i: reverse("challenges:applications"),
        listeners=(_invitation_answered,),
    )
)
