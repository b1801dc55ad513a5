"""Suggestions and feedback over JSON. Results are the visible, relevant ones only (see selectors)."""

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from techmarket.achievements.selectors import achievement_get_visible
from techmarket.api.auth import OptionalAuth
from techmarket.experts.selectors import expert_get_visible
from techmarket.needs.selectors import need_get_visible

from . import services
from .documents import MODE_FILTERS
from .presentation import api_item
from .selectors import suggestions_for

router = Router(tags=["匹配推荐"])
GETTERS = {"need": need_get_visible, "achievement": achievement_get_visible, "expert": expert_get_visible}


class HighlightOut(Schema):
    field: str
    start: int
    end: int
    term: str


class SuggestionOut(Schema):
    id: int
    title: str
    score: float
    similarity: float | None
    reasons: list[str]
    terms: list[str]
    highlights: list[HighlightOut]
    contributions: dict[str, float]


class SuggestionsOut(Schema):
    count: int
    items: list[SuggestionOut]
    nothing_good: bool = Field(description="没有足够相关的结果（界面显示“暂无足够相关的推荐”）")


class SuggestionFilters(Schema):
    k: int = Field(10, ge=1, le=50)
    min_trl: int | None = Field(None, ge=1, le=9)
    region: str = Field("", max_length=6, pattern=r"^\d*$", description="地区代码前缀，例如 37（山东）")
    mode: list[str] = Field(default_factory=list, description="、".join(f"{k}={v}" for k, v in MODE_FILTERS.items()))


class FeedbackIn(Schema):
    source_kind: Literal["need", "achievement", "expert"]
    source_id: int
    target_kind: Literal["need", "achievement", "expert"]
    target_id: int
    decision: Literal["accept", "reject", "recommend"]
    reason: str = ""
    score: float | None = None
    rank: int | None = Field(None, ge=1, le=1000)


class FeedbackOut(Schema):
    id: int
    decision: str
    reason: str
    created_at: Any


def _suggest(request: HttpRequest, kind: str, pk: int, target: str, f: SuggestionFilters) -> dict[str, Any]:
    item = GETTERS[kind](request.user, pk)
    found = suggestions_for(request.user, item, target=target, k=f.k, min_trl=f.min_trl, region=f.region,
                            modes=tuple(m for m in f.mode if m in MODE_FILTERS))
    items = [api_item(s) for s in found]
    return {"count": len(items), "items": items, "nothing_good": found.nothing_good}


@router.get("/needs/{need_id}/achievements", response=SuggestionsOut, auth=OptionalAuth(),
            summary="需求的匹配成果")
def need_achievements(request: HttpRequest, need_id: int, filters: Query[SuggestionFilters]) -> Any:
    return _suggest(request, "need", need_id, "achievements", filters)


@router.get("/needs/{need_id}/experts", response=SuggestionsOut, auth=OptionalAuth(), summary="需求的匹配专家")
def need_experts(request: HttpRequest, need_id: int, filters: Query[SuggestionFilters]) -> Any:
    return _suggest(request, "need", need_id, "experts", filters)


@router.get("/achievements/{achievement_id}/needs", response=SuggestionsOut, auth=OptionalAuth(),
            summary="成果的匹配需求")
def achievement_needs(request: HttpRequest, achievement_id: int, filters: Query[SuggestionFilters]) -> Any:
    return _suggest(request, "achievement", achievement_id, "needs", filters)


@router.get("/experts/{expert_id}/needs", response=SuggestionsOut, auth=OptionalAuth(), summary="专家的匹配需求")
def expert_needs(request: HttpRequest, expert_id: int, filters: Query[SuggestionFilters]) -> Any:
    return _suggest(request, "expert", expert_id, "needs", filters)


@router.post("/feedback", response={201: FeedbackOut}, summary="记录对推荐的决定（采纳 / 不相关 / 推荐给企业）")
def feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    source = GETTERS[payload.source_kind](request.user, payload.source_id)
    target = GETTERS[payload.target_kind](request.user, payload.target_id)
    fb = services.feedback_record(acting_user=request.user, source=source, target=target,
                                  decision=payload.decision, reason=payload.reason, score=payload.score,
                                  rank=payload.rank)
    return Status(201, fb)
