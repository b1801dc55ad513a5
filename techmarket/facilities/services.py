"""Writes of the facilities domain: keyword-only, atomic, audited; states move through the workflow engine
(facilities, projects) and the decisions base (bookings)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, snapshot
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.orgs.models import Organization
from techmarket.workflow.engine import transition

from .fields import BOOKING_FIELDS, FACILITY_FIELDS, PROJECT_FIELDS
from .models import HOLDING_BOOKING, Booking, Facility, Project
from .permissions import booking_organisations, may_manage, owner_organisations
from .request_types import BOOKING_REQUEST
from .workflow import FACILITY, PROJECT

FACILITY_EDITABLE = (
    "name", "kind", "region", "address", "industry", "chain_node", "summary", "capacity", "equipment",
    "contact_name", "contact_phone",
)  # fmt: skip
PROJECT_EDITABLE = ("title", "team", "goals", "results", "transferred_to")


# ---------------------------------------------------------------- facilities


def _clean_facility(data: dict[str, Any]) -> dict[str, Any]:
    clean = FACILITY_FIELDS.clean(dict(data), partial=False)
    errors: dict[str, str] = {}
    if clean.get("kind") not in Facility.Kind.values:
        errors["kind"] = _("请选择类型：概念验证中心、中试基地或共享仪器。")
    if not clean.get("region"):
        errors["region"] = _("请选择所在地区。")
    if errors:
        raise ValidationError(errors)
    return clean


def facility_create(*, acting_user: Any, owner: Organization, data: dict[str, Any]) -> Facility:
    if owner not in owner_organisations(acting_user):
        raise PermissionDenied(_("只有已通过审核机构的管理员或平台运营可以登记服务平台。"))
    clean = _clean_facility({k: v for k, v in data.items() if k in FACILITY_EDITABLE})
    with transaction.atomic():
        facility = Facility(owner=owner, created_by=acting_user, status=Facility.Status.TRIAL, **clean)
        facility.save()
        audit_record(
            actor=acting_user, action="facilities.facility.create", target=facility, after=snapshot(facility)
        )
    return facility


def facility_update(*, facility: Facility, acting_user: Any, data: dict[str, Any]) -> Facility:
    if not may_manage(acting_user, facility):
        raise PermissionDenied(_("只有依托单位的管理员或平台运营可以修改服务平台。"))
    if facility.status == Facility.Status.REVOKED:
        raise ValidationError(_("服务平台已撤销，不能再修改。"))
    merged = {name: getattr(facility, name) for name in FACILITY_EDITABLE}
    merged.update({k: v for k, v in data.items() if k in FACILITY_EDITABLE})
    clean = _clean_facility(merged)
    changed = {k: v for k, v in clean.items() if getattr(facility, k) != v}
    if not changed:
        return facility
    with transaction.atomic():
        before = snapshot(facility, changed)
        for k, v in changed.items():
            setattr(facility, k, v)
        facility.save()
        audit_record(
            actor=acting_user,
            action="facilities.facility.update",
            target=facility,
            before=before,
            after=snapshot(facility, changed),
        )
    return facility


def facility_move(
    *, facility: Facility, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Facility:
    return transition(
        workflow=FACILITY, obj=facility, action=action, acting_user=acting_user, reason=reason,
        expected_state=expected_state,
    )  # fmt: skip


# ---------------------------------------------------------------- bookings


def _overlapping(
    facility: Facility, starts_at: datetime, ends_at: datetime, *, exclude: int | None = None
) -> Any:
    """Bookings that hold a slot of the facility overlapping [starts_at, ends_at)."""
    qs = Booking.objects.unscoped().filter(
        facility=facility, status__in=HOLDING_BOOKING, starts_at__lt=ends_at, ends_at__gt=starts_at
    )
    return qs.exclude(pk=exclude) if exclude else qs


def _lock(facility: Facility) -> None:
    """Serialise slot checks of one facility: concurrent bookings wait here (a no-op on SQLite, which
    serialises writers anyway)."""
    Facility.objects.unscoped().select_for_update().filter(pk=facility.pk).first()


def booking_open(
    *,
    facility: Facility,
    acting_user: Any,
    organization: Organization,
    service: str,
    message: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    engagement: Any = None,
) -> Booking:
    """Ask the facility for a service; an instrument needs a free time slot (no double booking)."""
    if organization not in booking_organisations(acting_user):
        raise PermissionDenied(_("只能以本人所在、已通过审核的机构名义预约。"))
    if facility.status == Facility.Status.REVOKED:
        raise ValidationError(_("该服务平台已撤销，不能预约。"))
    if organization.pk == facility.owner_id:
        raise ValidationError(_("不能预约本机构的服务平台。"))
    clean = BOOKING_FIELDS.clean({"service": service, "message": message}, partial=False)
    errors: dict[str, str] = {}
    if (starts_at is None) != (ends_at is None):
        errors["ends_at"] = _("请同时填写开始和结束时间。")
    elif starts_at is not None and ends_at is not None and ends_at <= starts_at:
        errors["ends_at"] = _("结束时间必须晚于开始时间。")
    if facility.books_slots and starts_at is None:
        errors["starts_at"] = _("预约共享仪器请填写使用时段。")
    if engagement is not None:
        from techmarket.engagements.selectors import engagement_party_org_ids

        if organization.pk not in engagement_party_org_ids(engagement):
            errors["engagement"] = _("申请单位不是该对接项目的参与方。")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        if facility.books_slots and starts_at is not None and ends_at is not None:
            _lock(facility)
            if _overlapping(facility, starts_at, ends_at).exists():
                raise ValidationError({"starts_at": _("该时段已被预约，请选择其他时段。")})
        booking = Booking(
            facility=facility,
            requested_by=acting_user,
            organization=organization,
            starts_at=starts_at,
            ends_at=ends_at,
            engagement=engagement,
            **clean,
        )
        opened: Booking = request_open(
            request_type=BOOKING_REQUEST,
            obj=booking,
            acting_user=acting_user,
            after=snapshot(booking, ["facility_id", "organization_id", "service", "starts_at", "ends_at"]),
        )
    return opened


def booking_decide(
    *, booking: Booking, acting_user: Any, accept: bool, reason: str = "", expected_state: str | None = None
) -> Booking:
    """Accept, or decline with a reason the requester sees (the decisions base refuses an empty one)."""
    with transaction.atomic():
        if accept and booking.facility.books_slots and booking.starts_at and booking.ends_at:
            _lock(booking.facility)
            clash = _overlapping(booking.facility, booking.starts_at, booking.ends_at, exclude=booking.pk)
            if clash.filter(status=Booking.Status.ACCEPTED).exists():
                raise ValidationError(_("该时段已接受了另一项预约，不能重复接受。"))
        decided: Booking = request_decide(
            request_type=BOOKING_REQUEST, obj=booking, acting_user=acting_user, approve=accept, reason=reason,
            expected_state=expected_state,
        )  # fmt: skip
    return decided


def booking_withdraw(*, booking: Booking, acting_user: Any) -> Booking:
    withdrawn: Booking = request_withdraw(request_type=BOOKING_REQUEST, obj=booking, acting_user=acting_user)
    return withdrawn


# ---------------------------------------------------------------- projects


def project_create(
    *,
    facility: Facility,
    acting_user: Any,
    data: dict[str, Any],
    engagement: Any = None,
    booking: Booking | None = None,
) -> Project:
    if not may_manage(acting_user, facility):
        raise PermissionDenied(_("只有依托单位的管理员或平台运营可以登记项目。"))
    if facility.status == Facility.Status.REVOKED:
        raise ValidationError(_("服务平台已撤销，不能再登记项目。"))
    clean = PROJECT_FIELDS.clean({k: v for k, v in data.items() if k in PROJECT_EDITABLE}, partial=False)
    if booking is not None and booking.facility_id != facility.pk:
        raise ValidationError({"booking": _("所选预约不属于本服务平台。")})
    if booking is not None and engagement is None:
        engagement = booking.engagement
    with transaction.atomic():
        project = Project(
            facility=facility, created_by=acting_user, engagement=engagement, booking=booking, **clean
        )
        project.save()
        audit_record(
            actor=acting_user, action="facilities.project.create", target=project, after=snapshot(project)
        )
    return project


def project_move(
    *, project: Project, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Project:
    """Record an outcome: verified, transferred (with where to, kept in ``transferred_to``) or stopped."""
    return transition(
        workflow=PROJECT, obj=project, action=action, acting_user=acting_user, reason=reason,
        expected_state=expected_state,
    )  # fmt: skip
