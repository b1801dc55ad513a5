"""Helpers of the finance tests (a module of its own: ``conftest`` is a name every test folder uses)."""

from decimal import Decimal as D

from techmarket.finance.models import ProductKind

W = D("10000")


def product_data(**overrides):
    data = {
        "name": "成果转化贷", "kind": ProductKind.TRANSFER_LOAN, "min_amount": 50 * W, "max_amount": 1000 * W,
        "min_rate": "3.45", "max_rate": "4.35", "min_term_months": 6, "max_term_months": 36,
        "conditions": "用于科技成果转化", "min_points": None, "min_grade": "",
    }  # fmt: skip
    data.update(overrides)
    return data
