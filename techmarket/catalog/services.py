"""Confidential-detail access: request (with the NDA acknowledgement), grant or decline, audited views."""

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record

from .models import AccessGrant
from .visibility import can_view_confidential, is_owner_member


def access_request(*, item: Any, acting_user: Any, organization: Any, purpose: str, nda_accepted: bool) -> AccessGrant:
    if not nda_accepted:
        raise ValidationError({"nda_accepted": _("查看保密详情前必须确认保密承诺。")})
    if not roles.is_org_member(acting_user, organization):
        raise PermissionDenied(_("只能以自己所在机构的名义申请。"))
    if organization.pk == item.owner_id:
        raise ValidationError(_("本机构成员无需申请即可查看。"))
    ct = ContentType.objects.get_for_model(item)
    with transaction.atomic():
        grant, created = AccessGrant.objects.get_or_create(
            content_type=ct, object_id=item.pk, organization=organization,
            defaults={"requested_by": acting_user, "purpose": purpose[:300], "nda_accepted_at": timezone.now()},
        )
        if not created and grant.status in {AccessGrant.Status.DECLINED, AccessGrant.Status.REVOKED}:
            grant.status, grant.requested_by = AccessGrant.Status.REQUESTED, acting_user
            grant.purpose, grant.nda_accepted_at = purpose[:300], timezone.now()
            grant.save()
        audit_record(actor=acting_user, action="catalog.access.request", target=grant,
                     after={"status": grant.status, "organization": organization.pk}, note=purpose[:200])
    return grant


def access_decide(*, grant: AccessGrant, acting_user: Any, grant_access: bool) -> AccessGrant:
    item = grant.item
    if not (roles.is_operator(acting_user) or is_owner_member(acting_user, item)):
        raise PermissionDenied(_("只有条目所属机构可以授权查看保密详情。"))
    with transaction.atomic():
        before = {"status": grant.status}
        grant.status = AccessGrant.Status.GRANTED if grant_access else AccessGrant.Status.DECLINED
        grant.decided_by, grant.decided_at = acting_user, timezone.now()
        grant.save()
        audit_record(actor=acting_user, action="catalog.access." + ("grant" if grant_access else "decline"),
                     target=grant, before=before, after={"status": grant.status})
    return grant


def confidential_detail_read(*, item: Any, user: Any, request: Any = None) -> str | None:
    """The confidential text if the user may read it (the read is audited), otherwise None."""
    if not can_view_confidential(user, item):
        return None
    if not is_owner_member(user, item):
        audit_record(actor=user, action=f"{item._meta.app_label}.{item._meta.model_name}.view_confidential",
                     target=item, request=request)
    return item.confidential_detail
