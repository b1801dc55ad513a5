"""The investors API: fund profiles, matches with reasons, interests and figures by fund — the same selectors
and services as the pages."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.auth import OptionalAuth
from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import selectors, services
from .figures import interests_by_fund, investments_by_fund, investments_by_stage

router = Router(tags=["投融资"])


class FundOut(Schema):
    id: int
    name: str
    manager_id: int
    manager: str = Field(..., alias="manager.name")
    stages: list[str]
    ticket_min: Decimal
    ticket_max: Decimal
    size: Decimal | None
    industries: list[str] = Field(..., description="GB/T 4754 行业代码")
    chain_nodes: list[int]
    regions: list[str] = Field(..., description="GB/T 2260 地区代码；空表示不限")
    summary: str
    is_active: bool

    @staticmethod
    def resolve_industries(obj):  # type: ignore[no-untyped-def]
        return [i.code for i in obj.industries.all()]

    @staticmethod
    def resolve_chain_nodes(obj):  # type: ignore[no-untyped-def]
        return [n.pk for n in obj.chain_nodes.all()]

    @staticmethod
    def resolve_regions(obj):  # type: ignore[no-untyped-def]
        return [r.code for r in obj.regions.all()]


class FundFilters(Schema):
    q: str = Field("", max_length=100)
    stage: str = Field("", description="seed / angel / a / b / growth / pre_ipo")


class MatchOut(Schema):
    kind: str = Field(..., description="achievement / seeking")
    id: int
    title: str
    organization: str
    score: int = Field(..., description="0–100")
    met: list[str]
    missed: list[str]


class InterestIn(Schema):
    achievement_id: int | None = Field(None, ge=1, le=MAX_DB_INT)
    seeking_id: int | None = Field(None, ge=1, le=MAX_DB_INT)
    kind: str = Field("engagement", description="engagement（对接洽谈）/ roadshow（路演）")
    note: str = Field("", max_length=500)


class InterestOut(Schema):
    id: int
    fund_id: int
    achievement_id: int | None
    seeking_id: int | None
    target_id: int
    kind: str
    status: str
    status_label: str = Field(..., alias="get_status_display")
    match_reasons: list[str]
    engagement_id: int | None
    event_id: int | None
    created_at: datetime


class ByFundOut(Schema):
    fund_id: int
    fund: str
    manager: str
    interests: int
    engaged: int
    roadshow: int


class InvestmentIn(Schema):
    amount: Decimal = Field(..., description="投资金额（元），大于 0")
    invested_on: date = Field(..., description="投资日期，不晚于今天")
    stage: str = Field(..., description="seed / angel / a / b / growth / pre_ipo")
    note: str = Field("", max_length=500)


class InvestmentOut(Schema):
    id: int
    interest_id: int
    fund_id: int
    fund: str = Field(..., alias="fund.name")
    target_id: int
    target: str = Field(..., alias="target.name")
    amount: Decimal
    invested_on: date
    stage: str
    stage_label: str = Field(..., alias="get_stage_display")
    note: str
    created_at: datetime


class InvestmentsByFundOut(Schema):
    fund_id: int
    fund: str
    manager: str
    investments: int
    amount: Decimal


class InvestmentsByStageOut(Schema):
    stage: str
    label: str
    investments: int
    amount: Decimal


class InvestmentFiguresOut(Schema):
    start: date | None
    end: date | None
    by_fund: list[InvestmentsByFundOut]
    by_stage: list[InvestmentsByStageOut]


@router.get("/funds", response=list[FundOut], auth=OptionalAuth(), summary="基金列表")
@paginate(PagePagination)
def fund_list(request, filters: Query[FundFilters]):  # type: ignore[no-untyped-def]
    return selectors.fund_list_visible_to(request.user, **filters.dict())


@router.get("/funds/{fund_id}", response=FundOut, auth=OptionalAuth(), summary="基金详情")
def fund_detail(request, fund_id: int):  # type: ignore[no-untyped-def]
    return selectors.fund_get_visible(request.user, fund_id)


@router.get(
    "/funds/{fund_id}/matches", response=list[MatchOut], summary="与基金匹配的成果和融资需求（含理由）"
)
def fund_matches(request, fund_id: int):  # type: ignore[no-untyped-def]
    fund = selectors.fund_get_visible(request.user, fund_id)
    if not selectors.may_manage_fund(request.user, fund):
        raise PermissionDenied("只有该基金所属投资机构的成员可以查看匹配结果。")
    found = selectors.matches_for(request.user, fund)
    rows = [
        {"kind": "seeking", "id": s.pk, "title": s.title, "organization": s.organization.name,
         "score": fit.score, "met": fit.met, "missed": fit.missed}
        for s, fit in found["seekings"]
    ] + [
        {"kind": "achievement", "id": a.pk, "title": a.title, "organization": a.owner.name,
         "score": fit.score, "met": fit.met, "missed": fit.missed}
        for a, fit in found["achievements"]
    ]  # fmt: skip
    return sorted(rows, key=lambda r: -r["score"])


@router.post("/funds/{fund_id}/interests", response={201: InterestOut}, summary="表达投资意向")
def interest_express(request, fund_id: int, payload: InterestIn):  # type: ignore[no-untyped-def]
    from techmarket.achievements.selectors import achievement_get_visible

    fund = selectors.fund_get_visible(request.user, fund_id)
    achievement = seeking = None
    try:
        if payload.achievement_id:
            achievement = achievement_get_visible(request.user, payload.achievement_id)
        if payload.seeking_id:
            seeking = selectors.seeking_get_visible(request.user, payload.seeking_id)
    except Http404:
        raise ValidationError("项目不存在或您无权查看。") from None
    interest = services.interest_express(
        acting_user=request.user, fund=fund, achievement=achievement, seeking=seeking,
        kind=payload.kind, note=payload.note,
    )  # fmt: skip
    return Status(201, interest)


@router.get("/interests", response=list[InterestOut], summary="投资意向（投资机构、对方机构、经纪人与运营）")
@paginate(PagePagination)
def interest_list(request, status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.interests_visible_to(request.user, status=status)


@router.post("/interests/{interest_id}/engage", response=InterestOut, summary="为投资意向立项对接")
def interest_engage(request, interest_id: int, expected_state: str | None = None):  # type: ignore[no-untyped-def]
    interest = selectors.interest_get_visible(request.user, interest_id)
    return services.interest_engage(
        interest=interest, acting_user=request.user, expected_state=expected_state
    )


@router.get(
    "/interests/{interest_id}/investments",
    response=list[InvestmentOut],
    summary="投资意向下已登记的投资（基金所属机构与被投机构可见）",
)
def investment_list(request, interest_id: int):  # type: ignore[no-untyped-def]
    interest = selectors.interest_get_visible(request.user, interest_id)
    return list(
        selectors.investments_visible_to(request.user, interest=interest).order_by("-invested_on", "-pk")
    )


@router.post(
    "/interests/{interest_id}/investments",
    response={201: InvestmentOut},
    summary="登记投资（基金所属投资机构成员；意向须已立项对接或已安排路演）",
)
def investment_record(request, interest_id: int, payload: InvestmentIn):  # type: ignore[no-untyped-def]
    interest = selectors.interest_get_visible(request.user, interest_id)
    investment = services.investment_record(
        acting_user=request.user, interest=interest, amount=payload.amount,
        invested_on=payload.invested_on, stage=payload.stage, note=payload.note,
    )  # fmt: skip
    return Status(201, investment)


@router.get("/figures/by-fund", response=list[ByFundOut], summary="各基金的投资意向与促成数")
def figures_by_fund(request):  # type: ignore[no-untyped-def]
    return interests_by_fund(selectors.interests_visible_to(request.user))


@router.get(
    "/figures/investments",
    response=InvestmentFiguresOut,
    summary="投资笔数与金额（元）：按基金、按轮次，可限定投资日期区间（含两端）",
)
def figures_investments(request, start: date | None = None, end: date | None = None):  # type: ignore[no-untyped-def]
    if start is not None and end is not None and end < start:
        raise ValidationError("结束日期不能早于开始日期。")
    rows = selectors.investment_totals_visible_to(request.user)
    return {
        "start": start,
        "end": end,
        "by_fund": investments_by_fund(rows, start=start, end=end),
        "by_stage": investments_by_stage(rows, start=start, end=end),
    }
