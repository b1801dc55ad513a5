"""JSON API for achievements, mounted at /api/achievements. Thin: selectors read, services write."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import LazyRows, PagePagination
from techmarket.api.schemas import ActionIn
from techmarket.catalog.models import Visibility
from techmarket.catalog.services import confidential_detail_read
from techmarket.catalog.visibility import can_see_owner, owner_label
from techmarket.orgs.models import Organization
from techmarket.reference.models import ChainNode, Discipline, Region

from . import selectors, services
from .fields import ACHIEVEMENT_FIELDS

router = Router(tags=["科技成果"])


class IPOut(Schema):
    ip_type: str
    ip_type_label: str
    number: str
    title: str
    legal_status: str
    legal_status_label: str
    expiry_date: date | None


class IPIn(Schema):
    ip_type: str
    number: str = Field("", max_length=64)
    title: str = Field("", max_length=200)
    legal_status: str = "granted"
    expiry_date: date | None = None


class IPListIn(Schema):
    ip_rights: list[IPIn]


class TeamMemberOut(Schema):
    id: int
    name: str
    title: str
    affiliation: str


class AchievementSummaryOut(Schema):
    id: int
    title: str
    summary: str
    owner: str
    keywords: list[str]
    discipline_id: str | None
    industry_ids: list[str]
    region_id: str | None
    chain_node_id: int | None
    trl: int | None
    stage: str
    stage_label: str
    transfer_modes: list[str]
    asking_price_wan: Decimal | None
    price_negotiable: bool
    visibility: str
    status: str
    status_label: str
    published_at: datetime | None
    expires_at: datetime | None


class AchievementDetailOut(AchievementSummaryOut):
    advantages: str
    route_to_market: str
    team: list[TeamMemberOut] = Field(description="匿名发布的成果不返回团队（会暴露所属机构）")
    ip_rights: list[IPOut]
    confidential_detail: str | None = Field(None, description="仅在所有者授权后返回")


class AchievementIn(Schema):
    owner_id: int
    title: str = ACHIEVEMENT_FIELDS.schema("title")
    summary: str = ACHIEVEMENT_FIELDS.schema("summary")
    confidential_detail: str = ACHIEVEMENT_FIELDS.schema("confidential_detail", "")
    keywords: list[str] = Field(default_factory=list)
    discipline: str | None = Field(None, description="GB/T 13745 学科代码，例如 430")
    industries: list[str] = Field(default_factory=list, description="GB/T 4754 行业代码")
    trl: int | None = ACHIEVEMENT_FIELDS.schema("trl", None)
    stage: str = Field("lab", description="lab 实验室 / bench 小试 / pilot 中试 / industrial 产业化")
    advantages: str = ACHIEVEMENT_FIELDS.schema("advantages", "")
    route_to_market: str = ACHIEVEMENT_FIELDS.schema("route_to_market", "")
    transfer_modes: list[str] = Field(
        default_factory=list,
        description=(
            "transfer / exclusive_license / sole_license / ordinary_license / equity / joint_development / "
            "pay_after_use"
        ),
    )
    asking_price_wan: Decimal | None = ACHIEVEMENT_FIELDS.schema("asking_price_wan", None)
    price_negotiable: bool = False
    team: list[int] = Field(default_factory=list, description="专家 id")
    region: str | None = None
    chain_node: int | None = None
    visibility: Visibility = Visibility.PUBLIC
    is_anonymous: bool = False
    external_key: str = ACHIEVEMENT_FIELDS.schema("external_key", "")
    ip_rights: list[IPIn] = Field(default_factory=list)


class AchievementPatch(Schema):
    title: str | None = ACHIEVEMENT_FIELDS.schema("title", None)
    summary: str | None = ACHIEVEMENT_FIELDS.schema("summary", None)
    confidential_detail: str | None = ACHIEVEMENT_FIELDS.schema("confidential_detail", None)
    keywords: list[str] | None = None
    discipline: str | None = None
    industries: list[str] | None = None
    trl: int | None = ACHIEVEMENT_FIELDS.schema("trl", None)
    stage: str | None = None
    advantages: str | None = ACHIEVEMENT_FIELDS.schema("advantages", None)
    route_to_market: str | None = ACHIEVEMENT_FIELDS.schema("route_to_market", None)
    transfer_modes: list[str] | None = None
    asking_price_wan: Decimal | None = ACHIEVEMENT_FIELDS.schema("asking_price_wan", None)
    price_negotiable: bool | None = None
    team: list[int] | None = None
    region: str | None = None
    chain_node: int | None = None
    visibility: Visibility | None = None
    is_anonymous: bool | None = None


class AchievementFilters(Schema):
    q: str = Field("", description="关键词（标题、摘要、关键词中的中文子串，例如 锂电池）")
    discipline: str = Field("", description="GB/T 13745 学科代码（含下级）")
    industry: str = Field("", description="GB/T 4754 代码：门类、大类或中类")
    region: str = Field("", description="GB/T 2260 代码；370000 表示山东全省")
    chain_node: int | None = Field(None, ge=1, le=MAX_DB_INT)
    trl_min: int | None = Field(None, ge=1, le=9)
    trl_max: int | None = Field(None, ge=1, le=9)
    stage: str = ""
    transfer_mode: str = ""
    status: str = ""
    owner: int | None = Field(None, ge=1, le=MAX_DB_INT)
    date_from: date | None = None
    date_to: date | None = None
    ordering: str = Field("newest", description="newest / oldest / trl / price / updated")


def _summary(request: Any, item: Any) -> dict[str, Any]:
    data = {f: getattr(item, f) for f in AchievementSummaryOut.model_fields if hasattr(item, f)}
    data.update(
        owner=owner_label(request.user, item),
        status_label=item.get_status_display(),
        stage_label=item.get_stage_display(),
        industry_ids=[i.pk for i in item.industries.all()],
    )
    return data


def _detail(request: Any, item: Any) -> dict[str, Any]:
    data = _summary(request, item)
    data.update(advantages=item.advantages, route_to_market=item.route_to_market)
    data["team"] = (
        [
            {"id": e.pk, "name": e.name, "title": e.title, "affiliation": e.affiliation.name}
            for e in item.team.all()
        ]
        if can_see_owner(request.user, item)
        else []
    )
    data["ip_rights"] = selectors.ip_rights_visible_to(request.user, item)
    data["confidential_detail"] = confidential_detail_read(item=item, user=request.user, request=request)
    return data


def _resolve_codes(payload: dict[str, Any]) -> dict[str, Any]:
    errors = {}
    for field, model in (("discipline", Discipline), ("region", Region), ("chain_node", ChainNode)):
        if field in payload:
            value = payload[field]
            if value in (None, ""):
                payload[field] = None
                continue
            obj = model.objects.filter(pk=value).first()
            if obj is None:
                errors[field] = _("代码“%(v)s”不存在。") % {"v": value}
            payload[field] = obj
    if errors:
        raise ValidationError(errors)
    return payload


def _fresh(request: Any, pk: int) -> dict[str, Any]:
    return _detail(request, selectors.achievement_get_visible(request.user, pk))


@router.get("", response=list[AchievementSummaryOut], auth=OptionalAuth(), summary="成果列表（含搜索和筛选）")
@paginate(PagePagination)
def achievement_list(request, filters: AchievementFilters = Query(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    return LazyRows(request, selectors.achievement_list_visible_to(request.user, **filters.dict()), _summary)


@router.get("/{achievement_id}", response=AchievementDetailOut, auth=OptionalAuth(), summary="成果详情")
def achievement_detail(request, achievement_id: int):  # type: ignore[no-untyped-def]
    return _fresh(request, achievement_id)


@router.post("", response={201: AchievementDetailOut}, summary="创建成果（草稿）")
def achievement_create(request, payload: AchievementIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    owner = get_object_or_404(Organization, pk=data.pop("owner_id"))
    item = services.achievement_create(acting_user=request.user, owner=owner, **_resolve_codes(data))
    return Status(201, _fresh(request, item.pk))


@router.patch("/{achievement_id}", response=AchievementDetailOut, summary="修改成果")
def achievement_update(request, achievement_id: int, payload: AchievementPatch):  # type: ignore[no-untyped-def]
    item = selectors.achievement_get_visible(request.user, achievement_id)
    changes = _resolve_codes(payload.dict(exclude_unset=True))
    services.achievement_update(achievement=item, acting_user=request.user, **changes)
    return _fresh(request, achievement_id)


@router.put("/{achievement_id}/ip", response=AchievementDetailOut, summary="整体替换知识产权清单")
def achievement_ip_set(request, achievement_id: int, payload: IPListIn):  # type: ignore[no-untyped-def]
    item = selectors.achievement_get_visible(request.user, achievement_id)
    services.achievement_ip_set(
        achievement=item, acting_user=request.user, ip_rights=payload.dict()["ip_rights"]
    )
    return _fresh(request, achievement_id)


@router.post(
    "/{achievement_id}/actions/{action}",
    response=AchievementDetailOut,
    summary="工作流操作：submit / publish / request_changes / reject / start / solve / close / renew",
)
def achievement_action(request, achievement_id: int, action: str, payload: ActionIn):  # type: ignore[no-untyped-def]
    item = selectors.achievement_get_visible(request.user, achievement_id)
    services.achievement_transition(
        achievement=item,
        action=action,
        acting_user=request.user,
        reason=payload.reason,
        expected_state=payload.expected_state,
    )
    return _fresh(request, achievement_id)
