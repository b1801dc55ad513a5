"""The vouchers API: the same selectors and services as the pages, errors in the project's one body."""

from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import Http404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from techmarket.api.openapi import MAX_DB_INT
from techmarket.api.pagination import PagePagination

from . import selectors, services
from .models import Voucher, VoucherUse

router = Router(tags=["创新券"])


class VoucherOut(Schema):
    id: int
    code: str
    batch_id: int
    batch: str = Field(..., alias="batch.name")
    holder_id: int
    holder: str = Field(..., alias="holder.name")
    amount: Decimal
    balance: Decimal
    categories: list[str]
    valid_from: date
    valid_until: date
    state: str
    state_label: str = Field(..., alias="get_state_display")


class VoucherFilters(Schema):
    q: str = Field("", max_length=100, description="券号、企业、批次")
    state: str = Field("", description="issued / partly_spent / spent / expired / revoked")
    batch: int | None = Field(None, ge=1, le=MAX_DB_INT)


class UseOut(Schema):
    id: int
    voucher_id: int
    booking_id: int
    provider_id: int
    provider: str = Field(..., alias="provider.name")
    amount: Decimal
    status: str
    status_label: str = Field(..., alias="get_status_display")
    evidence: str
    return_note: str
    claimed_at: datetime | None
    settled_at: datetime | None
    created_at: datetime


class SpendIn(Schema):
    booking_id: int = Field(..., ge=1, le=MAX_DB_INT)
    amount: Decimal = Field(..., description="抵扣金额（元），两位小数以内")


class MoveIn(Schema):
    action: str = Field(
        ..., description="claim（申请兑付，须写说明）/ send_back（退回）/ settle（结算）/ cancel（撤销）"
    )
    reason: str = Field("", max_length=2000)
    expected_state: str | None = None


class IssueIn(Schema):
    holder_id: int = Field(..., ge=1, le=MAX_DB_INT)
    amount: Decimal
    categories: list[str] | None = None


class FiguresOut(Schema):
    vouchers: int
    issued: Decimal
    balance: Decimal
    spent: Decimal
    claimed: Decimal
    settled: Decimal
    by_state: dict[str, int]


@router.get("", response=list[VoucherOut], summary="创新券列表（科技局看全部，企业看本企业的）")
@paginate(PagePagination)
def voucher_list(request, filters: Query[VoucherFilters]):  # type: ignore[no-untyped-def]
    return selectors.voucher_list_visible_to(request.user, **filters.dict())


@router.get("/figures", response=FiguresOut, summary="创新券发放、使用、兑付、结算合计")
def voucher_figures(request):  # type: ignore[no-untyped-def]
    if not selectors.is_bureau_side(request.user):
        raise PermissionDenied("只有科技局用户和平台运营可以查看创新券统计。")
    vouchers = selectors.voucher_list_visible_to(request.user).order_by()
    totals = vouchers.aggregate(n=Count("pk"), issued=Sum("amount"), balance=Sum("balance"))
    S = VoucherUse.Status
    uses = (
        selectors.uses_visible_to(request.user)
        .order_by()
        .aggregate(
            spent=Sum("amount", filter=~Q(status=S.CANCELLED)),
            claimed=Sum("amount", filter=Q(status__in=[S.CLAIMED, S.SETTLED])),
            settled=Sum("amount", filter=Q(status=S.SETTLED)),
        )
    )
    zero = Decimal("0.00")
    return {
        "vouchers": totals["n"],
        "issued": totals["issued"] or zero,
        "balance": totals["balance"] or zero,
        "spent": uses["spent"] or zero,
        "claimed": uses["claimed"] or zero,
        "settled": uses["settled"] or zero,
        "by_state": {s: selectors.filter_state(vouchers, s).count() for s in Voucher.State.values},
    }


@router.get("/uses", response=list[UseOut], summary="用券记录（持券企业、服务机构、科技局）")
@paginate(PagePagination)
def use_list(request, status: str = ""):  # type: ignore[no-untyped-def]
    return selectors.uses_visible_to(request.user, status=status)


@router.post("/uses/{use_id}/move", response=UseOut, summary="申请兑付、退回、结算或撤销")
def use_move(request, use_id: int, payload: MoveIn):  # type: ignore[no-untyped-def]
    use = selectors.use_get_visible(request.user, use_id)
    return services.use_move(
        use=use, action=payload.action, acting_user=request.user, reason=payload.reason,
        expected_state=payload.expected_state,
    )  # fmt: skip


@router.post("/batches/{batch_id}/vouchers", response={201: VoucherOut}, summary="发放创新券")
def voucher_issue(request, batch_id: int, payload: IssueIn):  # type: ignore[no-untyped-def]
    from techmarket.orgs.models import Organization

    batch = selectors.batch_get_visible(request.user, batch_id)
    holder = Organization.objects.filter(pk=payload.holder_id).first()
    if holder is None:
        raise ValidationError({"holder_id": "企业不存在。"})
    voucher = services.voucher_issue(
        acting_user=request.user, batch=batch, holder=holder, amount=payload.amount,
        categories=payload.categories,
    )  # fmt: skip
    return Status(201, voucher)


@router.get("/{voucher_id}", response=VoucherOut, summary="创新券详情")
def voucher_detail(request, voucher_id: int):  # type: ignore[no-untyped-def]
    return selectors.voucher_get_visible(request.user, voucher_id)


@router.post("/{voucher_id}/spend", response={201: UseOut}, summary="用券抵扣服务预约")
def voucher_spend(request, voucher_id: int, payload: SpendIn):  # type: ignore[no-untyped-def]
    from techmarket.facilities.selectors import booking_get_visible

    voucher = selectors.voucher_get_visible(request.user, voucher_id)
    try:
        booking = booking_get_visible(request.user, payload.booking_id)
    except Http404:
        raise ValidationError({"booking_id": "预约不存在或您无权查看。"}) from None
    use = services.voucher_spend(
        voucher=voucher, booking=booking, amount=payload.amount, acting_user=request.user
    )
    return Status(201, use)
