"""Confidential-detail access: request (with the NDA acknowledgement), grant or decline, audited views."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record
from techmarket.decisions.services import request_decide, request_open

from .models import AccessGrant
from .request_types import ACCESS_REQUEST
from .visibility import can_view_confidential, is_owner_member


def access_request(
    *, item: Any, acting_user: Any, organization: Any, purpose: str, nda_accepted: bool
) -> AccessGrant:
    if not nda_accepted:
        raise ValidationError({"nda_accepted": _("查看保密详情前必须确认保密承诺。")})
    if not roles.is_org_member(acting_user, organization):
        raise PermissionDenied(_("只能以自己所在机构的名义申请。"))
    if organization.pk == item.owner_id:
        raise ValidationError(_("本机构成员无需申请即可查看。"))
    ct = ContentType.objects.get_for_model(item)
    with transaction.atomic():
        grant = (
            AccessGrant.objects.select_for_update()
            .filter(content_type=ct, object_id=item.pk, organization=organization)
            .first()
        )
        if grant is not None and grant.status not in {
            AccessGrant.Status.DECLINED,
            AccessGrant.Status.REVOKED,
        }:
            audit_record(
                actor=acting_user,
                action="catalog.access.request",
                target=grant,
                after={"status": grant.status, "organization": organization.pk},
                note=purpose[:200],
            )
            return grant
        grant = grant or AccessGrant(content_type=ct, object_id=item.pk, organization=organization)
        grant.requested_by, grant.purpose, grant.nda_accepted_at = acting_user, purpose[:300], timezone.now()
        grant.decided_by, grant.decided_at, grant.decision_note = None, None, ""
        return request_open(
            request_type=ACCESS_REQUEST,
            obj=grant,
            acting_user=acting_user,
            after={"status": AccessGrant.Status.REQUESTED, "organization": organization.pk},
            note=purpose[:200],
        )


def access_decide(
    *,
    grant: AccessGrant,
    acting_user: Any,
    grant_access: bool,
    reason: str = "",
    expected_state: str | None = None,
) -> AccessGrant:
    if not ACCESS_REQUEST.may_decide(acting_user, grant):
        raise PermissionDenied(_("只有条目所属机构可以授权查看保密详情。"))
    target = AccessGrant.Status.GRANTED if grant_access else AccessGrant.Status.DECLINED
    if grant.status == target and expected_state is None:
        return grant
    return request_decide(
        request_type=ACCESS_REQUEST,
        obj=grant,
        acting_user=acting_user,
        approve=grant_access,
        reason=reason,
        expected_state=expected_state,
    )


def confidential_detail_read(*, item: Any, user: Any, request: Any = None) -> str | None:
    """The confidential text if the user may read it (the read is audited), otherwise None."""
    if not can_view_confidential(user, item):
        return None
    if not is_owner_member(user, item):
        audit_record(
            actor=user,
            action=f"{item._meta.app_label}.{item._meta.model_name}.view_confidential",
            target=item,
            request=request,
        )
    return item.confidential_detail
