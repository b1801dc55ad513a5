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
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.reference.models import Industry, Region
from techmarket.workflow.engine import transition
from techmarket.workflow.workdays import add_working_days

from .models import JoinRequest, Membership, Organization, OrganizationTag, Role
from .validators import normalize_uscc, validate_uscc
from .workflow import JOIN_REQUEST, ORG_AUDIT_FIELDS, ORG_REVIEW, ORG_REVIEW_WORKING_DAYS


def check_duplicate_organization(*, name: str, uscc: str, exclude_pk: int | None = None) -> None:
    """Raise a ValidationError naming the field when the name or the credit code is already registered."""
    errors: dict[str, str] = {}
    others = Organization.objects.exclude(pk=exclude_pk) if exclude_pk else Organization.objects.all()
    same_code = others.filter(uscc=uscc).first()
    if same_code is not None:
        errors["uscc"] = _(
            "统一社会信用代码 %(code)s 已由“%(name)s”注册。如果您是该机构人员，请申请加入该机构。"
        ) % {"code": uscc, "name": same_code.name}
    if others.filter(name=name).exists():
        errors["name"] = _("机构名称“%(name)s”已存在。如果您是该机构人员，请申请加入该机构。") % {
            "name": name
        }
    if errors:
        raise ValidationError(errors)


def organization_register(
    *,
    acting_user: Any,
    name: str,
    kind: str,
    uscc: str,
    region: Region,
    industry: Industry | None = None,
    tags: Iterable[OrganizationTag] = (),
    address: str = "",
    website: str = "",
    description: str = "",
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
            name=name,
            kind=kind,
            uscc=uscc,
            region=region,
            industry=industry,
            address=address,
            website=website,
            description=description,
            created_by=acting_user,
            due_at=add_working_days(timezone.now(), ORG_REVIEW_WORKING_DAYS),
        )
        org.tags.set(list(tags))
        Membership.objects.create(user=acting_user, organization=org, role=Role.ORG_ADMIN)
        audit_record(
            actor=acting_user,
            action="orgs.organization.register",
            target=org,
            after=snapshot(org, ORG_AUDIT_FIELDS),
            request=request,
        )
    roles.forget_roles(acting_user)
    return org


def _require_operator(user: Any) -> None:
    if not roles.is_operator(user):
        raise PermissionDenied(_("只有平台运营人员可以审核机构。"))


def organization_approve(
    *, organization: Organization, acting_user: Any, note: str = "", expected_state: str | None = None
) -> Organization:
    _require_operator(acting_user)
    if organization.status == Organization.Status.APPROVED:
        return organization
    return transition(
        workflow=ORG_REVIEW,
        obj=organization,
        action="approve",
        acting_user=acting_user,
        reason=note,
        expected_state=expected_state,
    )


def organization_reject(
    *, organization: Organization, acting_user: Any, reason: str, expected_state: str | None = None
) -> Organization:
    _require_operator(acting_user)
    return transition(
        workflow=ORG_REVIEW,
        obj=organization,
        action="reject",
        acting_user=acting_user,
        reason=reason,
        expected_state=expected_state,
    )


def organization_resubmit(*, organization: Organization, acting_user: Any, **changes: Any) -> Organization:
    """The organisation's admin corrects a rejected registration and sends it for review again."""
    if not ORG_REVIEW.may(acting_user, organization, "resubmit"):
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
    fields: dict[str, Any] = {
        f: changes[f]
        for f in ("kind", "region", "industry", "address", "website", "description")
        if f in changes
    }
    return transition(
        workflow=ORG_REVIEW,
        obj=organization,
        action="resubmit",
        acting_user=acting_user,
        changes={**fields, "name": name, "uscc": uscc},
    )


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
        audit_record(
            actor=acting_user,
            action="orgs.organization.uscc_override",
            target=organization,
            before=before,
            after=snapshot(organization, ORG_AUDIT_FIELDS),
            note=reason,
        )
    return organization


JOINABLE_ROLES = {Role.MEMBER, Role.BROKER, Role.EXPERT}


