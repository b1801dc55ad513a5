from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.accounts import roles
from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import LazyRows, PagePagination
from techmarket.orgs.models import Organization

from . import selectors, services
from .models import ContactPermission

router = Router(tags=["专家人才"])


class ExpertOut(Schema):
    id: int
    name: str
    title: str
    affiliation_id: int
    affiliation: str
    region_id: str
    research_fields: str
    bio: str
    disciplines: list[str]
    industries: list[str]
    availability: list[str]
    panel_eligible: bool
    is_active: bool
    contact_visible: bool = Field(..., description="当前用户能否看到联系方式")
    email: str | None = Field(None, description="仅对经纪人、运营、本人、单位管理员和获专家同意的用户返回")
    phone: str | None = Field(None, description="同 email")
    updated_at: datetime


class ExpertIn(Schema):
    affiliation_id: int
    user_id: int | None = Field(None, description="关联的平台账户；不填时由本人创建则关联本人")
    name: str = Field(..., max_length=64)
    title: str = Field("", max_length=64)
    research_fields: str = Field(..., max_length=2000)
    bio: str = Field("", max_length=5000)
    disciplines: list[str] = Field(default_factory=list, description="GB/T 13745 学科代码")
    industries: list[str] = Field(default_factory=list, description="GB/T 4754 行业代码")
    availability: list[str] = Field(
        default_factory=list, description="challenge / consulting / part_time / enclave / review"
    )
    panel_eligible: bool = Field(False, description="仅平台运营可设定")
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=20)
    external_key: str = Field("", max_length=64)


class ExpertPatch(Schema):
    affiliation_id: int | None = None
    name: str | None = Field(None, max_length=64)
    title: str | None = Field(None, max_length=64)
    research_fields: str | None = Field(None, max_length=2000)
    bio: str | None = Field(None, max_length=5000)
    disciplines: list[str] | None = None
    industries: list[str] | None = None
    availability: list[str] | None = None
    panel_eligible: bool | None = None
    email: str | None = Field(None, max_length=254)
    phone: str | None = Field(None, max_length=20)
    is_active: bool | None = None
    external_key: str | None = Field(None, max_length=64)


class RelationsIn(Schema):
    organizations: list[int] | None = Field(None, description="申报的关联单位 ID（整体替换）")
    experts: list[int] | None = Field(None, description="申报的合作专家 ID（整体替换）")


class RelationsOut(Schema):
    organizations: list[int]
    experts: list[int]


class ContactRequestIn(Schema):
    message: str = Field("", max_length=200)


class ContactOut(Schema):
    id: int
    expert_id: int
    user_id: int
    status: str
    status_label: str = Field(..., alias="get_status_display")
    message: str
    created_at: datetime
    decided_at: datetime | None


class ExpertFilters(Schema):
    q: str = Field("", description="关键词：姓名、研究方向、简介（中文子串匹配）")
    discipline: str = Field("", description="GB/T 13745 学科代码")
    industry: str = Field("", description="GB/T 4754 代码：门类、大类或中类")
    availability: str = Field("", description="challenge / consulting / part_time / enclave / review")
    panel_eligible: bool | None = None
    region: str = Field("", description="所在单位的 GB/T 2260 代码；370000 表示山东全省")
    affiliation: int | None = Field(None, ge=1, le=MAX_DB_INT)


def _out(request: Any, expert: Any) -> dict[str, Any]:
    visible = selectors.can_see_expert_contact(request.user, expert)
    return {
        "id": expert.pk,
        "name": expert.name,
        "title": expert.title,
        "affiliation_id": expert.affiliation_id,
        "affiliation": expert.affiliation.name,
        "region_id": expert.affiliation.region_id,
        "research_fields": expert.research_fields,
        "bio": expert.bio,
        "disciplines": [d.pk for d in expert.disciplines.all()],
        "industries": [i.pk for i in expert.industries.all()],
        "availability": list(expert.availability or []),
        "panel_eligible": expert.panel_eligible,
        "is_active": expert.is_active,
        "contact_visible": visible,
        "email": expert.email if visible else None,
        "phone": expert.phone if visible else None,
        "updated_at": expert.updated_at,
    }


