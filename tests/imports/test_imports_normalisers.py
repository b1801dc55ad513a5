"""One normaliser per kind of value, applied in every column of that kind of every sheet."""

import datetime
from decimal import Decimal

import pytest

from techmarket.imports.normalise import parse_date
from techmarket.imports.reader import _CellError, _Parser
from techmarket.imports.spec import Kind
from techmarket.imports.specs import all_specs

pytestmark = pytest.mark.django_db

FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
MAY_DAY = datetime.date(2033, 5, 1)
# The forms Chinese offices write dates in, and Excel's own serial number (as a number and as text).
DATE_FORMS = [
    "2033-05-01",
    "2033-5-1",
    "2033/5/1",
    "2033.05.01",
    "2033.5.1",
    "2033年5月1日",
    "2033年05月01日",
    "2033 年 5 月 1 日",
    "20330501",
    "２０３３年５月１日",
    "２０３３－０５－０１",
    "二〇三三年五月一日",
    48700,
    48700.0,
    "48700",
    20330501,
    datetime.datetime(2033, 5, 1),
    MAY_DAY,
    "2033-05-01 00:00:00",
]
PATENT_FORMS = [
    "ZL202310123456.6",
    "zl202310123456.6",
    "ZL 2023 1012 3456.6",
    "ｚｌ２０２３１０１２３４５６．６",
    "ZL2023-1012-3456.6",
    " ZL202310123456。6 ",
]


def _columns(kind: Kind, *, custom: str | None = None):
    found = [
        (spec.key, column)
        for spec in all_specs().values()
        for column in spec.columns
        if column.kind == kind and (custom is None or column.header == custom)
    ]
    assert found, kind
    return found


@pytest.mark.parametrize("value", DATE_FORMS)
def test_every_date_form_in_every_date_column(value):
    parser = _Parser()
    for _key, column in _columns(Kind.DATE):
        assert parser.parse(column, value) == MAY_DAY, (column.header, value)


@pytest.mark.parametrize("value", DATE_FORMS)
def test_every_date_form_inside_the_ip_expiry_date(value):
    shown = value.strftime("%Y-%m-%d") if isinstance(value, datetime.date) else str(value)
    for _key, column in _columns(Kind.CUSTOM, custom="知识产权"):
        rows = _Parser().parse(column, f"发明专利|ZL202310123456.6|一种方法|已授权|{shown}")
        assert rows[0]["expiry_date"] == MAY_DAY


@pytest.mark.parametrize("value", ["2033-02-30", "明年五月", "45", "2033年13月1日", True])
def test_impossible_dates_are_refused_with_the_accepted_forms(value):
    parser = _Parser()
    for _key, column in _columns(Kind.DATE):
        with pytest.raises(_CellError) as exc:
            parser.parse(column, value)
        assert "2026年6月30日" in exc.value.expected or "2026-06-30" in exc.value.expected


@pytest.mark.parametrize("value", PATENT_FORMS)
def test_patent_numbers_are_normalised_in_every_ip_column(value):
    for _key, column in _columns(Kind.CUSTOM, custom="知识产权"):
        rows = _Parser().parse(column, f"发明专利|{value}|一种方法|已授权")
        assert rows[0]["number"] == "ZL202310123456.6"


@pytest.mark.parametrize("kind", [Kind.INT, Kind.DECIMAL, Kind.CODE])
def test_full_width_digits_in_every_number_and_code_column(kind):
    parser = _Parser()
    for key, column in _columns(kind):
        example = column.example.split()[0] if kind == Kind.CODE else column.example
        if not example and kind == Kind.INT:  # e.g. 需求人数: left blank in the technology-need example row
            example = "12"
        assert example, (key, column.header)
        assert parser.parse(column, example.translate(FULL_WIDTH)) == parser.parse(column, example), (
            key,
            column.header,
        )


@pytest.mark.parametrize("header", ["适用行业", "服务行业", "学科"])
def test_full_width_digits_in_every_code_list_column(header):
    parser = _Parser()
    for key, column in _columns(Kind.CUSTOM, custom=header):
        assert parser.parse(column, column.example.translate(FULL_WIDTH)) == parser.parse(
            column, column.example
        ), key


def test_amounts_and_levels_with_their_unit_and_thousands_separators():
    parser = _Parser()
    for _key, column in _columns(Kind.DECIMAL):
        unit = column.units[0] if column.units else "万元"
        other = "万元" if unit == "元" else "元"
        assert parser.parse(column, f"50{unit}") == Decimal("50")
        assert parser.parse(column, "１,２００.５") == Decimal("1200.5")
        with pytest.raises(_CellError, match="不是数字"):
            parser.parse(column, "五十万")
        with pytest.raises(_CellError):
            parser.parse(column, f"500000{other}")  # another unit is not silently rescaled
    trl = dict(_columns(Kind.INT))["achievements"]
    assert parser.parse(trl, "7级") == 7
    for value in ("十", "10"):
        with pytest.raises(_CellError):
            parser.parse(trl, value)


def test_parse_date_refuses_serials_outside_plausible_years():
    with pytest.raises(ValueError):
        parse_date(12)
    assert parse_date(45000) == datetime.date(2023, 3, 15)
