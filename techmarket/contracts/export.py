"""Registered contracts as xlsx in the fixed column layout of the 技术合同登记 report (columns never move)."""

from collections.abc import Iterable
from typing import Any

from techmarket.imports.export import layout_xlsx

from .models import TechContract

# (header, value) — the order is the layout; add new columns at the end only.
LAYOUT: list[tuple[str, Any]] = [
    ("登记编号", lambda c: c.registration_number),
    ("登记日期", lambda c: c.registered_on),
    ("合同编号", lambda c: c.contract_number),
    ("合同名称", lambda c: c.title),
    ("合同类别", lambda c: c.contract_type.type_name),
    ("合同子类", lambda c: c.contract_type.subtype_name),
    ("卖方名称", lambda c: getattr(c.seller, "name", "")),
    ("卖方统一社会信用代码", lambda c: getattr(c.seller, "uscc", "")),
    ("卖方主体类型", lambda c: c.seller.get_kind_display() if c.seller else ""),
    ("卖方所在地区代码", lambda c: getattr(c.seller, "region_id", "") or ""),
    ("买方名称", lambda c: getattr(c.buyer, "name", "")),
    ("买方统一社会信用代码", lambda c: getattr(c.buyer, "uscc", "")),
    ("买方主体类型", lambda c: c.buyer.get_kind_display() if c.buyer else ""),
    ("买方所在地区代码", lambda c: getattr(c.buyer, "region_id", "") or ""),
    ("签订日期", lambda c: c.signed_on),
    ("履行期限起", lambda c: c.starts_on),
    ("履行期限止", lambda c: c.ends_on),
    ("合同成交额（元）", lambda c: c.total_amount),
    ("非技术性费用（元）", lambda c: c.total_amount - c.technical_amount),
    ("技术交易额（元）", lambda c: c.technical_amount),
    ("支付方式", lambda c: c.get_payment_mode_display()),
    ("累计到账（元）", lambda c: c.received_total),
    ("应用行业代码", lambda c: c.industry_id or ""),
    ("关联专利号", lambda c: c.patent_numbers),
]
HEADERS = [h for h, _v in LAYOUT]


def registered_xlsx(contracts: Iterable[TechContract]) -> bytes:
    return layout_xlsx("已登记技术合同", LAYOUT, contracts)
