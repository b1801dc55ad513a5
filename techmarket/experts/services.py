"""Writes on expert profiles, their declared relations and contact permissions."""

import re
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog import events
from techmarket.catalog.changes import changed_fields, changed_relations
from techmarket.catalog.text import reject_html
from techmarket.core.text import word_list
from techmarket.decisions.services import request_decide, request_open
from techmarket.orgs.models import Organization
from techmarket.reference.models import Discipline, Industry

from .models import Availability, ContactPermission, Expert
from .request_types import CONTACT_REQUEST
from .selectors import can_manage_expert

TEXT_FIELDS = {"name": _("姓名"), "title": _("职称"), "research_fields": _("研究方向"), "bio": _("个人简介")}
EDITABLE = [
    *TEXT_FIELDS,
    "affiliation",
    "availability",
    "panel_eligible",
    "email",
    "phone",
    "is_active",
    "external_key",
    "disciplines",
    "industries",
]
M2M = {"disciplines": (Discipline, _("学科代码")), "industries": (Industry, _("行业代码"))}
AUDITED = [
    *TEXT_FIELDS,
    "affiliation_id",
    "user_id",
    "availability",
    "panel_eligible",
    "email",
    "phone",
    "is_active",
    "external_key",
]
_PHONE = re.compile(r"^\+?[0-9][0-9\- ]{5,18}[0-9]$")


def _pk(value: Any) -> Any:
    return getattr(value, "pk", value)


def _snapshot(expert: Expert) -> dict[str, Any]:
    data = snapshot(expert, AUDITED)
    data["disciplines"] = sorted(expert.disciplines.values_list("pk", flat=True))
    data["industries"] = sorted(expert.industries.values_list("pk", flat=True))
    return data


def _clean(data: dict[str, Any], *, creating: bool) -> dict[str, Any]:
    """Checks every field and reports all problems at once, keyed by field name."""
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field in ("email", "phone", "external_key"):
        if field in data:
            data[field] = str(data[field] or "").strip()
    for field in ("panel_eligible", "is_active"):
        if field in data and data[field] is None:
            del data[field]  # null in a PATCH means "leave as is" for a yes/no field
    for field, label in TEXT_FIELDS.items():
        if field in data:
            data[field] = str(data[field] or "").strip()
            try:
                reject_html(data[field], str(label))
            except ValidationError as exc:
                err(field, exc.messages[0])
    for field in ("name", "research_fields"):
        if (creating or field in data) and not data.get(field):
            err(field, _("请填写“%(f)s”。") % {"f": TEXT_FIELDS[field]})
    if "availability" in data:
        values = data["availability"]
        if values is None:
            values = []
        if not isinstance(values, list | tuple):
            err("availability", _("合作意向应为列表。"))
        else:
            unknown = [str(v) for v in values if v not in Availability.values]
            if unknown:
                err(
                    "availability",
                    _("未知的合作意向：%(v)s。可选值：%(ok)s。")
                    % {
                        "v": word_list(unknown),
                        "ok": word_list(f"{v}（{label}）" for v, label in Availability.choices),
                    },
                )
            data["availability"] = list(dict.fromkeys(values))
    if data.get("email"):
        data["email"] = str(data["email"]).strip()
        try:
            validate_email(data["email"])
        except ValidationError:
            err("email", _("电子邮箱“%(v)s”格式不正确，例如 zhang@example.edu.cn。") % {"v": data["email"]})
    if data.get("phone"):
        data["phone"] = str(data["phone"]).strip()
        if not _PHONE.match(data["phone"]):
            err(
                "phone",
                _("联系电话“%(v)s”格式不正确：请填写手机号或带区号的座机号，例如 0539-8766123。")
                % {"v": data["phone"]},
            )
    for field, (model, label) in M2M.items():
        if field in data:
            codes = [_pk(v) for v in (data[field] or [])]
            found = {obj.pk: obj for obj in model._default_manager.filter(pk__in=codes)}
            missing = [str(c) for c in codes if c not in found]
            if missing:
                err(field, _("%(label)s不存在：%(v)s。") % {"label": label, "v": word_list(missing)})
            data[field] = list(found.values())
    if errors:
        raise ValidationError(errors)
    return data


