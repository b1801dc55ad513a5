"""Writes on organisations: registration, operator review, join requests, memberships."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.reference.models import Industry, Region

from .models import JoinRequest, Membership, Organization, OrganizationTag, Role
from .validators import normalize_uscc, validate_uscc

ORG_AUDIT_FIELDS = ["name", "kind", "uscc", "uscc_override_reason", "region_id", "industry_id", "status",
                    "review_note"]


def check_duplicate_organization(*, name: str, uscc: str, exclude_pk: int | None = None) -> None:
    """Raise a ValidationError naming the field when the name or the credit code is already registered."""
    errors: dict[str, str] = {}
    others = Organization.objects.exclude(pk=exclude_pk) if exclude_pk else Organization.objects.all()
    same_code = others.filter(uscc=uscc).first()
    if same_code is not None:
        errors["uscc"] = _("统一社会信用代码 %(code)s 已由“%(name)s”注册。如果您是该机构人员，请申请加入该机构。") % {
            "code": uscc, "name": same_code.name}
    if others.filter(name=name).exists():
        errors["name"] = _("机构名称“%(name)s”已存在。如果您是该机构人员，请申请加入该机构。") % {"name": name}
    if errors:
        raise ValidationError(errors)


def organization_register(
    *, acting_user: Any, name: str, kind: str, uscc: str, region: Region, industry: Industry | None = None,
    tags: Iterable[OrganizationTag] = (), address: str = "", website: str = "", description: str = "",
    request: HttpRequest | None = None,
) -> Organization:
    """Register a new organisation, pending operator review; the registering user becomes its admin."""
    name = name.strip()
    uscc = normalize_uscc(uscc)
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc
    if kind not in Organization.Kind.values:
        raise ValidationError({"kind": _("请选择机构类型。")})
    check_duplicate_organization(name=name, uscc=uscc)
    with transaction.atomic():
        org = Organization.objects.create(
            name=name, kind=kind, uscc=uscc, region=region, industry=industry, address=address,
            website=website, description=description, created_by=acting_user,
        )
        org.tags.set(list(tags))
        Membership.objects.create(user=acting_user, organization=org, role=Role.ORG_ADMIN)
        audit_record(actor=acting_user, action="orgs.organization.register", target=org,
                     after=snapshot(org, ORG_AUDIT_FIELDS), request=request)
    roles.forget_roles(acting_user)
    return org


def _require_operator(user: Any) -> None:
    if not roles.is_operator(user):
        raise PermissionDenied(_("只有平台运营人员可以审核机构。"))


def organization_approve(*, organization: Organization, acting_user: Any, note: str = "") -> Organization:
    _require_operator(acting_user)
    if organization.status == Organization.Status.APPROVED:
        return organization
    with transaction.atomic():
        before = snapshot(organization, ORG_AUDIT_FIELDS)
        organization.status = Organization.Status.APPROVED
        organization.review_note = note
        organization.reviewed_by = acting_user
        organization.reviewed_at = timezone.now()
        organization.save()
        audit_record(actor=acting_user, action="orgs.organization.approve", target=organization,
                     before=before, after=snapshot(organization, ORG_AUDIT_FIELDS), note=note)
    return organization


def organization_reject(*, organization: Organization, acting_user: Any, reason: str) -> Organization:
    _require_operator(acting_user)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("驳回时必须填写原因，申请人会看到它。")})
    with transaction.atomic():
        before = snapshot(organization, ORG_AUDIT_FIELDS)
        organization.status = Organization.Status.REJECTED
        organization.review_note = reason
        organization.reviewed_by = acting_user
        organization.reviewed_at = timezone.now()
        organization.save()
        audit_record(actor=acting_user, action="orgs.organization.reject", target=organization,
                     before=before, after=snapshot(organization, ORG_AUDIT_FIELDS), note=reason)
    return organization


def organization_resubmit(*, organization: Organization, acting_user: Any, **changes: Any) -> Organization:
    """The organisation's admin corrects a rejected registration and sends it for review again."""
    if not organization.memberships.filter(user=acting_user, role=Role.ORG_ADMIN).exists():
        raise PermissionDenied(_("只有该机构的管理员可以修改注册信息。"))
    if organization.status != Organization.Status.REJECTED:
        raise ValidationError(_("只有被驳回的机构可以修改后重新提交。"))
    name = changes.get("name", organization.name).strip()
    uscc = normalize_uscc(changes.get("uscc", organization.uscc))
    try:
        validate_uscc(uscc)
    except ValidationError as exc:
        raise ValidationError({"uscc": exc.messages}) from exc
    check_duplicate_organization(name=name, uscc=uscc, exclude_pk=organization.pk)
    with transaction.atomic():
        before = snapshot(organization, ORG_AUDIT_FIELDS)
        for field in ("kind", "region", "industry", "address", "website", "description"):
            if field in changes:
                setattr(organization, field, changes[field])
        organization.name, organization.uscc = name, uscc
        organization.status = Organization.Status.PENDING
        organization.save()
        audit_record(actor=acting_user, action="orgs.organization.resubmit", target=organization,
                     before=before, after=snapshot(organization, ORG_AUDIT_FIELDS))
    return organization


