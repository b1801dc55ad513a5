"""Writes of the facilities domain: keyword-only, atomic, audited; states move through the workflow engine
(facilities, projects) and the decisions base (bookings)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from techmarket.audit.services import audit_record, snapshot
from techmarket.core.text import word_list
from techmarket.decisions.services import request_decide, request_open, request_withdraw
from techmarket.decisions.types import workflow_of
from techmarket.documents.content import check_upload
from techmarket.documents.services import document_upload
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Discipline, Industry
from techmarket.workflow.engine import transition

from .fields import BOOKING_FIELDS, FACILITY_FIELDS, PROJECT_FIELDS, SERVICE_FIELDS
from .models import HOLDING_BOOKING, Booking, Facility, FacilityService, Project
from .permissions import booking_organisations, may_manage, owner_organisations
from .request_types import BOOKING_REQUEST
from .workflow import FACILITY, ORDER, PROJECT

FACILITY_EDITABLE = (
    "name", "kind", "region", "address", "summary", "capacity", "equipment",
    "contact_name", "contact_phone", "opens_at", "closes_at", "open_weekdays", "parallel_capacity",
)  # fmt: skip
# The facility's fields (several of each): field name → (model, what a missing code is called).
FACILITY_M2M: dict[str, tuple[Any, Any]] = {
    "industries": (Industry, _lazy("行业代码")),
    "disciplines": (Discipline, _lazy("学科代码")),
    "chain_nodes": (ChainNode, _lazy("产业链环节")),
}
PROJECT_EDITABLE = ("title", "team", "goals", "results", "transferred_to")
SERVICE_EDITABLE = ("name", "kind", "unit", "price", "lead_time_days", "requirements", "description")


# ---------------------------------------------------------------- facilities


def _clean_facility(data: dict[str, Any]) -> dict[str, Any]:
    clean = FACILITY_FIELDS.clean(dict(data), partial=False)
    errors: dict[str, str] = {}
    opens, closes = clean.get("opens_at"), clean.get("closes_at")
    if (opens is None) != (closes is None):
        errors["closes_at"] = _("开放时间请同时填写起止时间，或都不填（全天开放）。")
    elif opens is not None and closes is not None and closes <= opens:
        errors["closes_at"] = _("开放时间的结束须晚于开始。")
    weekdays = "".join(sorted(set(str(clean.get("open_weekdays") or "1234567"))))
    if not weekdays or not set(weekdays) <= set("1234567"):
        errors["open_weekdays"] = _("开放日请填写 1–7 的数字，例如 12345 表示周一至周五。")
    clean["open_weekdays"] = weekdays
    if clean.get("parallel_capacity") in (None, ""):
        clean["parallel_capacity"] = 1
    if not 1 <= int(clean["parallel_capacity"]) <= 1000:
        errors["parallel_capacity"] = _("同时可承接的预约数须在 1 到 1000 之间。")
    if clean.get("kind") not in Facility.Kind.values:
        errors["kind"] = _("请选择类型：概念验证中心、中试基地或共享仪器。")
    if not clean.get("region"):
        errors["region"] = _("请选择所在地区。")
    if errors:
        raise ValidationError(errors)
    return clean


def _clean_fields(data: dict[str, Any]) -> dict[str, list[Any]]:
    """The many-to-many fields present in ``data`` as lists of objects; unknown codes are refused by name."""
    errors: dict[str, str] = {}
    out: dict[str, list[Any]] = {}
    for field, (model, label) in FACILITY_M2M.items():
        if field not in data:
            continue
        keys = list(dict.fromkeys(getattr(v, "pk", v) for v in (data[field] or [])))
        found = {obj.pk: obj for obj in model._default_manager.filter(pk__in=keys)}
        missing = [str(k) for k in keys if k not in found]
        if missing:
            errors[field] = _("%(label)s不存在：%(v)s。") % {"label": label, "v": word_list(missing)}
        out[field] = [found[k] for k in keys if k in found]
    if errors:
        raise ValidationError(errors)
    return out


def _field_keys(facility: Facility) -> dict[str, list[Any]]:
    """The facility's codes and chain nodes, sorted (what the audit records and the no-change test compare)."""
    return {field: sorted(getattr(facility, field).values_list("pk", flat=True)) for field in FACILITY_M2M}


