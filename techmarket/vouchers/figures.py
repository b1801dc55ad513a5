"""The vouchers' indicators (analytics.indicators): vouchers issued, amounts issued / spent / claimed /
settled, placed in a month by the date of each step; region and industry are the holder's."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from techmarket.analytics.indicators import Group, Indicator, register, register_group

from .models import Voucher, VoucherUse

register_group(Group("vouchers", _("创新券与投资"), 45))

HOLDER: dict[str, Any] = {
    "group": "vouchers",
    "region_field": "holder__region__code",
    "industry_field": "holder__industry__code",
}
VIA_VOUCHER: dict[str, Any] = {
    "group": "vouchers",
    "region_field": "voucher__holder__region__code",
    "industry_field": "voucher__holder__industry__code",
}
S = VoucherUse.Status


def _vouchers() -> Any:
    return Voucher.objects.unscoped()


def _spent() -> Any:
    return VoucherUse.objects.unscoped().exclude(status=S.CANCELLED)


def _claimed() -> Any:
    return VoucherUse.objects.unscoped().filter(claimed_at__isnull=False, status__in=[S.CLAIMED, S.SETTLED])


def _settled() -> Any:
    return VoucherUse.objects.unscoped().filter(status=S.SETTLED, settled_at__isnull=False)


register(
    Indicator(
        "vouchers.issued",
        _("发放创新券"),
        _("张"),
        _vouchers,
        "created_at",
        order=10,
        help=_("期间内发放给企业的创新券（含已作废的）"),
        **HOLDER,
    )
)
register(
    Indicator(
        "vouchers.issued_amount",
        _("创新券发放额"),
        _("万元"),
        _vouchers,
        "created_at",
        order=11,
        sum_field="amount",
        scale=10000,
        **HOLDER,
    )
)
register(
    Indicator(
        "vouchers.spent_amount",
        _("创新券使用额"),
        _("万元"),
        _spent,
        "created_at",
        order=12,
        sum_field="amount",
        scale=10000,
        help=_("企业用券抵扣的服务费（不含已撤销的使用）"),
        **VIA_VOUCHER,
    )
)
register(
    Indicator(
        "vouchers.claimed_amount",
        _("创新券兑付申请额"),
        _("万元"),
        _claimed,
        "claimed_at",
        order=13,
        sum_field="amount",
        scale=10000,
        help=_("服务机构申请兑付的金额（含其后已结算的）"),
        **VIA_VOUCHER,
    )
)
register(
    Indicator(
        "vouchers.settled_amount",
        _("创新券结算额"),
        _("万元"),
        _settled,
        "settled_at",
        order=14,
        sum_field="amount",
        scale=10000,
        **VIA_VOUCHER,
    )
)
