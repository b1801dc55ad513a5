"""Writes on an enterprise's profile (企业画像) and its qualification certificates."""

import datetime
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.accounts import roles
from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog.text import reject_html
from techmarket.core.text import word_list

from .models import CertificationRecord, EnterpriseProfile, Organization, OrganizationTag, RevenueRange

TEXT_FIELDS = {"main_products": _("主营产品"), "core_capabilities": _("核心技术能力")}
EDITABLE = [
    *TEXT_FIELDS,
    "rd_staff_count",
    "total_staff",
    "annual_revenue_range",
    "rd_spending_ratio",
    "founded_on",
]
# Called inside the update's transaction with the organisation whose profile or certificates changed
# (e.g. policies re-evaluate eligibility through the outbox); other apps append in AppConfig.ready.
PROFILE_LISTENERS: list[Callable[[Organization], None]] = []
TEXT_MAX = 2000


def profile_snapshot(organization: Organization) -> dict[str, Any]:
    profile = EnterpriseProfile.objects.filter(organization=organization).first()
    data = snapshot(profile, EDITABLE) if profile else dict.fromkeys(EDITABLE)
    data["certifications"] = [
        {
            "tag": c.tag.name,
            "certificate_number": c.certificate_number,
            "valid_until": c.valid_until.isoformat() if c.valid_until else None,
        }
        for c in organization.certifications.select_related("tag").order_by("tag__sort_order", "tag__name")
    ]
    data["tags"] = sorted(organization.tags.values_list("name", flat=True))
    return data


