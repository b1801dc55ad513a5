"""The facilities API: the same selectors and services as the pages, errors in the project's one body."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import selectors, services

router = Router(tags=["概念验证与中试"])


class FacilityOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    status: str
    status_label: str = Field(..., alias="get_status_display")
    owner_id: int
    owner: str = Field(..., alias="owner.name")
    region: str = Field(..., alias="region_id", description="GB/T 2260 地区代码")
    industries: list[str] = Field(..., description="GB/T 4754 行业代码（可多个）")
    disciplines: list[str] = Field(..., description="GB/T 13745 学科代码（可多个）")
    chain_node_ids: list[int] = Field(..., description="产业链环节编号（可多个）")
    industry: str | None = Field(
        None, description="已弃用：industries 的第一个代码（平台曾只登记一个行业），请改用 industries"
    )
    chain_node_id: int | None = Field(
        None, description="已弃用：chain_node_ids 的第一个，请改用 chain_node_ids"
    )
    summary: str
    capacity: int
    equipment: list[str] = Field(..., alias="equipment_list")
    contact_name: str
    contact_phone: str
    recognised_at: datetime | None

    # The lists come from the selectors' prefetch (facilities.selectors._field_prefetch): no query per row.
    @staticmethod
    def resolve_industries(obj: Any) -> list[str]:
        return sorted(i.pk for i in obj.industries.all())

    @staticmethod
    def resolve_disciplines(obj: Any) -> list[str]:
        return sorted(d.pk for d in obj.disciplines.all())

    @staticmethod
    def resolve_chain_node_ids(obj: Any) -> list[int]:
        return sorted(n.pk for n in obj.chain_nodes.all())

    @staticmethod
    def resolve_industry(obj: Any) -> str | None:
        codes = FacilityOut.resolve_industries(obj)
        return codes[0] if codes else None

    @staticmethod
    def resolve_chain_node_id(obj: Any) -> int | None:
        nodes = FacilityOut.resolve_chain_node_ids(obj)
        return nodes[0] if nodes else None


class FacilityFilters(Schema):
    q: str = Field("", max_length=100, description="关键词：名称、简介、设备")
    kind: str = Field(
        "", description="verification（概念验证中心）/ pilot（中试基地）/ instrument（共享仪器）"
    )
    status: str = Field("", description="trial（试点）/ recognised（已认定）/ revoked（已撤销）")
    region: str = Field("", max_length=6, pattern=r"^(\d{2,6})?$", description="地区代码前缀")
    industry: str = Field(
        "", max_length=5, description="行业代码：门类字母、大类或更细的代码，平台的任一服务行业在其下即列出"
    )
    chain_node: int | None = Field(None, ge=1, le=MAX_DB_INT, description="产业链环节编号（含其下级环节）")
    owner: int | None = Field(None, ge=1, le=MAX_DB_INT)


class RecordOut(Schema):
    verified: int = Field(..., description="已通过验证的项目（含其后已转化的）")
    transferred: int
    running: int
    meets_record: bool = Field(..., description="是否达到“验证至少 3 项、其中转化至少 2 项”")


class ServiceOut(Schema):
    id: int
    facility_id: int
    facility: str = Field(..., alias="facility.name")
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    unit: str
    price: Decimal | None = Field(None, description="单价（元）；空表示面议")
    lead_time_days: int
    requirements: str
    description: str
    is_active: bool


class ServiceFilters(Schema):
    q: str = Field("", max_length=100, description="关键词：服务名称、说明、须提供的材料、平台名称")
    kind: str = Field(
        "", description="principle / prototype / small_batch / testing / scale_up / machine_hours / other"
    )
    facility_kind: str = Field("", description="verification / pilot / instrument")
    region: str = Field("", max_length=6, pattern=r"^(\d{2,6})?$", description="地区代码前缀")
    industry: str = Field("", max_length=5, description="服务平台的行业代码（任一服务行业在其下即列出）")
    chain_node: int | None = Field(
        None, ge=1, le=MAX_DB_INT, description="服务平台的产业链环节编号（含下级）"
    )


class BookingIn(Schema):
    organization_id: int = Field(..., ge=1, le=MAX_DB_INT)
    service: str = Field("", max_length=120)
    facility_service_id: int | None = Field(None, ge=1, le=MAX_DB_INT, description="服务目录中的服务")
    message: str = Field("", max_length=500)
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    engagement_id: int | None = Field(None, ge=1, le=MAX_DB_INT)


class BookingOut(Schema):
    id: int
    facility_id: int
    organization_id: int
    service: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    starts_at: datetime | None
    ends_at: datetime | None
    engagement_id: int | None
    facility_service_id: int | None
    decision_note: str
    quote_price: Decimal | None
    quote_date: date | None
    quote_note: str
    quoted_at: datetime | None
    accepted_at: datetime | None
    delivered_at: datetime | None
    report_id: int | None = Field(None, description="服务报告（documents 文档编号）")
    rating: int | None
    rating_comment: str
    order_note: str
    created_at: datetime


class QuoteIn(Schema):
    price: Decimal = Field(..., ge=0, max_digits=12, decimal_places=2)
    delivery_date: date
    note: str = Field("", max_length=500)
    expected_state: str | None = None


class OrderMoveIn(Schema):
    action: str = Field(
        ..., description="accept（接受报价）/ refuse（不接受，需说明原因）/ cancel（取消，需说明原因）"
    )
    reason: str = Field("", max_length=500)
    expected_state: str | None = None


class ScheduleIn(Schema):
    starts_at: datetime
    ends_at: datetime
    expected_state: str | None = None


class EvaluateIn(Schema):
    rating: int = Field(..., ge=1, le=5)
    comment: str = Field("", max_length=500)
    expected_state: str | None = None


class UtilisationOut(Schema):
    facility_id: int
    facility: str
    booked_hours: Decimal
    available_hours: Decimal
    utilisation: Decimal | None = Field(None, description="利用率（%）：已排期时长 ÷ 可预约时长")


class DecisionIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500)
    expected_state: str | None = None


class ProjectOut(Schema):
    id: int
    facility_id: int
    title: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    transferred_to: str
    verified_at: datetime | None
    transferred_at: datetime | None


class MoveIn(Schema):
    action: str = Field(..., description="verify（通过验证）/ transfer（已转化）/ stop（终止，需说明原因）")
    reason: str = Field("", max_length=500)
    expected_state: str | None = None


@router.get("", response=list[FacilityOut], auth=OptionalAuth(), summary="服务平台列表")
@paginate(PagePagination)
def facility_list(request, filters: Query[FacilityFilters]):  # type: ignore[no-untyped-def]
    return selectors.facility_list_visible_to(request.user, **filters.dict())


@router.get("/services", response=list[ServiceOut], auth=OptionalAuth(), summary="服务目录")
@paginate(PagePagination)
def service_list(request, filters: Query[ServiceFilters]):  # type: ignore[no-untyped-def]
    return selectors.services_visible_to(request.user, **filters.dict())


@router.get(
    "/utilisation", response=list[UtilisationOut], auth=OptionalAuth(), summary="能力利用率（按期间）"
)
def utilisation(request, start: str = "", end: str = ""):  # type: ignore[no-untyped-def]
    """Booked hours / available hours of the facilities the caller sees, months ``start``..``end``
    (YYYY-MM, Beijing time; default: this month)."""
    from techmarket.analytics.periods import Month, Period

    try:
        first = Month.parse(start) if start else Month.current()
        last = Month.parse(end) if end else first
        period = Period(first, last)
    except (ValueError, ValidationError):
        raise ValidationError({"start": "期间格式应为 YYYY-MM，且开始不晚于结束。"}) from None
    lo, hi = period.bounds(dates=False)
    facilities = selectors.facility_list_visible_to(request.user).exclude(status="revoked")[:500]
    return [
        {**row, "facility_id": row["facility"].pk, "facility": row["facility"].name}
        for row in selectors.utilisation(facilities, lo, hi)  # type: ignore[arg-type]
    ]


@router.get("/{facility_id}", response=FacilityOut, auth=OptionalAuth(), summary="服务平台详情")
def facility_detail(request, facility_id: int):  # type: ignore[no-untyped-def]
    return selectors.facility_get_visible(request.user, facility_id)


@router.get("/{facility_id}/record", response=RecordOut, auth=OptionalAuth(), summary="验证与转化成效")
def facility_record(request, facility_id: int):  # type: ignore[no-untyped-def]
    facility = selectors.facility_get_visible(request.user, facility_id)
    return {**selectors.facility_record(facility), "meets_record": selectors.meets_record(facility)}


@router.get("/{facility_id}/projects", response=list[ProjectOut], auth=OptionalAuth(), summary="项目列表")
def project_list(request, facility_id: int):  # type: ignore[no-untyped-def]
    facility = selectors.facility_get_visible(request.user, facility_id)
    return list(selectors.projects_visible_to(request.user, facility=facility))


@router.post("/{facility_id}/bookings", response={201: BookingOut}, summary="预约服务或仪器时段")
def book(request, facility_id: int, payload: BookingIn):  # type: ignore[no-untyped-def]
    facility = selectors.facility_get_visible(request.user, facility_id)
    from techmarket.orgs.models import Organization

    org = Organization.objects.filter(pk=payload.organization_id).first()
    if org is None:
        raise ValidationError({"organization_id": "机构不存在。"})
    engagement = None
    if payload.engagement_id:
        from techmarket.engagements.selectors import engagement_get_visible

        try:
            engagement = engagement_get_visible(request.user, payload.engagement_id)
        except Http404:
            raise ValidationError({"engagement_id": "对接项目不存在或您无权查看。"}) from None
    booking = services.booking_open(
        facility=facility, acting_user=request.user, organization=org, service=payload.service,
        message=payload.message, starts_at=payload.starts_at, ends_at=payload.ends_at, engagement=engagement,
        facility_service=_offered(request, facility, payload.facility_service_id),
    )  # fmt: skip
    return Status(201, booking)


@router.get("/bookings/mine", response=list[BookingOut], summary="本机构的预约与收到的预约")
def booking_list(request):  # type: ignore[no-untyped-def]
    return list(selectors.bookings_visible_to(request.user)[:200])


def _offered(request, facility, pk):  # type: ignore[no-untyped-def]
    if pk is None:
        return None
    offered = selectors.services_visible_to(request.user, facility=facility).filter(pk=pk).first()
    if offered is None:
        raise ValidationError({"facility_service_id": "所选服务不属于本服务平台或已停止提供。"})
    return offered


@router.get("/bookings/{booking_id}", response=BookingOut, summary="预约（订单）详情")
def booking_detail(request, booking_id: int):  # type: ignore[no-untyped-def]
    return selectors.booking_get_visible(request.user, booking_id)


@router.post("/bookings/{booking_id}/quote", response=BookingOut, summary="报价或修改报价（接受前）")
def booking_quote(request, booking_id: int, payload: QuoteIn):  # type: ignore[no-untyped-def]
    booking = selectors.booking_get_visible(request.user, booking_id)
    return services.booking_quote(
        booking=booking, acting_user=request.user, price=payload.price, delivery_date=payload.delivery_date,
        note=payload.note, expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/bookings/{booking_id}/move", response=BookingOut, summary="接受或不接受报价、取消")
def booking_move(request, booking_id: int, payload: OrderMoveIn):  # type: ignore[no-untyped-def]
    booking = selectors.booking_get_visible(request.user, booking_id)
    return services.booking_move(
        booking=booking, action=payload.action, acting_user=request.user, reason=payload.reason,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/bookings/{booking_id}/schedule", response=BookingOut, summary="排期")
def booking_schedule(request, booking_id: int, payload: ScheduleIn):  # type: ignore[no-untyped-def]
    booking = selectors.booking_get_visible(request.user, booking_id)
    return services.booking_schedule(
        booking=booking, acting_user=request.user, starts_at=payload.starts_at, ends_at=payload.ends_at,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/bookings/{booking_id}/evaluate", response=BookingOut, summary="评价交付的服务")
def booking_evaluate(request, booking_id: int, payload: EvaluateIn):  # type: ignore[no-untyped-def]
    booking = selectors.booking_get_visible(request.user, booking_id)
    return services.booking_evaluate(
        booking=booking, acting_user=request.user, rating=payload.rating, comment=payload.comment,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/bookings/{booking_id}/decision", response=BookingOut, summary="谢绝预约（接受请报价）")
def booking_decide(request, booking_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    booking = selectors.booking_get_visible(request.user, booking_id)
    return services.booking_decide(
        booking=booking, acting_user=request.user, accept=payload.accept, reason=payload.reason,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/projects/{project_id}/move", response=ProjectOut, summary="登记项目结果")
def project_move(request, project_id: int, payload: MoveIn):  # type: ignore[no-untyped-def]
    project = selectors.project_get_visible(request.user, project_id)
    return services.project_move(
        project=project, action=payload.action, acting_user=request.user, reason=payload.reason,
        expected_state=payload.expected_state,
    )  # fmt: skip
