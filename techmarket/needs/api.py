from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import LazyRows, PagePagination
from techmarket.api.schemas import ActionIn
from techmarket.catalog.models import Visibility
from techmarket.catalog.services import confidential_detail_read
from techmarket.catalog.visibility import owner_label
from techmarket.catalog.workflow import listing_transition
from techmarket.orgs.models import Organization
from techmarket.reference.codes import normalize_industry_code
from techmarket.reference.models import ChainNode, Industry, Region

from . import selectors, services
from .fields import NEED_FIELDS

router = Router(tags=["技术需求"])


class Parameter(Schema):
    indicator: str
    target: str
    unit: str = ""


class NeedSummaryOut(Schema):
    id: int
    kind: str
    title: str
    summary: str
    owner: str
    industry_id: str | None
    region_id: str | None
    chain_node_id: int | None
    visibility: str
    status: str
    status_label: str
    budget_min: Decimal | None
    budget_max: Decimal | None
    rd_cycle_months: int | None
    cooperation_modes: list[str]
    deadline: date | None
    published_at: datetime | None
    expires_at: datetime | None


class NeedDetailOut(NeedSummaryOut):
    background: str
    problem: str
    parameters: list[Parameter]
    current_solution: str
    expected_outcome: str
    confidential_detail: str | None = Field(None, description="仅在所有者授权后返回")


class NeedIn(Schema):
    # Limits and descriptions come from needs.fields (shared with the form and the Excel import).
    owner_id: int
    kind: str = NEED_FIELDS.schema("kind", "technology")
    title: str = NEED_FIELDS.schema("title")
    summary: str = NEED_FIELDS.schema("summary")
    confidential_detail: str = NEED_FIELDS.schema("confidential_detail", "")
    background: str = NEED_FIELDS.schema("background", "")
    problem: str = NEED_FIELDS.schema("problem")
    parameters: list[Parameter] = Field(default_factory=list)
    current_solution: str = NEED_FIELDS.schema("current_solution", "")
    expected_outcome: str = NEED_FIELDS.schema("expected_outcome", "")
    budget_min: Decimal | None = NEED_FIELDS.schema("budget_min", None)
    budget_max: Decimal | None = NEED_FIELDS.schema("budget_max", None)
    rd_cycle_months: int | None = NEED_FIELDS.schema("rd_cycle_months", None)
    cooperation_modes: list[str] = Field(default_factory=list)
    industry: str | None = None
    region: str | None = None
    chain_node: int | None = None
    deadline: date | None = NEED_FIELDS.schema("deadline", None)
    visibility: Visibility = Visibility.PUBLIC
    is_anonymous: bool = False
    external_key: str = NEED_FIELDS.schema("external_key", "")


class NeedPatch(Schema):
    title: str | None = NEED_FIELDS.schema("title", None)
    summary: str | None = NEED_FIELDS.schema("summary", None)
    confidential_detail: str | None = NEED_FIELDS.schema("confidential_detail", None)
    background: str | None = NEED_FIELDS.schema("background", None)
    problem: str | None = NEED_FIELDS.schema("problem", None)
    parameters: list[Parameter] | None = None
    current_solution: str | None = NEED_FIELDS.schema("current_solution", None)
    expected_outcome: str | None = NEED_FIELDS.schema("expected_outcome", None)
    budget_min: Decimal | None = NEED_FIELDS.schema("budget_min", None)
    budget_max: Decimal | None = NEED_FIELDS.schema("budget_max", None)
    rd_cycle_months: int | None = NEED_FIELDS.schema("rd_cycle_months", None)
    cooperation_modes: list[str] | None = None
    deadline: date | None = NEED_FIELDS.schema("deadline", None)
    visibility: Visibility | None = None
    is_anonymous: bool | None = None


class NeedFilters(Schema):
    q: str = Field("", description="关键词（中文子串匹配，例如 锂电池）")
    kind: str = ""
    industry: str = Field("", description="GB/T 4754 代码：门类、大类或中类")
    region: str = Field("", description="GB/T 2260 代码；370000 表示山东全省")
    chain_node: int | None = Field(None, ge=1, le=MAX_DB_INT)
    status: str = ""
    owner: int | None = Field(None, ge=1, le=MAX_DB_INT)
    date_from: date | None = None
    date_to: date | None = None
    ordering: str = Field("newest", description="newest / oldest / deadline / budget / updated")


def _summary(request: Any, need: Any) -> dict[str, Any]:
    data = {f: getattr(need, f) for f in NeedSummaryOut.model_fields if hasattr(need, f)}
    data.update(
        owner=owner_label(request.user, need),
        status_label=need.get_status_display(),
        industry_id=need.industry_id,
        region_id=need.region_id,
        chain_node_id=need.chain_node_id,
    )
    return data


def _detail(request: Any, need: Any) -> dict[str, Any]:
    data = _summary(request, need)
    data.update(
        {
            f: getattr(need, f)
            for f in ("background", "problem", "parameters", "current_solution", "expected_outcome")
        }
    )
    data["confidential_detail"] = confidential_detail_read(item=need, user=request.user, request=request)
    return data


def _resolve_codes(payload: dict[str, Any]) -> dict[str, Any]:
    from django.core.exceptions import ValidationError

    errors = {}
    for field, model in (("industry", Industry), ("region", Region), ("chain_node", ChainNode)):
        if field in payload:
            value = payload[field]
            if value in (None, ""):
                payload[field] = None
                continue
            if field == "industry":
                value = normalize_industry_code(str(value))
            obj = model.objects.filter(pk=value).first()
            if obj is None:
                errors[field] = f"代码“{value}”不存在。"
            payload[field] = obj
    if errors:
        raise ValidationError(errors)
    return payload


@router.get("", response=list[NeedSummaryOut], auth=OptionalAuth(), summary="需求列表（含搜索和筛选）")
@paginate(PagePagination)
def need_list(request, filters: NeedFilters = Query(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    qs = selectors.need_list_visible_to(request.user, **filters.dict())
    return LazyRows(request, qs, _summary)


@router.get("/{need_id}", response=NeedDetailOut, auth=OptionalAuth(), summary="需求详情")
def need_detail(request, need_id: int):  # type: ignore[no-untyped-def]
    return _detail(request, selectors.need_get_visible(request.user, need_id))


@router.post("", response={201: NeedDetailOut}, summary="创建需求（草稿）")
def need_create(request, payload: NeedIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    owner = get_object_or_404(Organization, pk=data.pop("owner_id"))
    need = services.need_create(acting_user=request.user, owner=owner, **_resolve_codes(data))
    return Status(201, _detail(request, need))


@router.patch("/{need_id}", response=NeedDetailOut, summary="修改需求")
def need_update(request, need_id: int, payload: NeedPatch):  # type: ignore[no-untyped-def]
    need = selectors.need_get_visible(request.user, need_id)
    changes = _resolve_codes(payload.dict(exclude_unset=True))
    return _detail(request, services.need_update(need=need, acting_user=request.user, **changes))


@router.post(
    "/{need_id}/actions/{action}",
    response=NeedDetailOut,
    summary="工作流操作：submit / publish / request_changes / reject / start / solve / close / renew",
)
def need_action(request, need_id: int, action: str, payload: ActionIn):  # type: ignore[no-untyped-def]
    need = selectors.need_get_visible(request.user, need_id)
    listing_transition(
        item=need,
        action=action,
        acting_user=request.user,
        reason=payload.reason,
        expected_state=payload.expected_state,
    )
    return _detail(request, need)
