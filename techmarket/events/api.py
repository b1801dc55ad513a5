"""The events API: the same selectors and services as the pages, errors in the project's one body."""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.accounts import roles
from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import selectors, services
from .figures import event_figures
from .models import Registration

router = Router(tags=["对接活动"])


class EventOut(Schema):
    id: int
    title: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    status: str
    organiser_id: int
    organiser: str = Field(..., alias="organiser.name")
    summary: str
    fields: str
    audience: str
    agenda: str
    starts_at: datetime
    ends_at: datetime
    venue: str
    online_url: str
    capacity: int
    registration_deadline: datetime
    requires_approval: bool


class EventFilters(Schema):
    q: str = Field("", max_length=100, description="关键词：名称、简介、领域")
    kind: str = Field("", description="roadshow / matchmaking / campus / salon / training / live")
    when: str = Field("", description="upcoming（即将举行）/ past（往期）")
    organiser: int | None = Field(None, ge=1, le=MAX_DB_INT)


class RegistrationIn(Schema):
    organization_id: int | None = Field(None, ge=1, le=MAX_DB_INT, description="代表的机构；不填为个人报名")
    intro: str = Field("", max_length=300)
    need_ids: list[int] = Field(default_factory=list, description="携带的本机构已发布需求")
    achievement_ids: list[int] = Field(default_factory=list, description="携带的本机构已发布成果")
    visibility: str = Field("participants", description="participants（参会者可见）/ organiser（仅主办方）")
    role: str = Field(
        "attendee", description="attendee（参会）/ presenter（申报路演项目，仅路演活动，由主办方遴选）"
    )


class RegistrationOut(Schema):
    id: int
    event_id: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    organization_id: int | None
    checkin_code: str | None = Field(None, description="仅本人和主办方可见，且报名确认后才有效")
    created_at: datetime


class ParticipantOut(Schema):
    id: int
    name: str
    organization: str | None
    intro: str
    needs: list[int]
    achievements: list[int]
    email: str | None = Field(None, description="仅在双方洽谈被接受后（或对主办方）可见")


class MeetingIn(Schema):
    invitee_id: int = Field(..., ge=1, le=MAX_DB_INT, description="对方的报名 ID")
    message: str = Field("", max_length=300)


class DecisionIn(Schema):
    accept: bool
    reason: str = Field("", max_length=500, description="谢绝时必填，对方会看到它")
    expected_state: str | None = None


class MeetingOut(Schema):
    id: int
    event_id: int
    requester_id: int
    invitee_id: int
    status: str
    message: str
    decision_note: str
    slot: int | None
    table: int | None
    outcome: str
    rating: int | None
    engagement_id: int | None


class OutcomeIn(Schema):
    outcome: str = Field(..., description="not_held / no_follow_up / continue / engagement / agreement")
    rating: int | None = Field(None, ge=1, le=5)
    note: str = Field("", max_length=500)


class InterestIn(Schema):
    note: str = Field("", max_length=300)


class InterestOut(Schema):
    id: int
    presenter_id: int
    participant_id: int
    note: str
    created_at: datetime


class CheckInIn(Schema):
    code: str = Field(..., max_length=200)


class FiguresRow(Schema):
    month: str
    events: int
    registrations: int
    attended: int
    meetings_requested: int
    meetings_accepted: int
    meetings_held: int
    deals: int
    agreements: int
    engagements: int
    contracts: int
    contract_amount: Decimal = Field(..., description="已登记合同的成交额（元）")


class KindRow(Schema):
    kind: str
    label: str
    registrations: int
    attended: int


class FiguresOut(Schema):
    months: list[FiguresRow]
    totals: dict[str, int | Decimal]
    participants_by_kind: list[KindRow]


def _registration_out(user: Any, reg: Registration) -> dict[str, Any]:
    return {
        "id": reg.pk,
        "event_id": reg.event_id,
        "status": reg.status,
        "get_status_display": reg.get_status_display(),
        "organization_id": reg.organization_id,
        "checkin_code": reg.checkin_code
        if reg.user_id == user.pk or services.is_organiser(user, reg.event)
        else None,
        "created_at": reg.created_at,
    }


@router.get("", response=list[EventOut], auth=OptionalAuth(), summary="活动列表")
@paginate(PagePagination)
def event_list(request, filters: Query[EventFilters]):  # type: ignore[no-untyped-def]
    return selectors.event_list_visible_to(request.user, **filters.dict())


