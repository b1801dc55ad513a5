"""The one money filter: digits grouped by thousands (zh-hans formats do not group), 元 below 1 万,
万元 below 1 亿, 亿元 above; exact 元 with the 万元 reading where an amount is decided or paid."""

from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from techmarket.core.money import money, wan, yuan


@pytest.mark.parametrize(
    ("amount", "shown"),
    [
        (Decimal("8500"), "8,500 元"),
        (Decimal("8500.5"), "8,500.50 元"),
        (Decimal("10000"), "1 万元"),
        (Decimal("500000.00"), "50 万元"),
        (Decimal("1234567.89"), "123.46 万元"),
        (Decimal("123456789"), "1.23 亿元"),
        (Decimal("1500000000"), "15 亿元"),
        (Decimal("0"), "0 元"),
        ("2000000", "200 万元"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_money_picks_the_unit_by_size_and_groups_digits(amount, shown):
    assert money(amount) == shown


def test_exact_yuan_adds_the_wan_reading_from_ten_thousand_on():
    assert money(Decimal("1234567.89"), "元") == "1,234,567.89 元（123.46 万元）"
    assert money(Decimal("500000"), "元") == "500,000.00 元（50 万元）"
    assert money(Decimal("3000"), "元") == "3,000.00 元"


def test_a_fixed_unit_keeps_ranges_comparable():
    assert money(Decimal("500000"), "万元") == "50 万元"
    assert money(Decimal("2000"), "万元") == "0.20 万元"
    assert money(Decimal("123456789012"), "万元") == "12,345,678.90 万元"
    assert money(Decimal("250000000"), "亿元") == "2.50 亿元"


def test_column_digits_for_headers_that_name_the_unit():
    assert yuan(Decimal("1234567.5")) == "1,234,567.50"
    assert wan(Decimal("1234567")) == "123.46"
    assert wan(None) == yuan("") == "—"


def test_the_filter_inside_a_translated_sentence():
    html = Template(
        "{% load i18n money %}{% blocktranslate with a=v|money %}最高 {{ a }}{% endblocktranslate %}"
    ).render(Context({"v": Decimal("500000")}))
    assert html == "最高 50 万元"


def test_english_reads_amounts_in_millions_not_in_wan():
    with translation.override("en"):
        assert money(Decimal("8500")) == "CNY 8,500"
        assert money(Decimal("123456")) == "CNY 123,456"
        assert money(Decimal("1234567.89")) == "CNY 1.23 million"
        assert money(Decimal("250000000"), "亿元") == "CNY 250 million"
        assert money(Decimal("1234567.89"), "元") == "CNY 1,234,567.89"
    assert money(Decimal("1234567.89"), "元") == "1,234,567.89 元（123.46 万元）"
