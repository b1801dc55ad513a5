"""/api/engagements: the same selectors and services as the pages (mounted through EngagementsConfig.api_router)."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from techmarket.api.pagination import LazyRows, PagePagination

from . import answers, selectors, services
from .models import Engagement

router = Router(tags=["对接项目"])


class EngagementOut(Schema):
    id: int
    title: str
    stage: str
    stage_label: str
    status: str
    demand_org_id: int
    demand_org: str
    supply_org_id: int | None
    supply_org: str | None
    lead_broker_id: int
    lead_broker: str
    need_id: int | None
    achievement_id: int | None
    origin: str
    next_step: str
    due_at: datetime | None
    termination_reason: str
    stage_note: str
    version: int
    created_at: datetime
    updated_at: datetime


class EngagementFilters(Schema):
    stage: str = ""
    status: str = Field("", description="open / deal / terminated")
    q: str = Field("", max_length=50)


class MoveIn(Schema):
    reason: str = Field("", max_length=2000)
    termination_reason: str = Field("", description="终止时必填：price / tech_mismatch / ...")
    expected_state: str | None = Field(None, description="调用方看到的阶段；若已被他人推进，操作被拒绝")


class EngagementPatch(Schema):
    version: int = Field(..., description="调用方看到的版本；他人已保存时被拒绝")
    title: str | None = Field(None, max_length=120)
    summary: str | None = Field(None, max_length=5000)
    next_step: str | None = Field(None, max_length=200)
    next_step_on: date | None = None


class ActivityIn(Schema):
    kind: str
    happened_on: date
    summary: str = Field(..., max_length=5000)
    participants: str = Field("", max_length=300)


class AnswerIn(Schema):
    interested: bool
    reason: str = Field("", max_length=500)
    expected_state: str | None = None


class AnswerOut(Schema):
    id: int
    side: str
    status: str
    decision_note: str
    engagement_id: int | None


def _out(e: Engagement) -> dict[str, Any]:
    return {
        **{f: getattr(e, f) for f in EngagementOut.model_fields if hasattr(e, f)},
        "stage_label": e.get_stage_display(),
        "status": e.status,
        "demand_org": e.demand_org.name,
        "supply_org": e.supply_org.name if e.supply_org else None,
        "lead_broker": e.lead_broker.display_name,
    }


@router.get("", response=list[EngagementOut], summary="我可见的对接项目")
@paginate(PagePagination)
def engagement_list(request, filters: EngagementFilters = Query(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    qs = selectors.engagement_list_visible_to(request.user, **filters.dict()).order_by("-updated_at", "-pk")
    return LazyRows(request, qs, lambda _r, e: _out(e))


@router.get("/{engagement_id}", response=EngagementOut, summary="对接项目详情")
def engagement_detail(request, engagement_id: int):  # type: ignore[no-untyped-def]
    return _out(selectors.engagement_get_visible(request.user, engagement_id))


@router.patch("/{engagement_id}", response=EngagementOut, summary="修改项目与下一步（带版本号）")
def engagement_update(request, engagement_id: int, payload: EngagementPatch):  # type: ignore[no-untyped-def]
    engagement = selectors.engagement_get_visible(request.user, engagement_id)
    data = payload.dict()
    version = data.pop("version")
    services.engagement_update(
        engagement=engagement, acting_user=request.user, expected_version=version, **data
    )
    return _out(engagement)


@router.post("/{engagement_id}/actions/{action}", response=EngagementOut, summary="推进阶段 / 成交 / 终止")
def engagement_move(request, engagement_id: int, action: str, payload: MoveIn):  # type: ignore[no-untyped-def]
    engagement = selectors.engagement_get_visible(request.user, engagement_id)
    services.engagement_move(engagement=engagement, action=action, acting_user=request.user, **payload.dict())
    return _out(engagement)


@router.post("/{engagement_id}/activities", response={201: dict}, summary="记录对接活动")
def activity_create(request, engagement_id: int, payload: ActivityIn):  # type: ignore[no-untyped-def]
    engagement = selectors.engagement_get_visible(request.user, engagement_id)
    activity = services.activity_log(engagement=engagement, acting_user=request.user, **payload.dict())
    return 201, {"id": activity.pk}


@router.post("/answers/{answer_id}", response=AnswerOut, summary="答复经纪人推荐：有意向对接 / 暂不考虑")
def answer(request, answer_id: int, payload: AnswerIn):  # type: ignore[no-untyped-def]
    obj = selectors.answer_get_visible(request.user, answer_id)
    answers.recommendation_answer(answer=obj, acting_user=request.user, **payload.dict())
    return obj
