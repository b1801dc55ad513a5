"""The organisation review and join-request workflows, declared on the workflow kernel."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.audit.services import snapshot
from techmarket.decisions.types import RequestType, register_request_type
from techmarket.workflow import engine
from techmarket.workflow.engine import OPERATOR, OWNER, Action, Workflow

from .models import JoinRequest, Membership, Organization, Role

S = Organization.Status
ORG_AUDIT_FIELDS = [
    "name",
    "kind",
    "uscc",
    "uscc_override_reason",
    "region_id",
    "industry_id",
    "status",
    "review_note",
]
ORG_REVIEW_WORKING_DAYS = 3


def _org_actor_kinds(user: Any, org: Organization) -> set[str]:
    kinds = set()
    if roles.is_operator(user):
        kinds.add(OPERATOR)
    if org.pk and Membership.objects.filter(user=user, organization=org, role=Role.ORG_ADMIN).exists():
        kinds.add(OWNER)
    return kinds


def _admins(org: Organization) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization=org, role=Role.ORG_ADMIN, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _org_responsible(org: Organization) -> list[Any]:
    from techmarket.workflow.selectors import operator_users

    return list(operator_users()) if org.status == S.PENDING else []


ORG_REVIEW = engine.register(
    Workflow(
        name="orgs.organization",
        model=Organization,
        actor_kinds=_org_actor_kinds,
        reason_field="review_note",
        due_field="due_at",
        audit_prefix="orgs.organization",
        responsible=_org_responsible,
        url=lambda org: reverse("orgs:detail", args=[org.pk]),
        extra_audit=lambda org: snapshot(org, ORG_AUDIT_FIELDS),
        actions={
            "approve": Action(
                _("审核通过"),
                (S.PENDING, S.REJECTED, S.SUSPENDED),
                S.APPROVED,
                (OPERATOR,),
                stamps=("reviewed_at",),
                by_fields=("reviewed_by",),
                writes_reason=True,
            ),
            "reject": Action(
                _("驳回"),
                (S.PENDING, S.APPROVED, S.REJECTED, S.SUSPENDED),
                S.REJECTED,
                (OPERATOR,),
                needs_reason=True,
                stamps=("reviewed_at",),
                by_fields=("reviewed_by",),
                reason_message=_("驳回时必须填写原因，申请人会看到它。"),
            ),
            "resubmit": Action(
                _("修改后重新提交"),
                (S.REJECTED,),
                S.PENDING,
                (OWNER,),
                due_working_days=ORG_REVIEW_WORKING_DAYS,
            ),
        },
    )
)


def _may_decide_join(user: Any, jr: JoinRequest) -> bool:
    # The broker role opens broker-only listings and owners of anonymous items across the platform,
    # so the platform (which checks the broker certificate) decides it, not the organisation.
    if jr.role == Role.BROKER:
        return roles.is_operator(user)
    if jr.user_id == getattr(user, "pk", None) and not roles.is_operator(user):
        return False
    return roles.is_org_admin(user, jr.organization)


def _join_deciders(jr: JoinRequest) -> list[Any]:
    if jr.role == Role.BROKER:
        from techmarket.workflow.selectors import operator_users

        return list(operator_users())
    return _admins(jr.organization)


JOIN_REQUEST = register_request_type(
    RequestType(
        name="orgs.join_request",
        model=JoinRequest,
        requester_field="user",
        subject=lambda jr: jr.organization,
        may_decide=_may_decide_join,
        deciders=_join_deciders,
        due_working_days=5,
        pending=JoinRequest.Status.PENDING,
        approved=JoinRequest.Status.APPROVED,
        rejected=JoinRequest.Status.REJECTED,
        withdrawn=JoinRequest.Status.WITHDRAWN,
        reason_on_reject=False,
        audit_prefix="orgs.join_request",
        audit_verbs={"request": "create"},
        url=lambda jr: reverse("core:workspace"),
    )
)
