"""Need refinements (需求凝练) declared as a request type: a broker proposes, the need's owner decides."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.decisions.types import RequestType, register_request_type
from techmarket.orgs.models import Membership

from .models import NeedRevision

R = NeedRevision.Status


def _owner_users(revision: NeedRevision) -> list[Any]:
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=revision.need.owner_id, is_active=True, user__is_active=True
        ).select_related("user")
    ]


REFINEMENT = register_request_type(
    RequestType(
        name="needs.refinement",
        model=NeedRevision,
        requester_field="proposed_by",
        subject=lambda r: r.need,
        may_decide=lambda user, r: roles.is_org_member(user, r.need.owner) or roles.is_operator(user),
        deciders=_owner_users,
        due_working_days=5,
        pending=R.PROPOSED,
        approved=R.ACCEPTED,
        rejected=R.REJECTED,
        withdrawn=R.WITHDRAWN,
        reason_on_reject=False,
        approve_label=_("采纳"),
        reject_label=_("不采纳"),
        audit_prefix="needs.refinement",
        audit_verbs={"approve": "accept"},
        audit_target=lambda r: r.need,
        extra_audit=lambda r: {"revision": r.pk},
        url=lambda r: reverse("needs:detail", args=[r.need_id]),
    )
)