def _organization(pk: int) -> Organization:
    org = Organization.objects.filter(pk=pk).first()
    if org is None:
        raise ValidationError({"affiliation_id": f"机构 {pk} 不存在。"})
    return org


@router.get("", response=list[ExpertOut], auth=OptionalAuth(), summary="专家列表（含搜索和筛选）")
@paginate(PagePagination)
def expert_list(request, filters: ExpertFilters = Query(...)):  # type: ignore[no-untyped-def]  # noqa: B008
    return LazyRows(request, selectors.expert_list_visible_to(request.user, **filters.dict()), _out)


@router.get("/contact-requests", response=list[ContactOut], summary="我的联系方式申请（收到的和发出的）")
@paginate(PagePagination)
def contact_request_list(request, status: str = ""):  # type: ignore[no-untyped-def]
    qs = ContactPermission.objects.filter(Q(expert__user=request.user) | Q(user=request.user))
    return qs.filter(status=status) if status else qs


@router.get("/{expert_id}", response=ExpertOut, auth=OptionalAuth(), summary="专家详情")
def expert_detail(request, expert_id: int):  # type: ignore[no-untyped-def]
    return _out(request, selectors.expert_get_visible(request.user, expert_id))


@router.post("", response={201: ExpertOut}, summary="创建专家档案")
def expert_create(request, payload: ExpertIn):  # type: ignore[no-untyped-def]
    data = payload.dict()
    affiliation = _organization(data.pop("affiliation_id"))
    user_id = data.pop("user_id")
    user = None
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id).first()
        if user is None:
            raise ValidationError({"user_id": f"账户 {user_id} 不存在。"})
    expert = services.expert_create(acting_user=request.user, affiliation=affiliation, user=user, **data)
    return Status(201, _out(request, selectors.expert_get_visible(request.user, expert.pk)))


@router.patch("/{expert_id}", response=ExpertOut, summary="修改专家档案")
def expert_update(request, expert_id: int, payload: ExpertPatch):  # type: ignore[no-untyped-def]
    expert = selectors.expert_get_visible(request.user, expert_id)
    changes = payload.dict(exclude_unset=True)
    if "affiliation_id" in changes:
        changes["affiliation"] = _organization(changes.pop("affiliation_id"))
    services.expert_update(expert=expert, acting_user=request.user, **changes)
    return _out(request, selectors.expert_get_visible(request.user, expert_id))


@router.put("/{expert_id}/relations", response=RelationsOut, summary="申报关联单位和合作者（利益冲突回避）")
def expert_relations(request, expert_id: int, payload: RelationsIn):  # type: ignore[no-untyped-def]
    expert = selectors.expert_get_visible(request.user, expert_id)
    services.expert_set_relations(expert=expert, acting_user=request.user, **payload.dict(exclude_unset=True))
    return {
        "organizations": sorted(expert.related_organizations.values_list("pk", flat=True)),
        "experts": sorted(expert.related_experts.values_list("pk", flat=True)),
    }


@router.post("/{expert_id}/contact-requests", response={201: ContactOut}, summary="申请查看专家联系方式")
def contact_request(request, expert_id: int, payload: ContactRequestIn):  # type: ignore[no-untyped-def]
    expert = selectors.expert_get_visible(request.user, expert_id)
    return Status(
        201, services.expert_contact_request(expert=expert, acting_user=request.user, message=payload.message)
    )


def _decide(request: Any, request_id: int, accept: bool) -> ContactPermission:
    qs = ContactPermission.objects.select_related("expert", "user")
    if not roles.is_operator(request.user):
        qs = qs.filter(expert__user=request.user)
    permission = qs.filter(pk=request_id).first()
    if permission is None:
        raise Http404
    decide = services.expert_accept_contact if accept else services.expert_decline_contact
    return decide(expert=permission.expert, user=permission.user, acting_user=request.user)


@router.post("/contact-requests/{request_id}/accept", response=ContactOut, summary="专家同意公开联系方式")
def contact_accept(request, request_id: int):  # type: ignore[no-untyped-def]
    return _decide(request, request_id, accept=True)


@router.post("/contact-requests/{request_id}/decline", response=ContactOut, summary="专家谢绝公开联系方式")
def contact_decline(request, request_id: int):  # type: ignore[no-untyped-def]
    return _decide(request, request_id, accept=False)