def join_request_create(
    *, user: Any, organization: Organization, role: str = Role.MEMBER, message: str = ""
) -> JoinRequest:
    if organization.status != Organization.Status.APPROVED:
        raise ValidationError(_("该机构尚未通过审核，暂时不能申请加入。"))
    if role not in JOINABLE_ROLES:
        raise ValidationError({"role": _("只能申请成为成员、技术经理人或专家。")})
    if Membership.objects.filter(user=user, organization=organization, role=role).exists():
        raise ValidationError(_("您已经是该机构的%(role)s。") % {"role": Role(role).label})
    if JoinRequest.objects.filter(
        user=user, organization=organization, status=JoinRequest.Status.PENDING
    ).exists():
        raise ValidationError(_("您已提交过加入该机构的申请，请等待机构管理员审批。"))
    jr = JoinRequest(user=user, organization=organization, role=role, message=message[:200])
    return request_open(
        request_type=JOIN_REQUEST,
        obj=jr,
        acting_user=user,
        audit_verb="create",
        after={"organization": organization.pk, "role": role},
    )


def join_request_decide(
    *,
    join_request: JoinRequest,
    acting_user: Any,
    approve: bool,
    note: str = "",
    broker_level: str = "",
    certificate_number: str = "",
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
        request_decide(
            request_type=JOIN_REQUEST,
            obj=join_request,
            acting_user=acting_user,
            approve=approve,
            reason=note[:200],
            expected_state=JoinRequest.Status.PENDING,
        )
        if approve:
            Membership.objects.get_or_create(
                user=join_request.user,
                organization=join_request.organization,
                role=join_request.role,
                defaults={"broker_level": broker_level, "certificate_number": certificate_number},
            )
    roles.forget_roles(join_request.user)
    return join_request


def join_request_withdraw(*, join_request: JoinRequest, acting_user: Any) -> JoinRequest:
    """The applicant takes back a pending request."""
    return request_withdraw(request_type=JOIN_REQUEST, obj=join_request, acting_user=acting_user)


# Roles an organisation's admin hands out on the organisation page; broker, operator and bureau roles
# are decided by the platform (certificate checks, government units).
ASSIGNABLE_ROLES = {Role.ORG_ADMIN, Role.MEMBER, Role.EXPERT}
PLATFORM_ROLES = {Role.OPERATOR, Role.BUREAU}


def _check_membership_admin(acting_user: Any, membership: Membership) -> None:
    if not roles.is_org_admin(acting_user, membership.organization):
        raise PermissionDenied(_("只有该机构的管理员可以管理成员。"))
    if membership.role in PLATFORM_ROLES and not roles.is_operator(acting_user):
        raise PermissionDenied(_("平台运营和科技局用户的身份由平台管理，机构管理员不能修改。"))


def _check_not_last_admin(membership: Membership) -> None:
    if (
        membership.role == Role.ORG_ADMIN
        and not membership.organization.memberships.filter(role=Role.ORG_ADMIN, is_active=True)
        .exclude(pk=membership.pk)
        .exists()
    ):
        raise ValidationError(_("这是该机构唯一的管理员：请先指定另一位管理员。"))


def membership_change_role(*, membership: Membership, role: str, acting_user: Any) -> Membership:
    """An organisation's admin changes a member's role (admin, member, expert); audited."""
    _check_membership_admin(acting_user, membership)
    if role not in ASSIGNABLE_ROLES:
        raise ValidationError({"role": _("机构管理员只能设置：机构管理员、成员或专家。")})
    if role == membership.role:
        return membership
    _check_not_last_admin(membership)
    if Membership.objects.filter(
        user=membership.user, organization=membership.organization, role=role
    ).exists():
        raise ValidationError({"role": _("该用户已经是本机构的%(role)s。") % {"role": Role(role).label}})
    with transaction.atomic():
        before = snapshot(membership, ["user_id", "organization_id", "role", "broker_level"])
        membership.role, membership.broker_level = role, ""
        membership.save(update_fields=["role", "broker_level"])
        audit_record(
            actor=acting_user,
            action="orgs.membership.change_role",
            target=membership,
            before=before,
            after=snapshot(membership, ["user_id", "organization_id", "role", "broker_level"]),
        )
    roles.forget_roles(membership.user)
    return membership


def membership_remove(*, membership: Membership, acting_user: Any) -> None:
    """An organisation's admin removes a member (or a member leaves); audited with the row as it was."""
    if membership.user_id != getattr(acting_user, "pk", None):
        _check_membership_admin(acting_user, membership)
    _check_not_last_admin(membership)
    with transaction.atomic():
        audit_record(
            actor=acting_user,
            action="orgs.membership.remove",
            target=membership,
            before=snapshot(
                membership, ["user_id", "organization_id", "role", "broker_level", "certificate_number"]
            ),
        )
        membership.delete()
    roles.forget_roles(membership.user)
