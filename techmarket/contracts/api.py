"""/api/contracts: the contracts the caller may see, the registration step, and the bureau's figures."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from techmarket.api.pagination import PagePagination

from . import figures, selectors, services

router = Router(tags=["技术合同"])


class PartyOut(Schema):
    role: str
    name: str
    uscc: str
    kind: str
    region_id: str | None
    organization_id: int | None


class AchievementRef(Schema):
    id: int
    title: str


class AchievementsIn(Schema):
    achievement_ids: list[int] = Field(..., description="卖方机构的科技成果编号；空列表即取消关联")


class ContractOut(Schema):
    id: int
    title: str
    contract_number: str
    type_name: str = Field(..., alias="contract_type.type_name")
    subtype_name: str = Field(..., alias="contract_type.subtype_name")
    signed_on: date
    starts_on: date | None
    ends_on: date | None
    total_amount: Decimal = Field(..., description="合同成交额（元）")
    technical_amount: Decimal = Field(..., description="技术交易额（元）= 成交额 − 非技术性费用")
    payment_mode: str
    status: str
    registration_number: str
    registered_on: date | None
    parties: list[PartyOut]
    patent_numbers: str = Field(..., description="关联专利号（规范写法，用“、”分隔）")
    achievements: list[AchievementRef]

    @staticmethod
    def resolve_parties(obj: Any) -> list[Any]:
        return list(obj.parties.all())

    @staticmethod
    def resolve_achievements(obj: Any) -> list[Any]:
        return list(obj.achievements.all())


class MoveIn(Schema):
    action: str = Field(..., description="submit / withdraw / register / refuse / revise")
    expected_state: str | None = None
    reason: str = ""
    registration_number: str = ""
    registered_on: date | None = None


class FigureRow(Schema):
    key: str
    label: str
    count: int
    total: Decimal
    technical: Decimal


class FiguresOut(Schema):
    count: int
    total: Decimal
    technical: Decimal
    local_share_percent: Decimal | None = Field(
        None, description="本地转化：卖方在本地区的技术交易额中买方也在本地区的占比"
    )
    by_period: list[FigureRow]
    by_region: list[FigureRow]
    by_industry: list[FigureRow]
    by_type: list[FigureRow]
    by_buyer_kind: list[FigureRow]
    by_seller_kind: list[FigureRow]


@router.get(
    "/figures", response=FiguresOut, summary="技术合同统计（运营、科技局）", url_name="contract_figures"
)
def contract_figures(  # type: ignore[no-untyped-def]
    request,
    start: date | None = None,
    end: date | None = None,
    period: str = "month",
    scope: str = "registered",
):
    if not selectors.sees_every_contract(request.user):
        raise PermissionDenied("只有平台运营和科技局用户可以查看合同统计。")
    qs = figures.figures_queryset(
        selectors.contract_list_visible_to(request.user), registered_only=scope != "all", start=start, end=end
    )
    result = figures.compute(qs, period=period)
    return {
        "count": result.count,
        "total": result.total,
        "technical": result.technical,
        "local_share_percent": result.local_share,
        **{f"by_{dim}": rows for dim, rows in result.by.items()},
    }


@router.get("", response=list[ContractOut], summary="技术合同列表")
@paginate(PagePagination)
def contract_list(request, q: str = "", status: str = "", type_name: str = ""):  # type: ignore[no-untyped-def]
    return selectors.contract_list_visible_to(
        request.user, q=q[:100], status=status, type_name=type_name
    ).prefetch_related("achievements")


@router.get("/{contract_id}", response=ContractOut, summary="技术合同详情")
def contract_detail(request, contract_id: int):  # type: ignore[no-untyped-def]
    return selectors.contract_get_visible(request.user, contract_id)


@router.post("/{contract_id}/actions", response=ContractOut, summary="认定登记步骤（提交、登记、不予登记…）")
def contract_action(request, contract_id: int, payload: MoveIn):  # type: ignore[no-untyped-def]
    contract = selectors.contract_get_visible(request.user, contract_id)
    services.contract_move(
        contract=contract,
        action=payload.action,
        acting_user=request.user,
        reason=payload.reason,
        expected_state=payload.expected_state,
        registration_number=payload.registration_number,
        registered_on=payload.registered_on,
    )
    return selectors.contract_get_visible(request.user, contract_id)


@router.put("/{contract_id}/achievements", response=ContractOut, summary="关联卖方的科技成果")
def contract_achievements(request, contract_id: int, payload: AchievementsIn):  # type: ignore[no-untyped-def]
    from techmarket.achievements.models import Achievement

    contract = selectors.contract_get_visible(request.user, contract_id)
    wanted = list(dict.fromkeys(payload.achievement_ids))
    found = {a.pk: a for a in Achievement.objects.unscoped().filter(pk__in=wanted)}
    missing = [str(pk) for pk in wanted if pk not in found]
    if missing:
        raise ValidationError(
            {
                "achievement_ids": [
                    _("科技成果（编号 %(ids)s）不存在或您无权查看。") % {"ids": "、".join(missing)}
                ]
            }
        )
    services.contract_set_achievements(
        contract=contract,
        acting_user=request.user,
        achievements=[found[pk] for pk in wanted],
        request=request,
    )
    return selectors.contract_get_visible(request.user, contract_id)
