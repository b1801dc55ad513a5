"""Vouchers as xlsx for the bureau (台账): one row per voucher, the columns in a fixed order."""

from collections.abc import Iterable
from typing import Any

from techmarket.imports.export import layout_xlsx

from .models import Voucher

LAYOUT: list[tuple[str, Any]] = [
    ("券号", lambda v: v.code),
    ("批次", lambda v: v.batch.name),
    ("持券企业", lambda v: v.holder.name),
    ("统一社会信用代码", lambda v: v.holder.uscc),
    ("面额（元）", lambda v: v.amount),
    ("已使用（元）", lambda v: v.spent),
    ("余额（元）", lambda v: v.balance),
    ("已申请兑付（元）", lambda v: v.claimed_total),
    ("已结算（元）", lambda v: v.settled_total),
    ("可购买的服务", lambda v: "、".join(v.category_labels())),
    ("有效期起", lambda v: v.valid_from),
    ("有效期止", lambda v: v.valid_until),
    ("状态", lambda v: v.get_state_display()),
]
HEADERS = [h for h, _v in LAYOUT]


def vouchers_xlsx(vouchers: Iterable[Voucher]) -> bytes:
    return layout_xlsx("创新券台账", LAYOUT, vouchers)
