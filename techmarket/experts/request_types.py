"""Contact requests declared as a request type: a user asks, the expert (or an operator) decides."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type

from .models import ContactPermission

C = ContactPermission.Status


def _is_expert(user: Any, permission: ContactPermission) -> bool:
    expert = permission.expert
    return expert.user_id is not None and getattr(user, "pk", None) == expert.user_id


def _deciders(permission: ContactPermission) -> list[Any]:
    user = permission.expert.user
    return [user] if user is not None and user.is_active else []


CONTACT_REQUEST = register_request_type(
    RequestType(
        name="experts.contact",
        model=ContactPermission,
        requester_field="user",
        subject=lambda p: p.expert,
        may_decide=lambda user, p: _is_expert(user, p) or roles.is_operator(user),
        deciders=_deciders,
        due_working_days=5,
        pending=C.REQUESTED,
        approved=C.ACCEPTED,
        rejected=C.DECLINED,
        withdrawn=C.WITHDRAWN,
        approve_from=(C.DECLINED, C.WITHDRAWN),
        reject_from=(C.ACCEPTED,),
        reason_on_reject=False,
        approve_label=_("同意公开联系方式"),
        reject_label=_("谢绝"),
        audit_prefix="experts.contact",
        audit_verbs={"approve": "accept", "reject": "decline"},
        extra_audit=lambda p: snapshot(p, ["expert_id", "user_id"]),
        url=lambda p: reverse("experts:detail", args=[p.expert_id]),
    )
)
