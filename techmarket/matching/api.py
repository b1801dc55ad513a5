"""Suggestions and feedback over JSON. Results are the visible, relevant ones only (see selectors)."""

from collections.abc import Callable
from typing import Any, Literal

from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status

from techmarket.api.auth import OptionalAuth
from techmarket.catalog import registry

from . import services
from .documents import MODE_FILTERS
from .presentation import api_item
from .selectors import suggestions_for

router = Router(tags=["匹配推荐"])


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
    mode: list[str] = Field(
        default_factory=list, description="、".join(f"{k}={v}" for k, v in MODE_FILTERS.items())
    )


class FeedbackIn(Schema):
    source_kind: str = Field(..., description="匹配类型，例如 need、achievement、expert")
    source_id: int
    target_kind: str = Field(..., description="匹配类型，例如 need、achievement、expert")
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


def _get(request: HttpRequest, kind: str, pk: int) -> Any:
    ctype = registry.for_kind(kind)
    if ctype is None:
        raise Http404
    return ctype.get_visible(request.user, pk)


def _suggest(request: HttpRequest, kind: str, pk: int, target: str, f: SuggestionFilters) -> dict[str, Any]:
    item = _get(request, kind, pk)
    found = suggestions_for(
        request.user,
        item,
        target=target,
        k=f.k,
        min_trl=f.min_trl,
        region=f.region,
        modes=tuple(m for m in f.mode if m in MODE_FILTERS),
    )
    items = [api_item(s) for s in found]
    return {"count": len(items), "items": items, "nothing_good": found.nothing_good}


def _suggestion_endpoint(kind: str, target: str) -> Callable[..., Any]:
    def endpoint(request: HttpRequest, item_id: int, filters: Query[SuggestionFilters]) -> Any:
        return _suggest(request, kind, item_id, target, filters)

    endpoint.__name__ = f"{kind}_{target}"
    return endpoint


_routes_added = False


def add_suggestion_routes() -> None:
    """GET /matching/<key>/{id}/<target> for every suggestion tab a catalogue type declares
    (e.g. /matching/needs/{id}/achievements), added when the API is assembled (api.api)."""
    global _routes_added
    if _routes_added:
        return
    _routes_added = True
    for ctype in registry.matchable():
        spec = ctype.matching
        for target in spec.suggests if spec else ():
            other = registry.find(target)
            if other is None or spec is None:
                continue
            router.add_api_operation(
                f"/{ctype.key}/{{item_id}}/{target}",
                ["GET"],
                _suggestion_endpoint(spec.kind, target),
                response=SuggestionsOut,
                auth=OptionalAuth(),
                summary=f"{ctype.label}的匹配{other.label}",
            )


@router.post(
    "/feedback", response={201: FeedbackOut}, summary="记录对推荐的决定（采纳 / 不相关 / 推荐给企业）"
)
def feedback(request: HttpRequest, payload: FeedbackIn) -> Any:
    source = _get(request, payload.source_kind, payload.source_id)
    target = _get(request, payload.target_kind, payload.target_id)
    fb = services.feedback_record(
        acting_user=request.user,
        source=source,
        target=target,
        decision=payload.decision,
        reason=payload.reason,
        score=payload.score,
        rank=payload.rank,
    )
    return Status(201, fb)
