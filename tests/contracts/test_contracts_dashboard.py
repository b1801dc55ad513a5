"""Contracts on the bureau's dashboard: counted when registered, amounts in 万元, region of the buyer,
refused ones never."""

import datetime
from decimal import Decimal

import pytest
from factories import make_operator

from techmarket.analytics import compute, indicators
from techmarket.analytics.compute import Filters
from techmarket.analytics.periods import Month, Period
from techmarket.contracts import services

from .conftest import make_contract, outside_party

pytestmark = pytest.mark.django_db
MARCH = Filters(period=Period(Month(2026, 3), Month(2026, 3)))


def _register(contract, operator, day):
    services.contract_move(contract=contract, action="submit", acting_user=operator)
    return services.contract_move(
        contract=contract, action="register", acting_user=operator, registration_number=f"R{contract.pk}",
        registered_on=day,
    )  # fmt: skip


def test_registered_contracts_and_amounts_by_registration_month_and_buyer_region(
    university, enterprise, seller_user
):
    operator = make_operator()
    local = make_contract(
        seller=university, buyer=enterprise, acting_user=seller_user, deductions=[("设备", "150000")]
    )
    beijing_buyer = outside_party("buyer", name="北京某科技有限公司", region="110108")
    far = make_contract(seller=university, buyer=beijing_buyer, acting_user=seller_user, total="500000.00")
    refused = make_contract(seller=university, buyer=enterprise, acting_user=seller_user, total="9000000.00")
    _register(local, operator, datetime.date(2026, 3, 20))
    _register(far, operator, datetime.date(2026, 3, 25))
    services.contract_move(contract=refused, action="submit", acting_user=operator)
    services.contract_move(contract=refused, action="refuse", acting_user=operator, reason="不属于技术合同")

    assert compute.total(indicators.get("contracts.registered"), MARCH) == 2
    assert compute.total(indicators.get("contracts.amount"), MARCH) == Decimal(
        "150.00"
    )  # 1,000,000 + 500,000 元
    assert compute.total(indicators.get("contracts.technical_amount"), MARCH) == Decimal("135.00")
    shandong = Filters(period=MARCH.period, region="370000")
    assert (
        compute.total(indicators.get("contracts.registered"), shandong) == 1
    )  # the Beijing buyer is outside
    assert compute.total(indicators.get("contracts.signed"), MARCH) == 2  # the refused one does not count
    april = Filters(period=Period(Month(2026, 4), Month(2026, 4)))
    assert compute.total(indicators.get("contracts.registered"), april) == 0


def test_the_largest_registered_contracts_are_the_reports_notable_items(university, enterprise, seller_user):
    from techmarket.contracts.figures import notable_contracts

    operator = make_operator()
    small = make_contract(seller=university, buyer=enterprise, acting_user=seller_user, total="200000.00")
    big = make_contract(seller=university, buyer=enterprise, acting_user=seller_user, total="3000000.00")
    _register(small, operator, datetime.date(2026, 3, 3))
    _register(big, operator, datetime.date(2026, 3, 4))
    lines = notable_contracts(MARCH.period)
    assert len(lines) == 2 and "300.00 万元" in lines[0] and f"R{big.pk}" in lines[0]
    assert "临沂测试大学与临沂测试不锈钢有限公司" in lines[0]
