"""The finance API: products, applications, points and totals, through the same selectors and services as
the pages; errors in the project's one body."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination
from techmarket.orgs.models import Organization

from . import figures_data, points, selectors, services

router = Router(tags=["金融服务"])


class ProductOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str = Field(..., alias="get_kind_display")
    status: str
    provider_id: int
    provider: str = Field(..., alias="provider.name")
    min_amount: Decimal = Field(..., description="元")
    max_amount: Decimal = Field(..., description="元")
    min_rate: Decimal = Field(..., description="年利率/费率（%）")
    max_rate: Decimal
    min_term_months: int
    max_term_months: int
    conditions: str
    min_points: Decimal | None
    min_grade: str


class ProductFilters(Schema):
    q: str = Field("", max_length=100)
    kind: str = Field("", description="transfer_loan / talent_loan / ip_pledge / credit_loan / guarantee")
    provider_kind: str = Field("", description="bank / guarantor")
    provider: int | None = Field(None, ge=1, le=MAX_DB_INT)
    amount: Decimal | None = Field(None, ge=0, description="需要的额度（元）：只列出额度范围包含它的产品")


class ApplicationOut(Schema):
    id: int
    product_id: int
    organization_id: int
    organization: str = Field(..., alias="organization.name")
    amount: Decimal
    term_months: int
    purpose: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    decision_note: str
    approved_amount: Decimal | None
    approved_rate: Decimal | None
    approved_term_months: int | None
    consent_items: list[str] = Field(..., alias="consent.items")
    consent_granted_at: datetime = Field(..., alias="consent.granted_at")
    created_at: datetime


class ApplyIn(Schema):
    organization_id: int = Field(..., ge=1, le=MAX_DB_INT)
    amount: Decimal = Field(..., description="元")
    term_months: int = Field(..., ge=1, le=600)
    purpose: str = Field(..., max_length=300)
    consent_items: list[str] = Field(..., description="profile / points / certifications")
    consent_confirmed: bool = Field(..., description="企业同意向该机构开放所列数据；未同意则不受理")


class DecisionIn(Schema):
    approve: bool
    reason: str = Field(..., max_length=500)
    amount: Decimal | None = Field(None, description="批准额度（元）")
    rate: Decimal | None = None
    term_months: int | None = Field(None, ge=1, le=600)
    expected_state: str | None = None


class GrantIn(Schema):
    amount: Decimal
    granted_on: date


class LoanOut(Schema):
    id: int
    application_id: int
    amount: Decimal
    rate: Decimal
    term_months: int
    granted_on: date


class PointsLine(Schema):
    group: str
    source: str
    label: str
    quantity: str
    unit: str
    per_unit: str
    cap: str | None
    points: str
    text: str
    notes: list[str]


class PointsOut(Schema):
    organization_id: int
    total: Decimal
    grade: str
    computed_at: datetime | None
    lines: list[PointsLine]


@router.get("", response=list[ProductOut], auth=OptionalAuth(), summary="金融产品列表")
@paginate(PagePagination)
def product_list(request, filters: Query[ProductFilters]):  # type: ignore[no-untyped-def]
    return selectors.product_list_visible_to(request.user, **filters.dict())


@router.get("/figures", summary="金融服务统计：按机构、按产品、申请状态、积分分布")
def finance_figures(request) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    if not selectors.sees_totals(request.user):
        raise PermissionDenied("金融服务统计仅向平台运营和科技局开放。")
    return figures_data.summary()


@router.get("/applications", response=list[ApplicationOut], summary="可见的融资申请")
@paginate(PagePagination)
def application_list(request, side: str = "", status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.applications_visible_to(request.user, side=side, status=status)


@router.get("/applications/{application_id}", response=ApplicationOut, summary="融资申请详情")
def application_detail(request, application_id: int):  # type: ignore[no-untyped-def]
    return selectors.application_get_visible(request.user, application_id)


@router.get(
    "/applications/{application_id}/points", response=PointsOut, summary="申请时的创新积分明细（须企业授权）"
)
def application_points(request, application_id: int):  # type: ignore[no-untyped-def]
    application = selectors.application_get_visible(request.user, application_id)
    snap = selectors.shared_data(request.user, application).get("points")
    if snap is None:
        raise Http404("企业未授权查看创新积分，或授权已撤销。")
    return {
        "organization_id": application.organization_id, "total": snap.total, "grade": snap.grade,
        "computed_at": snap.computed_at, "lines": snap.lines,
    }  # fmt: skip


@router.post("/applications/{application_id}/decision", response=ApplicationOut, summary="批准或不予批准")
def application_decide(request, application_id: int, payload: DecisionIn):  # type: ignore[no-untyped-def]
    application = selectors.application_get_visible(request.user, application_id)
    return services.loan_decide(
        application=application, acting_user=request.user, approve=payload.approve, reason=payload.reason,
        amount=payload.amount, rate=payload.rate, term_months=payload.term_months,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/applications/{application_id}/loan", response={201: LoanOut}, summary="登记放款")
def application_grant(request, application_id: int, payload: GrantIn):  # type: ignore[no-untyped-def]
    application = selectors.application_get_visible(request.user, application_id)
    loan = services.loan_grant(
        application=application,
        acting_user=request.user,
        amount=payload.amount,
        granted_on=payload.granted_on,
    )
    return Status(201, loan)


@router.get("/points/{org_id}", response=PointsOut, summary="企业创新积分及每一分的说明（本企业成员与运营）")
def points_detail(request, org_id: int):  # type: ignore[no-untyped-def]
    org = Organization.objects.filter(pk=org_id, kind=Organization.Kind.ENTERPRISE).first()
    if org is None or not selectors.may_see_points(request.user, org):
        raise Http404("企业不存在或您无权查看其创新积分。")
    snap = points.latest_snapshot(org)
    if snap is None:
        result = points.compute(org)
        return {"organization_id": org.pk, "total": result.total, "grade": result.grade, "computed_at": None,
                "lines": result.lines}  # fmt: skip
    return {"organization_id": org.pk, "total": snap.total, "grade": snap.grade, "computed_at": snap.computed_at,
            "lines": snap.lines}  # fmt: skip


@router.get("/{product_id}", response=ProductOut, auth=OptionalAuth(), summary="金融产品详情")
def product_detail(request, product_id: int):  # type: ignore[no-untyped-def]
    return selectors.product_get_visible(request.user, product_id)


@router.post(
    "/{product_id}/applications", response={201: ApplicationOut}, summary="申请融资（须同时授权数据）"
)
def apply(request, product_id: int, payload: ApplyIn):  # type: ignore[no-untyped-def]
    from django.core.exceptions import ValidationError

    product = selectors.product_get_visible(request.user, product_id)
    org = next((o for o in selectors.enterprise_orgs(request.user) if o.pk == payload.organization_id), None)
    if org is None:
        raise ValidationError({"organization_id": "您不是该企业的成员，不能以它的名义申请。"})
    application = services.loan_apply(
        acting_user=request.user, product=product, organization=org, amount=payload.amount,
        term_months=payload.term_months, purpose=payload.purpose, consent_items=payload.consent_items,
        consent_confirmed=payload.consent_confirmed,
    )  # fmt: skip
    return Status(201, application)
