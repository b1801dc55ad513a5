"""直达快享 applications as a request type: an enterprise applies, the bureau approves an amount or refuses."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type

from .models import PolicyApplication
from .permissions import may_decide_applications

A = PolicyApplication.Status


def _deciders(application: PolicyApplication) -> list[Any]:
    from techmarket.orgs.models import Membership, Role

    return [
        m.user for m in Membership.objects.filter(role=Role.BUREAU, is_active=True).select_related("user")
    ]


def _is_requester(user: Any, application: PolicyApplication) -> bool:
    from techmarket.accounts import roles

    return bool(getattr(user, "is_authenticated", False)) and roles.is_org_member(
        user, application.organization
    )


def _notify(application: PolicyApplication, action: str) -> None:
    from .notify import application_decided

    application_decided(application, action)


APPLICATION = register_request_type(
    RequestType(
        name="policies.application",
        model=PolicyApplication,
        requester_field="requested_by",
        is_requester=_is_requester,
        subject=lambda a: a.policy,
        may_decide=lambda user, a: may_decide_applications(user),
        deciders=_deciders,
        due_working_days=10,
        pending=A.PENDING,
        approved=A.APPROVED,
        rejected=A.REJECTED,
        withdrawn=A.WITHDRAWN,
        reason_on_reject=True,
        approve_label=_("核定通过"),
        reject_label=_("不予支持"),
        audit_prefix="policies.application",
        extra_audit=lambda a: snapshot(a, ["approved_amount", "requested_amount"]),
        url=lambda a: reverse("policies:application", args=[a.pk]),
        listeners=(_notify,),
    )
)