@router.get("/figures", response=FiguresOut, auth=OptionalAuth(), summary="活动成效统计（按月）")
def figures(
    request,
    year: int | None = Query(None, ge=2000, le=2100),
    organiser: int | None = Query(None, ge=1, le=MAX_DB_INT),
):  # type: ignore[no-untyped-def]  # noqa: B008
    """events: 已发布或已结束的活动；registrations: 确认参会；attended: 签到；meetings_held: 已填写且举行的洽谈；
    deals: 结果为“已立项对接”或“已签约”的洽谈；agreements: “已签约”；engagements: 由洽谈创建的对接项目；
    contracts / contract_amount: 这些对接项目已登记的技术合同及成交额（元）；participants_by_kind: 按所代表机构类型的参会人数。"""
    return event_figures(year=year, organiser=organiser)


@router.get("/{event_id}", response=EventOut, auth=OptionalAuth(), summary="活动详情")
def event_detail(request, event_id: int):  # type: ignore[no-untyped-def]
    return selectors.event_get_visible(request.user, event_id)


@router.post("/{event_id}/registrations", response={201: RegistrationOut}, summary="报名")
def register(request, event_id: int, payload: RegistrationIn):  # type: ignore[no-untyped-def]
    event = selectors.event_get_visible(request.user, event_id)
    org = None
    if payload.organization_id is not None:
        org = next(
            (o for o in roles.user_organizations(request.user) if o.pk == payload.organization_id), None
        )
        if org is None:
            raise ValidationError({"organization_id": "您不是该机构的成员，不能代表它报名。"})
    reg = services.registration_open(
        event=event, acting_user=request.user, organization=org, intro=payload.intro,
        need_ids=payload.need_ids, achievement_ids=payload.achievement_ids, visibility=payload.visibility,
        role=payload.role,
    )  # fmt: skip
    return Status(201, _registration_out(request.user, reg))


@router.get("/{event_id}/participants", response=list[ParticipantOut], summary="参会名单（按可见性）")
def participant_list(request, event_id: int):  # type: ignore[no-untyped-def]
    event = selectors.event_get_visible(request.user, event_id)
    out = []
    for reg in selectors.participants_visible_to(request.user, event):
        items = selectors.brought_items_visible_to(request.user, reg)
        out.append(
            {
                "id": reg.pk,
                "name": str(reg.user),
                "organization": reg.organization.name if reg.organization is not None else None,
                "intro": reg.intro,
                "needs": [n.pk for n in items["needs"]],
                "achievements": [a.pk for a in items["achievements"]],
                "email": reg.user.email if selectors.can_see_contact(request.user, reg) else None,
            }
        )
    return out


@router.post("/{event_id}/meetings", response={201: MeetingOut}, summary="预约一对一洽谈")
def meeting_new(request, event_id: int, payload: MeetingIn):  # type: ignore[no-untyped-def]
    event = selectors.event_get_visible(request.user, event_id)
    invitee = Registration.objects.unscoped().filter(pk=payload.invitee_id).first()
    if invitee is None:
        raise ValidationError({"invitee_id": "对方不是本活动的参会者。"})
    return Status(
        201,
        services.meeting_request(
            event=event, acting_user=request.user, invitee=invitee, message=payload.message
        ),
    )


@router.post("/meetings/{meeting_id}/decision", response=MeetingOut, summary="接受或谢绝洽谈")
def meeting_decide(request, meeting_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    meeting = selectors.meeting_get_visible(request.user, meeting_id)
    return services.meeting_decide(
        meeting=meeting, acting_user=request.user, accept=payload.accept, reason=payload.reason,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/meetings/{meeting_id}/outcome", response=MeetingOut, summary="填写洽谈结果")
def meeting_outcome(request, meeting_id: int, payload: OutcomeIn):  # type: ignore[no-untyped-def]
    meeting = selectors.meeting_get_visible(request.user, meeting_id)
    return services.meeting_record_outcome(
        meeting=meeting,
        acting_user=request.user,
        outcome=payload.outcome,
        rating=payload.rating,
        note=payload.note,
    )


@router.post("/{event_id}/check-in", response=RegistrationOut, summary="现场签到（主办方）")
def check_in(request, event_id: int, payload: CheckInIn):  # type: ignore[no-untyped-def]
    event = selectors.event_get_organised(request.user, event_id)
    reg = services.registration_check_in(event=event, code=payload.code, acting_user=request.user)
    return _registration_out(request.user, reg)


@router.post(
    "/projects/{registration_id}/interest", response={201: InterestOut}, summary="登记对路演项目的意向"
)
def project_interest(request, registration_id: int, payload: InterestIn):  # type: ignore[no-untyped-def]
    presenter = Registration.objects.unscoped().select_related("event").filter(pk=registration_id).first()
    if presenter is None:
        raise Http404
    selectors.event_get_visible(request.user, presenter.event_id)
    return Status(
        201,
        services.project_interest_register(presenter=presenter, acting_user=request.user, note=payload.note),
    )
