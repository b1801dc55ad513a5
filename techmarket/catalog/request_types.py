"""Confidential-detail access declared as a request type: an organisation asks, the item's owner decides."""

from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.decisions.types import RequestType, register_request_type
from techmarket.orgs.models import Membership

from .models import AccessGrant
from .visibility import is_owner_member

G = AccessGrant.Status


def _owner_users(grant: AccessGrant) -> list[Any]:
    item = grant.item
    if item is None:
        return []
    return [
        m.user
        for m in Membership.objects.filter(
            organization_id=item.owner_id, is_active=True, user__is_active=True
        ).select_related("user")
    ]


def _url(grant: AccessGrant) -> str:
    item = grant.item
    if item is None:
        return ""
    try:
        return reverse(f"{item._meta.app_label}:detail", kwargs={f"{item._meta.model_name}_id": item.pk})
    except (NoReverseMatch, AttributeError):
        return ""


ACCESS_REQUEST = register_request_type(
    RequestType(
        name="catalog.access",
        model=AccessGrant,
        requester_field="requested_by",
        subject=lambda g: g.item,
        is_requester=lambda user, g: roles.is_org_member(user, g.organization),
        may_decide=lambda user, g: roles.is_operator(user) or is_owner_member(user, g.item),
        deciders=_owner_users,
        due_working_days=5,
        pending=G.REQUESTED,
        approved=G.GRANTED,
        rejected=G.DECLINED,
        withdrawn=G.REVOKED,
        approve_from=(G.DECLINED, G.REVOKED),
        reject_from=(G.GRANTED,),
        reason_on_reject=False,
        approve_label=_("授权查看"),
        reject_label=_("拒绝"),
        audit_prefix="catalog.access",
        audit_verbs={"approve": "grant", "reject": "decline"},
        url=_url,
    )
)