def _clean(data: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def err(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for field, label in TEXT_FIELDS.items():
        if field in data:
            data[field] = str(data[field] or "").strip()
            try:
                reject_html(data[field], str(label))
            except ValidationError as exc:
                err(field, exc.messages[0])
            if len(data[field]) > TEXT_MAX:
                err(
                    field,
                    _("“%(f)s”最多 %(n)d 字，现有 %(m)d 字。")
                    % {"f": label, "n": TEXT_MAX, "m": len(data[field])},
                )
    for field, label in (("rd_staff_count", _("研发人员数")), ("total_staff", _("职工总数"))):
        if field not in data:
            continue
        value = data[field]
        if value in ("", None):
            data[field] = None
            continue
        try:
            data[field] = int(value)
        except (TypeError, ValueError):
            err(field, _("“%(f)s”应为整数。") % {"f": label})
            continue
        if data[field] < 0:
            err(field, _("“%(f)s”不能为负数。") % {"f": label})
    if "annual_revenue_range" in data:
        data["annual_revenue_range"] = data["annual_revenue_range"] or ""
        if data["annual_revenue_range"] and data["annual_revenue_range"] not in RevenueRange.values:
            err(
                "annual_revenue_range",
                _("年营业收入区间只能是：%(ok)s。")
                % {"ok": word_list(f"{v}（{label}）" for v, label in RevenueRange.choices)},
            )
    ratio = data.get("rd_spending_ratio")
    if ratio not in ("", None):
        try:
            data["rd_spending_ratio"] = Decimal(str(ratio)).quantize(Decimal("0.01"))
            if not Decimal(0) <= data["rd_spending_ratio"] <= Decimal(100):
                err("rd_spending_ratio", _("研发投入占比应在 0–100（%）之间，例如 5.5 表示 5.5%。"))
        except InvalidOperation:
            err("rd_spending_ratio", _("研发投入占比应为数字，例如 5.5 表示 5.5%。"))
    elif "rd_spending_ratio" in data:
        data["rd_spending_ratio"] = None
    if "founded_on" in data:
        founded = data["founded_on"]
        if founded in ("", None):
            data["founded_on"] = None
        else:
            try:
                if isinstance(founded, str):
                    founded = datetime.date.fromisoformat(founded)
                if not isinstance(founded, datetime.date):
                    raise ValueError
                data["founded_on"] = founded
                if founded > datetime.date.today():
                    err("founded_on", _("成立日期不能晚于今天。"))
            except ValueError:
                err("founded_on", _("成立日期格式应为 YYYY-MM-DD。"))
    if errors:
        raise ValidationError(errors)
    return data


def _clean_certifications(rows: Any) -> list[dict[str, Any]]:
    if not isinstance(rows, list | tuple):
        raise ValidationError({"certifications": [_("资质证书应为列表。")]})
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    tags = {t.name: t for t in OrganizationTag.objects.all()}
    tags_by_pk = {t.pk: t for t in tags.values()}
    seen: set[int] = set()
    for number, row in enumerate(rows, start=1):
        row = dict(row or {})
        raw_tag = row.get("tag")
        tag = (
            raw_tag
            if isinstance(raw_tag, OrganizationTag)
            else tags.get(str(raw_tag)) or (tags_by_pk.get(raw_tag) if isinstance(raw_tag, int) else None)
        )
        if tag is None:
            errors.append(
                _("第 %(n)d 项：资质“%(t)s”不存在，可选：%(ok)s。")
                % {"n": number, "t": raw_tag, "ok": word_list(tags)}
            )
            continue
        if tag.pk in seen:
            errors.append(_("第 %(n)d 项：资质“%(t)s”重复填写。") % {"n": number, "t": tag.name})
            continue
        seen.add(tag.pk)
        cert_no = str(row.get("certificate_number") or "").strip()
        try:
            reject_html(cert_no, _("证书编号"))
        except ValidationError as exc:
            errors.append(_("第 %(n)d 项：%(m)s") % {"n": number, "m": exc.messages[0]})
            continue
        if len(cert_no) > 64:
            errors.append(_("第 %(n)d 项：证书编号最多 64 个字符。") % {"n": number})
            continue
        valid_until = row.get("valid_until")
        if isinstance(valid_until, str):
            try:
                valid_until = datetime.date.fromisoformat(valid_until) if valid_until else None
            except ValueError:
                errors.append(
                    _("第 %(n)d 项：有效期“%(v)s”格式应为 YYYY-MM-DD。") % {"n": number, "v": valid_until}
                )
                continue
        cleaned.append({"tag": tag, "certificate_number": cert_no, "valid_until": valid_until})
    if errors:
        raise ValidationError({"certifications": errors})
    return cleaned


def enterprise_profile_update(
    *, organization: Organization, acting_user: Any, **data: Any
) -> EnterpriseProfile:
    """Updates the given fields; `certifications` (if given) replaces the certificate list and adds its tags."""
    if not roles.is_org_admin(acting_user, organization):  # operators count as admins of every organisation
        raise PermissionDenied(_("只有本企业的机构管理员或平台运营可以维护企业画像。"))
    if organization.kind != Organization.Kind.ENTERPRISE:
        raise ValidationError(
            _("企业画像只适用于企业；“%(o)s”是%(k)s。")
            % {"o": organization, "k": organization.get_kind_display()}
        )
    certifications = data.pop("certifications", None)
    data = _clean({k: v for k, v in data.items() if k in EDITABLE})
    certs = _clean_certifications(certifications) if certifications is not None else None
    profile = EnterpriseProfile.objects.filter(organization=organization).first() or EnterpriseProfile(
        organization=organization
    )
    for field, value in data.items():
        setattr(profile, field, value)
    if (
        profile.rd_staff_count is not None
        and profile.total_staff is not None
        and profile.rd_staff_count > profile.total_staff
    ):
        raise ValidationError(
            {
                "rd_staff_count": _("研发人员数（%(r)d）不能多于职工总数（%(t)d）。")
                % {"r": profile.rd_staff_count, "t": profile.total_staff}
            }
        )
    with transaction.atomic():
        before = profile_snapshot(organization)
        profile.full_clean(exclude=["organization"])
        profile.save()
        if certs is not None:
            organization.certifications.exclude(tag__in=[c["tag"] for c in certs]).delete()
            for cert in certs:
                CertificationRecord.objects.update_or_create(
                    organization=organization,
                    tag=cert["tag"],
                    defaults={
                        "certificate_number": cert["certificate_number"],
                        "valid_until": cert["valid_until"],
                    },
                )
            organization.tags.add(*[c["tag"] for c in certs])
        audit_record(
            actor=acting_user,
            action="orgs.enterprise_profile.update",
            target=profile,
            before=before,
            after=profile_snapshot(organization),
        )
        for listener in PROFILE_LISTENERS:
            listener(organization)
    return profile