def facility_create(*, acting_user: Any, owner: Organization, data: dict[str, Any]) -> Facility:
    if owner not in owner_organisations(acting_user):
        raise PermissionDenied(_("只有已通过审核机构的管理员或平台运营可以登记服务平台。"))
    clean = _clean_facility({k: v for k, v in data.items() if k in FACILITY_EDITABLE})
    fields = _clean_fields(data)
    with transaction.atomic():
        facility = Facility(owner=owner, created_by=acting_user, status=Facility.Status.TRIAL, **clean)
        facility.save()
        for field, objs in fields.items():
            getattr(facility, field).set(objs)
        audit_record(
            actor=acting_user,
            action="facilities.facility.create",
            target=facility,
            after={**snapshot(facility), **_field_keys(facility)},
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
    fields = _clean_fields(data)
    changed = {k: v for k, v in clean.items() if getattr(facility, k) != v}
    current = _field_keys(facility)
    changed_fields = {k: objs for k, objs in fields.items() if sorted(o.pk for o in objs) != current[k]}
    if not changed and not changed_fields:
        return facility
    with transaction.atomic():
        before = {**snapshot(facility, changed), **{k: current[k] for k in changed_fields}}
        for k, v in changed.items():
            setattr(facility, k, v)
        facility.save(update_fields=None if changed else ["updated_at"])
        for k, objs in changed_fields.items():
            getattr(facility, k).set(objs)
        after_keys = _field_keys(facility)
        audit_record(
            actor=acting_user,
            action="facilities.facility.update",
            target=facility,
            before=before,
            after={**snapshot(facility, changed), **{k: after_keys[k] for k in changed_fields}},
        )
    return facility


def facility_move(
    *, facility: Facility, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Facility:
    return transition(
        workflow=FACILITY, obj=facility, action=action, acting_user=acting_user, reason=reason,
        expected_state=expected_state,
    )  # fmt: skip


# ---------------------------------------------------------------- service catalogue


def facility_service_save(
    *, facility: Facility, acting_user: Any, data: dict[str, Any], service: FacilityService | None = None
) -> FacilityService:
    """Add a service to the facility's catalogue, or change one (writes nothing when nothing changed)."""
    if not may_manage(acting_user, facility):
        raise PermissionDenied(_("只有依托单位的管理员或平台运营可以维护服务目录。"))
    if facility.status == Facility.Status.REVOKED:
        raise ValidationError(_("服务平台已撤销，不能再维护服务目录。"))
    if service is not None and service.facility_id != facility.pk:
        raise ValidationError(_("该服务不属于本服务平台。"))
    clean = SERVICE_FIELDS.clean({k: v for k, v in data.items() if k in SERVICE_EDITABLE}, partial=False)
    if clean.get("kind") not in FacilityService.Kind.values:
        raise ValidationError({"kind": _("请选择服务类别。")})
    clean["is_active"] = bool(data.get("is_active", True))
    with transaction.atomic():
        if service is None:
            service = FacilityService(facility=facility, **clean)
            service.save()
            audit_record(
                actor=acting_user,
                action="facilities.service.create",
                target=facility,
                after=snapshot(service, [*SERVICE_EDITABLE, "is_active"]),
            )
            return service
        changed = {k: v for k, v in clean.items() if getattr(service, k) != v}
        if not changed:
            return service
        before = snapshot(service, changed)
        for k, v in changed.items():
            setattr(service, k, v)
        service.save()
        audit_record(
            actor=acting_user,
            action="facilities.service.update",
            target=facility,
            before=before,
            after=snapshot(service, changed),
        )
    return service


# ---------------------------------------------------------------- the capacity calendar


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


def slot_problems(facility: Facility, starts_at: datetime, ends_at: datetime) -> list[str]:
    """What is wrong with [starts_at, ends_at) against the facility's opening days and hours (Beijing time)."""
    problems: list[str] = []
    start, end = timezone.localtime(starts_at), timezone.localtime(ends_at)
    day = start.date()
    last = (end - timedelta(microseconds=1)).date()
    while day <= last:
        if str(day.isoweekday()) not in facility.open_weekdays:
            problems.append(_("%(d)s 不是开放日，请选择其他日期。") % {"d": day.isoformat()})
            break
        day += timedelta(days=1)
    if facility.opens_at is not None and facility.closes_at is not None:
        hours = {"a": facility.opens_at.strftime("%H:%M"), "b": facility.closes_at.strftime("%H:%M")}
        if start.time() < facility.opens_at or start.time() >= facility.closes_at:
            problems.append(_("开始时间不在开放时间（%(a)s–%(b)s）内。") % hours)
        if end.time() > facility.closes_at or end.time() <= facility.opens_at:
            problems.append(_("结束时间不在开放时间（%(a)s–%(b)s）内。") % hours)
    return problems


def _check_slot(
    facility: Facility, starts_at: datetime, ends_at: datetime, *, exclude: int | None = None
) -> None:
    """Refuse a slot outside the opening hours or beyond the facility's capacity; call inside a transaction
    (it locks the facility row so two bookings cannot take the last place at once)."""
    if ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间必须晚于开始时间。")})
    problems = slot_problems(facility, starts_at, ends_at)
    if problems:
        raise ValidationError({"starts_at": problems})
    _lock(facility)
    if _overlapping(facility, starts_at, ends_at, exclude=exclude).count() >= max(
        facility.parallel_capacity, 1
    ):
        raise ValidationError({"starts_at": _("该时段已被预约满（同时最多 %(n)s 项），请选择其他时段。") % {
            "n": max(facility.parallel_capacity, 1)
        }})  # fmt: skip


# ---------------------------------------------------------------- bookings (orders)


def may_book_for(user: Any, organization: Organization, engagement: Any = None) -> bool:
    """A member books in the name of an approved organisation of theirs; a broker of an engagement also in
    the name of one of its parties (the enterprise the service is for)."""
    if organization in booking_organisations(user):
        return True
    if engagement is None or organization.status != Organization.Status.APPROVED:
        return False
    from techmarket.engagements.selectors import engagement_party_org_ids

    brokers = engagement.lead_broker_id == user.pk or engagement.assisting_brokers.filter(pk=user.pk).exists()
    return brokers and organization.pk in engagement_party_org_ids(engagement)


def booking_open(
    *,
    facility: Facility,
    acting_user: Any,
    organization: Organization,
    service: str = "",
    message: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    engagement: Any = None,
    facility_service: FacilityService | None = None,
) -> Booking:
    """Ask the facility for a service; an instrument needs a free time slot within its opening hours."""
    if not may_book_for(acting_user, organization, engagement):
        raise PermissionDenied(
            _("只能以本人所在、已通过审核的机构名义预约（对接项目的经纪人可代参与方预约）。")
        )
    if facility.status == Facility.Status.REVOKED:
        raise ValidationError(_("该服务平台已撤销，不能预约。"))
    if organization.pk == facility.owner_id:
        raise ValidationError(_("不能预约本机构的服务平台。"))
    if facility_service is not None:
        if facility_service.facility_id != facility.pk or not facility_service.is_active:
            raise ValidationError({"facility_service": _("所选服务不属于本服务平台或已停止提供。")})
        service = service or facility_service.name
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
        if starts_at is not None and ends_at is not None:
            _check_slot(facility, starts_at, ends_at)
        booking = Booking(
            facility=facility,
            requested_by=acting_user,
            organization=organization,
            starts_at=starts_at,
            ends_at=ends_at,
            engagement=engagement,
            facility_service=facility_service,
            **clean,
        )
        opened: Booking = request_open(
            request_type=BOOKING_REQUEST,
            obj=booking,
            acting_user=acting_user,
            after=snapshot(
                booking,
                ["facility_id", "organization_id", "service", "facility_service_id", "starts_at", "ends_at"],
            ),
        )
    return opened


def booking_quote(
    *,
    booking: Booking,
    acting_user: Any,
    price: Decimal | None,
    delivery_date: date | None,
    note: str = "",
    expected_state: str | None = None,
) -> Booking:
    """The facility's quote (price and delivery date); it may be revised until the requester accepts it,
    never after."""
    state = expected_state or booking.status
    if state not in (Booking.Status.PENDING, Booking.Status.QUOTED):
        if booking.accepted_at is not None:
            raise ValidationError(_("报价已被接受，不能再修改。"))
        raise ValidationError(_("当前状态（%(s)s）不能报价。") % {"s": booking.get_status_display()})
    errors: dict[str, str] = {}
    if price is None:
        errors["quote_price"] = _("请填写报价金额（元）；“面议”的服务在报价时须给出金额。")
    elif price < 0 or price >= Decimal("10000000000"):
        errors["quote_price"] = _("报价金额须在 0 到 100 亿元之间。")
    if delivery_date is None:
        errors["quote_date"] = _("请填写预计交付日期。")
    elif delivery_date < timezone.localdate():
        errors["quote_date"] = _("预计交付日期不能早于今天。")
    note = (note or "").strip()[:500]
    if errors:
        raise ValidationError(errors)
    changes = {"quote_price": price, "quote_date": delivery_date, "quote_note": note}
    with transaction.atomic():
        if state == Booking.Status.PENDING:
            quoted: Booking = transition(
                workflow=workflow_of(BOOKING_REQUEST), obj=booking, action="approve", acting_user=acting_user,
                reason=note, expected_state=state, changes={**changes, "quoted_at": timezone.now()},
            )  # fmt: skip
            return quoted
        return transition(
            workflow=ORDER, obj=booking, action="requote", acting_user=acting_user, reason=note,
            expected_state=state, changes=changes,
        )  # fmt: skip


def booking_decide(
    *, booking: Booking, acting_user: Any, accept: bool, reason: str = "", expected_state: str | None = None
) -> Booking:
    """Decline with a reason the requester sees (the decisions base refuses an empty one); accepting a
    booking is quoting it (``booking_quote``)."""
    if accept:
        raise ValidationError(_("接受预约请填写报价（金额与预计交付日期）。"))
    decided: Booking = request_decide(
        request_type=BOOKING_REQUEST, obj=booking, acting_user=acting_user, approve=False, reason=reason,
        expected_state=expected_state,
    )  # fmt: skip
    return decided


def booking_withdraw(*, booking: Booking, acting_user: Any) -> Booking:
    withdrawn: Booking = request_withdraw(request_type=BOOKING_REQUEST, obj=booking, acting_user=acting_user)
    return withdrawn


def booking_move(
    *, booking: Booking, action: str, acting_user: Any, reason: str = "", expected_state: str | None = None
) -> Booking:
    """Accept or refuse the quote, or cancel (with a reason; the slot is freed)."""
    if action not in ("accept", "refuse", "cancel"):
        raise ValidationError(_("未知操作。"))
    return transition(
        workflow=ORDER, obj=booking, action=action, acting_user=acting_user, reason=reason,
        expected_state=expected_state,
    )  # fmt: skip


def booking_schedule(
    *,
    booking: Booking,
    acting_user: Any,
    starts_at: datetime | None,
    ends_at: datetime | None,
    expected_state: str | None = None,
) -> Booking:
    """Put the accepted order into the capacity calendar: within opening days and hours, never beyond the
    facility's parallel capacity (no double booking of an instrument)."""
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": _("请填写排期的开始和结束时间。")})
    if not ORDER.may(acting_user, booking, "schedule"):
        raise PermissionDenied(_("只有服务平台可以排期。"))
    with transaction.atomic():
        _check_slot(booking.facility, starts_at, ends_at, exclude=booking.pk)
        scheduled: Booking = transition(
            workflow=ORDER, obj=booking, action="schedule", acting_user=acting_user,
            expected_state=expected_state, changes={"starts_at": starts_at, "ends_at": ends_at},
        )  # fmt: skip
    return scheduled


REPORT_KINDS = ("pdf", "docx")


def booking_deliver(
    *,
    booking: Booking,
    acting_user: Any,
    report: Any,
    note: str = "",
    verified: bool = False,
    expected_state: str | None = None,
) -> Booking:
    """Deliver the service with its report (PDF or Word, through documents). When the booking serves an
    engagement, the report is logged in the engagement's activities; with ``verified`` the verification
    project of the booking (created when there is none) counts as verified."""
    if not ORDER.may(acting_user, booking, "deliver"):
        raise PermissionDenied(_("只有服务平台可以交付报告。"))
    if booking.status != (expected_state or booking.status) or booking.status != Booking.Status.SCHEDULED:
        raise ValidationError(_("只有已排期的预约可以交付报告（当前状态：%(s)s）。") % {
            "s": booking.get_status_display()
        })  # fmt: skip
    if report is None:
        raise ValidationError({"report": _("交付前须上传服务报告（PDF 或 Word 文档）。")})
    kind, _mime = check_upload(report)
    if kind not in REPORT_KINDS:
        raise ValidationError({"report": _("服务报告须为 PDF 或 Word（.docx）文档，收到的是 %(k)s 文件。") % {
            "k": kind.upper()
        }})  # fmt: skip
    with transaction.atomic():
        version = document_upload(
            obj=booking, acting_user=acting_user, upload=report, title=_("服务报告：%(s)s") % {"s": booking.service},
            note=(note or "").strip()[:300],
        )  # fmt: skip
        delivered: Booking = transition(
            workflow=ORDER, obj=booking, action="deliver", acting_user=acting_user, reason=note,
            expected_state=Booking.Status.SCHEDULED, changes={"report": version.document},
        )  # fmt: skip
        if verified:
            _verify_projects(delivered, acting_user)
        if delivered.engagement_id:
            _log_in_engagement(delivered, acting_user, version)
    return delivered


def _verify_projects(booking: Booking, acting_user: Any) -> None:
    projects = list(Project.objects.unscoped().filter(booking=booking, status=Project.Status.RUNNING))
    if not projects and not Project.objects.unscoped().filter(booking=booking).exists():
        title = booking.engagement.title if booking.engagement is not None else booking.service
        projects = [
            project_create(
                facility=booking.facility,
                acting_user=acting_user,
                booking=booking,
                data={
                    "title": title[:120],
                    "team": booking.organization.name[:200],
                    "goals": booking.message,
                },
            )  # fmt: skip
        ]
    for project in projects:
        transition(workflow=PROJECT, obj=project, action="verify", acting_user=acting_user)


def _log_in_engagement(booking: Booking, acting_user: Any, version: Any) -> None:
    """The delivered report in the engagement's timeline (the activity names the booking, whose page lists
    the report to the engagement's parties)."""
    from techmarket.engagements.models import Activity, ActivityKind

    engagement = booking.engagement
    if engagement is None:
        return
    activity = Activity.objects.create(
        engagement=engagement,
        kind=ActivityKind.SAMPLE_TEST,
        happened_on=timezone.localdate(),
        participants=booking.facility.name[:300],
        summary=_("服务平台“%(f)s”交付了服务报告《%(t)s》（%(s)s，预约 #%(n)s）。")
        % {
            "f": booking.facility.name,
            "t": version.document.title,
            "s": booking.service,
            "n": booking.pk,
        },  # fmt: skip
        stage=engagement.stage,
        created_by=acting_user,
    )
    audit_record(
        actor=acting_user,
        action="engagements.activity.create",
        target=engagement,
        after={
            "kind": activity.kind,
            "activity": activity.pk,
            "booking": booking.pk,
            "document": version.document_id,
        },
    )


def booking_evaluate(
    *, booking: Booking, acting_user: Any, rating: Any, comment: str = "", expected_state: str | None = None
) -> Booking:
    """The requester rates the delivered service (1–5) with an optional comment."""
    try:
        score = int(rating)
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise ValidationError({"rating": _("请给出 1–5 分的评分。")})
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ValidationError({"rating_comment": _("评价最多 500 字。")})
    evaluated: Booking = transition(
        workflow=ORDER, obj=booking, action="evaluate", acting_user=acting_user, expected_state=expected_state,
        changes={"rating": score, "rating_comment": comment},
    )  # fmt: skip
    return evaluated


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
