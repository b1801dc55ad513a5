"""Meeting requests as a request type: one participant asks, the other accepts or declines with a reason."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type
from techmarket.workflow.engine import SYSTEM, Action

from . import notify
from .models import MeetingRequest

M = MeetingRequest.Status


def _is_invitee(user: Any, meeting: MeetingRequest) -> bool:
    return getattr(user, "pk", None) is not None and meeting.invitee.user_id == user.pk


MEETING_REQUEST = register_request_type(
    RequestType(
        name="events.meeting",
        model=MeetingRequest,
        requester_field="requested_by",
        subject=lambda m: m.invitee,
        may_decide=_is_invitee,
        deciders=lambda m: [m.invitee.user],
        due_working_days=2,
        pending=M.PENDING,
        approved=M.ACCEPTED,
        rejected=M.DECLINED,
        withdrawn=M.WITHDRAWN,
        reason_on_reject=True,
        approve_label=_("接受"),
        reject_label=_("谢绝"),
        audit_prefix="events.meeting",
        audit_verbs={"approve": "accept", "reject": "decline"},
        extra_audit=lambda m: snapshot(m, ["event_id", "requester_id", "invitee_id", "slot", "table"]),
        url=lambda m: reverse("events:detail", args=[m.event_id]),
        listeners=(lambda m, action: notify.meeting_decided(m, action),),
        extra_actions={
            # A participant's cancelled registration takes its open meetings with it (services.registration_cancel).
            "cancel_with_registration": Action(
                _("随报名取消撤回"),
                (M.PENDING, M.ACCEPTED),
                M.WITHDRAWN,
                (SYSTEM,),
                writes_reason=True,
                audit_verb="withdraw_on_cancel",
            ),
        },
    )
)
