"""GET/PUT /api/organizations/{id}/profile — the enterprise profile (企业画像)."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from techmarket.api.auth import OptionalAuth

from . import profile_selectors, profile_services
from .models import Organization
from .selectors import organization_list_visible_to

router = Router(tags=["企业画像"])


class CertificationIO(Schema):
    tag: str = Field(..., description="资质标签名称，例如 高新技术企业")
    certificate_number: str = Field("", max_length=64)
    valid_until: date | None = None


class ProfileOut(Schema):
    organization_id: int
    main_products: str
    core_capabilities: str
    figures_visible: bool = Field(..., description="当前用户能否看到人员、营收和研发投入数据")
    rd_staff_count: int | None
    total_staff: int | None
    annual_revenue_range: str | None
    rd_spending_ratio: Decimal | None
    founded_on: date | None = None
    tags: list[str]
    certifications: list[CertificationIO]
    updated_at: datetime | None


class ProfileIn(Schema):
    main_products: str = Field("", max_length=2000)
    core_capabilities: str = Field("", max_length=2000)
    rd_staff_count: int | None = Field(None, ge=0)
    total_staff: int | None = Field(None, ge=0)
    annual_revenue_range: str = Field(
        "", description="lt500 / 500_2000 / 2000_5000 / 5000_20000 / 20000_100000 / gte100000（万元）"
    )
    rd_spending_ratio: Decimal | None = Field(None, description="研发投入占营业收入比例（%），例如 5.5")
    founded_on: date | None = Field(None, description="成立日期（政策按成立年限判断）")
    certifications: list[CertificationIO] = Field(default_factory=list, description="整体替换")


def _out(request: Any, organization: Organization) -> dict[str, Any]:
    profile = profile_selectors.enterprise_profile_get(organization)
    figures = profile_selectors.can_see_enterprise_figures(request.user, organization)

    def fig(name: str) -> Any:
        return getattr(profile, name) if figures and profile is not None else None

    return {
        "organization_id": organization.pk,
        "main_products": profile.main_products if profile else "",
        "core_capabilities": profile.core_capabilities if profile else "",
        "figures_visible": figures,
        "rd_staff_count": fig("rd_staff_count"),
        "total_staff": fig("total_staff"),
        "annual_revenue_range": fig("annual_revenue_range"),
        "rd_spending_ratio": fig("rd_spending_ratio"),
        "founded_on": profile.founded_on if profile else None,
        "tags": [t.name for t in organization.tags.all()],
        "certifications": [
            {
                "tag": c.tag.name,
                "certificate_number": c.certificate_number if figures else "",
                "valid_until": c.valid_until,
            }
            for c in organization.certifications.select_related("tag")
        ],
        "updated_at": profile.updated_at if profile else None,
    }


@router.get("/{org_id}/profile", response=ProfileOut, auth=OptionalAuth(), summary="企业画像")
def profile_detail(request, org_id: int):  # type: ignore[no-untyped-def]
    return _out(request, get_object_or_404(organization_list_visible_to(request.user), pk=org_id))


@router.put("/{org_id}/profile", response=ProfileOut, summary="更新企业画像（机构管理员或平台运营）")
def profile_update(request, org_id: int, payload: ProfileIn):  # type: ignore[no-untyped-def]
    organization = get_object_or_404(organization_list_visible_to(request.user), pk=org_id)
    profile_services.enterprise_profile_update(
        organization=organization, acting_user=request.user, **payload.dict()
    )
    return _out(request, organization)