def _check_affiliation(acting_user: Any, affiliation: Organization, *, for_self: bool) -> None:
    """Non-operators act for an approved organisation: as its admin, or (for_self) as its member."""
    if roles.is_operator(acting_user):
        return
    if affiliation.status != Organization.Status.APPROVED:
        raise PermissionDenied(_("所在单位“%(o)s”尚未通过审核，暂不能登记专家。") % {"o": affiliation})
    if roles.is_org_admin(acting_user, affiliation):
        return
    if for_self and roles.is_org_member(acting_user, affiliation):
        return
    raise PermissionDenied(_("只有专家本人（须为所在单位成员）、所在单位管理员或平台运营可以维护专家信息。"))


def _check_panel_flag(acting_user: Any, wanted: bool, current: bool) -> None:
    # Review panels decide on money and awards: eligibility is the platform's call, not a self-declaration.
    if wanted != current and not roles.is_operator(acting_user):
        raise PermissionDenied(_("“可担任评审专家”由平台运营审核设定；专家可在合作意向中勾选“评审专家”。"))


def _save(expert: Expert, m2m: dict[str, Any]) -> None:
    if (
        expert.external_key
        and Expert.objects.unscoped()
        .filter(affiliation_id=expert.affiliation_id, external_key=expert.external_key)
        .exclude(pk=expert.pk)
        .exists()
    ):
        raise ValidationError(
            {"external_key": _("外部编号“%(k)s”在本单位已被其他专家使用。") % {"k": expert.external_key}}
        )
    # The one constraint (external key per affiliation) is checked just above with a clearer message.
    expert.full_clean(exclude=["user", *M2M], validate_constraints=False)
    expert.save()
    for field, objs in m2m.items():
        getattr(expert, field).set(objs)