def organization_set_uscc_override(
    *, organization: Organization, acting_user: Any, uscc: str, reason: str
) -> Organization:
    """Record a real credit code that fails the check character (early pilot regions), with a reason."""
    _require_operator(acting_user)
    reason = reason.strip()
    if len(reason) < 4:
        raise ValidationError({"reason": _("请写明核实依据（例如“已核对营业执照原件”），至少 4 个字。")})
    uscc = normalize_uscc(uscc)
    check_duplicate_organization(name=organization.name, uscc=uscc, exclude_pk=organization.pk)
    with transaction.atomic():
        before = snapshot(organization, ORG_AUDIT_FIELDS)
        organization.uscc = uscc
        organization.uscc_override_reason = reason
        organization.full_clean(validate_unique=False, exclude=["region", "industry"])
        organization.save()
        audit_record(actor=acting_user, action="orgs.organization.uscc_override", target=organization,
                     before=before, after=snapshot(organization, ORG_AUDIT_FIELDS), note=reason)
    return organization


JOINABLE_ROLES = {Role.MEMBER, Role.BROKER, Role.EXPERT}


def join_request_create(*, user: Any, organization: Organization, role: str = Role.MEMBER,
                        message: str = "") -> JoinRequest:
    if organization.status != Organization.Status.APPROVED:
        raise ValidationError(_("该机构尚未通过审核，暂时不能申请加入。"))
    if role not in JOINABLE_ROLES:
        raise ValidationError({"role": _("只能申请成为成员、技术经理人或专家。")})
    if Membership.objects.filter(user=user, organization=organization, role=role).exists():
        raise ValidationError(_("您已经是该机构的%(role)s。") % {"role": Role(role).label})
    if JoinRequest.objects.filter(user=user, organization=organization, status=JoinRequest.Status.PENDING).exists():
        raise ValidationError(_("您已提交过加入该机构的申请，请等待机构管理员审批。"))
    with transaction.atomic():
        jr = JoinRequest.objects.create(user=user, organization=organization, role=role, message=message[:200])
        audit_record(actor=user, action="orgs.join_request.create", target=jr,
                     after={"organization": organization.pk, "role": role})
    return jr


def join_request_decide(
    *, join_request: JoinRequest, acting_user: Any, approve: bool, note: str = "",
    broker_level: str = "", certificate_number: str = "",
) -> JoinRequest:
    if not roles.is_org_admin(acting_user, join_request.organization):
        raise PermissionDenied(_("只有该机构的管理员可以审批加入申请。"))
    if join_request.user_id == getattr(acting_user, "pk", None) and not roles.is_operator(acting_user):
        raise PermissionDenied(_("不能审批自己的申请。"))
    # The broker role opens broker-only listings and owners of anonymous items across the platform,
    # so the platform (which checks the broker certificate) decides it, not the organisation.
    if join_request.role == Role.BROKER and not roles.is_operator(acting_user):
        raise PermissionDenied(_("技术经理人身份由平台运营人员核验证书后审批。"))
    if join_request.status != JoinRequest.Status.PENDING:
        raise ValidationError(_("该申请已经处理过了。"))
    if approve and join_request.role == Role.BROKER and not broker_level:
        raise ValidationError({"broker_level": _("同意技术经理人申请时请选择经纪人等级。")})
    with transaction.atomic():
        join_request.status = JoinRequest.Status.APPROVED if approve else JoinRequest.Status.REJECTED
        join_request.decided_by = acting_user
        join_request.decided_at = timezone.now()
        join_request.decision_note = note[:200]
        join_request.save()
        if approve:
            Membership.objects.get_or_create(
                user=join_request.user, organization=join_request.organization, role=join_request.role,
                defaults={"broker_level": broker_level, "certificate_number": certificate_number},
            )
        audit_record(actor=acting_user, action="orgs.join_request." + ("approve" if approve else "reject"),
                     target=join_request, after={"status": join_request.status}, note=note)
    roles.forget_roles(join_request.user)
    return join_request
