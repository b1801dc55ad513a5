from datetime import datetime

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.pagination import PagePagination
from techmarket.reference.codes import normalize_industry_code
from techmarket.reference.models import Industry, Region

from . import selectors, services
from .models import Organization, OrganizationTag

router = Router(tags=["机构"])


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    uscc: str
    region_id: str
    region: str = Field(..., alias="region.full_name")
    industry_id: str | None
    tags: list[str]
    status: str
    created_at: datetime

    @staticmethod
    def resolve_tags(obj: Organization) -> list[str]:
        return [t.name for t in obj.tags.all()]


class OrganizationIn(Schema):
    name: str = Field(..., min_length=2, max_length=128, description="机构全称，与营业执照一致")
    kind: str = Field(
        ..., description="enterprise / university / institute / service / investor / government"
    )
    uscc: str = Field(..., description="18 位统一社会信用代码")
    region: str = Field(..., description="GB/T 2260 行政区划代码，例如 371302")
    industry: str | None = Field(None, description="GB/T 4754-2017 行业代码，例如 C26 或 26")
    tags: list[str] = Field(default_factory=list, description="资质标签名称，例如 高新技术企业")
    address: str = ""
    website: str = ""
    description: str = ""


class DecisionIn(Schema):
    reason: str = ""


class JoinIn(Schema):
    role: str = "member"
    message: str = ""


class JoinOut(Schema):
    id: int
    organization_id: int
    role: str
    status: str


@router.get("", response=list[OrganizationOut], auth=OptionalAuth(), summary="机构列表")
@paginate(PagePagination)
def organization_list(request, q: str = "", kind: str = "", status: str = "", region: str = ""):  # type: ignore[no-untyped-def]
    return selectors.organization_list_visible_to(request.user, q=q, kind=kind, status=status, region=region)


@router.get("/{org_id}", response=OrganizationOut, auth=OptionalAuth(), summary="机构详情")
def organization_detail(request, org_id: int):  # type: ignore[no-untyped-def]
    return get_object_or_404(selectors.organization_list_visible_to(request.user), pk=org_id)


@router.post("", response={201: OrganizationOut}, summary="注册机构（提交平台审核）")
def organization_create(request, payload: OrganizationIn):  # type: ignore[no-untyped-def]
    region = Region.objects.filter(pk=payload.region).first()
    if region is None:
        raise ValidationError(
            {"region": f"行政区划代码“{payload.region}”不存在，请使用 GB/T 2260 六位代码。"}
        )
    industry = None
    if payload.industry:
        industry = Industry.objects.filter(pk=normalize_industry_code(payload.industry)).first()
        if industry is None:
            raise ValidationError(
                {"industry": f"行业代码“{payload.industry}”不存在，请使用 GB/T 4754-2017 代码。"}
            )
    tags = list(OrganizationTag.objects.filter(name__in=payload.tags))
    unknown = sorted(set(payload.tags) - {t.name for t in tags})
    if unknown:
        raise ValidationError({"tags": f"未知的资质标签：{'、'.join(unknown)}"})
    org = services.organization_register(
        acting_user=request.user,
        name=payload.name,
        kind=payload.kind,
        uscc=payload.uscc,
        region=region,
        industry=industry,
        tags=tags,
        address=payload.address,
        website=payload.website,
        description=payload.description,
        request=request,
    )
    return Status(201, org)


@router.post("/{org_id}/approve", response=OrganizationOut, summary="审核通过（平台运营）")
def organization_approve(request, org_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organization, pk=org_id)
    return services.organization_approve(organization=org, acting_user=request.user, note=payload.reason)


@router.post("/{org_id}/reject", response=OrganizationOut, summary="驳回（平台运营，须填写原因）")
def organization_reject(request, org_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    org = get_object_or_404(Organization, pk=org_id)
    return services.organization_reject(organization=org, acting_user=request.user, reason=payload.reason)


@router.post("/{org_id}/join", response={201: JoinOut}, summary="申请加入机构")
def organization_join(request, org_id: int, payload: JoinIn):  # type: ignore[no-untyped-def]
    org = get_object_or_404(selectors.organization_list_visible_to(request.user), pk=org_id)
    jr = services.join_request_create(
        user=request.user, organization=org, role=payload.role, message=payload.message
    )
    return Status(201, jr)