def expert_create(*, acting_user: Any, affiliation: Organization, user: Any = None, **data: Any) -> Expert:
    """Creates a profile. Without `user`, a non-admin creates their own profile (linked to their account)."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录。"))
    is_admin = roles.is_org_admin(acting_user, affiliation)
    if user is None and not is_admin:
        user = acting_user
    for_self = user is not None and user.pk == acting_user.pk
    _check_affiliation(acting_user, affiliation, for_self=for_self)
    if (
        user is not None
        and not for_self
        and not roles.is_operator(acting_user)
        and not roles.is_org_member(user, affiliation)
    ):
        raise ValidationError({"user": _("关联的账户须是“%(o)s”的成员。") % {"o": affiliation}})
    if user is not None and Expert.objects.unscoped().filter(user=user).exists():
        raise ValidationError({"user": _("账户“%(u)s”已有专家档案，请修改原档案。") % {"u": user}})
    data = _clean({k: v for k, v in data.items() if k in EDITABLE and k != "affiliation"}, creating=True)
    _check_panel_flag(acting_user, bool(data.get("panel_eligible", False)), False)
    m2m = {f: data.pop(f) for f in M2M if f in data}
    with transaction.atomic():
        expert = Expert(affiliation=affiliation, user=user, **data)
        _save(expert, m2m)
        audit_record(
            actor=acting_user, action="experts.expert.create", target=expert, after=_snapshot(expert)
        )
        events.listing_changed(expert)
    return expert


def expert_update(*, expert: Expert, acting_user: Any, **changes: Any) -> Expert:
    if not can_manage_expert(acting_user, expert):
        raise PermissionDenied(_("只有专家本人、所在单位管理员或平台运营可以修改专家信息。"))
    changes = _clean({k: v for k, v in changes.items() if k in EDITABLE}, creating=False)
    if "panel_eligible" in changes:
        _check_panel_flag(acting_user, bool(changes["panel_eligible"]), expert.panel_eligible)
    new_affiliation = changes.get("affiliation")
    if new_affiliation is not None and new_affiliation.pk != expert.affiliation_id:
        is_self = expert.user_id is not None and expert.user_id == acting_user.pk
        _check_affiliation(acting_user, new_affiliation, for_self=is_self)
    m2m = {f: changes.pop(f) for f in M2M if f in changes}
    changes, m2m = changed_fields(expert, changes), changed_relations(expert, m2m)
    if not changes and not m2m:
        return expert  # nothing differs: no write, no audit record, no re-index
    with transaction.atomic():
        before = _snapshot(expert)
        for field, value in changes.items():
            setattr(expert, field, value)
        _save(expert, m2m)
        audit_record(
            actor=acting_user,
            action="experts.expert.update",
            target=expert,
            before=before,
            after=_snapshot(expert),
        )
        events.listing_changed(expert)
    return expert


def expert_set_relations(
    *,
    expert: Expert,
    acting_user: Any,
    organizations: Iterable[Any] | None = None,
    experts: Iterable[Any] | None = None,
) -> Expert:
    """Replaces the declared related organisations and/or collaborators used for conflict-of-interest checks."""
    if not can_manage_expert(acting_user, expert):
        raise PermissionDenied(_("只有专家本人、所在单位管理员或平台运营可以申报关联关系。"))
    errors: dict[str, list[str]] = {}
    org_objs = expert_objs = None
    if organizations is not None:
        ids = [_pk(o) for o in organizations]
        org_objs = list(Organization.objects.filter(pk__in=ids))
        missing = sorted({str(i) for i in ids} - {str(o.pk) for o in org_objs})
        if missing:
            errors["organizations"] = [_("关联单位不存在：%(v)s。") % {"v": word_list(missing)}]
    if experts is not None:
        ids = [_pk(e) for e in experts]
        if expert.pk in ids:
            errors["experts"] = [_("不能把自己申报为合作者。")]
        expert_objs = list(Expert.objects.unscoped().filter(pk__in=ids).exclude(pk=expert.pk))
        missing = sorted({str(i) for i in ids if i != expert.pk} - {str(e.pk) for e in expert_objs})
        if missing:
            errors.setdefault("experts", []).append(_("合作专家不存在：%(v)s。") % {"v": word_list(missing)})
    if errors:
        raise ValidationError(errors)

    def relations() -> dict[str, list[int]]:
        return {
            "related_organizations": sorted(expert.related_organizations.values_list("pk", flat=True)),
            "related_experts": sorted(expert.related_experts.values_list("pk", flat=True)),
        }

    with transaction.atomic():
        before = relations()
        if org_objs is not None:
            expert.related_organizations.set(org_objs)
        if expert_objs is not None:
            expert.related_experts.set(expert_objs)
        audit_record(
            actor=acting_user,
            action="experts.expert.set_relations",
            target=expert,
            before=before,
            after=relations(),
        )
    return expert


def expert_contact_request(*, expert: Expert, acting_user: Any, message: str = "") -> ContactPermission:
    """Asks the expert for their contact details. Asking again while pending or accepted changes nothing."""
    if not getattr(acting_user, "is_authenticated", False):
        raise PermissionDenied(_("请先登录后再申请查看联系方式。"))
    if expert.user_id == acting_user.pk:
        raise ValidationError({"expert": _("这是您本人的专家档案，无需申请。")})
    message = str(message or "").strip()
    try:
        reject_html(message, _("申请说明"))
    except ValidationError as exc:
        raise ValidationError({"message": exc.messages}) from exc
    existing = ContactPermission.objects.filter(expert=expert, user=acting_user).first()
    if existing is not None:
        if existing.status == ContactPermission.Status.DECLINED:
            raise ValidationError({"expert": _("专家已谢绝您的联系请求，请通过技术经理人或平台运营联系。")})
        if existing.status != ContactPermission.Status.WITHDRAWN:
            return existing
    permission = existing or ContactPermission(expert=expert, user=acting_user)
    permission.message = message[:200]
    return request_open(
        request_type=CONTACT_REQUEST,
        obj=permission,
        acting_user=acting_user,
        after={
            "expert_id": expert.pk,
            "user_id": acting_user.pk,
            "status": ContactPermission.Status.REQUESTED,
            "message": message[:200],
        },
    )


def _contact_decide(*, expert: Expert, user: Any, acting_user: Any, status: str) -> ContactPermission:
    is_expert = expert.user_id is not None and getattr(acting_user, "pk", None) == expert.user_id
    if not (is_expert or roles.is_operator(acting_user)):
        raise PermissionDenied(_("只有专家本人可以决定是否公开联系方式。"))
    with transaction.atomic():
        # The expert may also open their contact details to someone who never asked.
        permission, _created = ContactPermission.objects.get_or_create(expert=expert, user=user)
        if permission.status == status:
            return permission
        return request_decide(
            request_type=CONTACT_REQUEST,
            obj=permission,
            acting_user=acting_user,
            approve=status == ContactPermission.Status.ACCEPTED,
        )


def expert_accept_contact(*, expert: Expert, user: Any, acting_user: Any) -> ContactPermission:
    """The expert lets `user` see their e-mail and phone (with or without a prior request)."""
    return _contact_decide(
        expert=expert, user=user, acting_user=acting_user, status=ContactPermission.Status.ACCEPTED
    )


def expert_decline_contact(*, expert: Expert, user: Any, acting_user: Any) -> ContactPermission:
    """The expert declines (or withdraws an earlier acceptance); `user` no longer sees the contact details."""
    return _contact_decide(
        expert=expert, user=user, acting_user=acting_user, status=ContactPermission.Status.DECLINED
    )
