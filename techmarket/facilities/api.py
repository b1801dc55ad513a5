"""The facilities API: the same selectors and services as the pages, errors in the project's one body."""

from datetime import datetime

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import selectors, services
from .permissions import booking_organisations

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
    industry: str | None = Field(None, alias="industry_id", description="GB/T 4754 行业代码")
    chain_node_id: int | None
    summary: str
    capacity: int
    equipment: list[str] = Field(..., alias="equipment_list")
    contact_name: str
    contact_phone: str
    recognised_at: datetime | None


class FacilityFilters(Schema):
    q: str = Field("", max_length=100, description="关键词：名称、简介、设备")
    kind: str = Field(
        "", description="verification（概念验证中心）/ pilot（中试基地）/ instrument（共享仪器）"
    )
    status: str = Field("", description="trial（试点）/ recognised（已认定）/ revoked（已撤销）")
    region: str = Field("", max_length=6, pattern=r"^(\d{2,6})?$", description="地区代码前缀")
    industry: str = Field("", max_length=4, description="行业代码")
    owner: int | None = Field(None, ge=1, le=MAX_DB_INT)


class RecordOut(Schema):
    verified: int = Field(..., description="已通过验证的项目（含其后已转化的）")
    transferred: int
    running: int
    meets_record: bool = Field(..., description="是否达到“验证至少 3 项、其中转化至少 2 项”")


class BookingIn(Schema):
    organization_id: int = Field(..., ge=1, le=MAX_DB_INT)
    service: str = Field(..., max_length=120)
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
    decision_note: str
    created_at: datetime


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
    org = next((o for o in booking_organisations(request.user) if o.pk == payload.organization_id), None)
    if org is None:
        raise ValidationError({"organization_id": "您不是该机构的成员，不能以它的名义预约。"})
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
    )  # fmt: skip
    return Status(201, booking)


@router.get("/bookings/mine", response=list[BookingOut], summary="本机构的预约与收到的预约")
def booking_list(request):  # type: ignore[no-untyped-def]
    return list(selectors.bookings_visible_to(request.user)[:200])


@router.post("/bookings/{booking_id}/decision", response=BookingOut, summary="接受或谢绝预约")
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
