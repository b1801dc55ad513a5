"""Chinese patent numbers: format, check digit, normalisation and type consistency."""

import pytest
from django.core.exceptions import ValidationError

from techmarket.achievements.validators import (
    make_patent_application_number,
    patent_check_digit,
    validate_patent_number,
)


@pytest.mark.parametrize(
    ("digits", "check"),
    [
        ("202310123456", "6"),  # the synthetic example of cn_patent_number_formats.csv
        ("93102345", "9"),  # old 8-digit form
        ("202310000002", "X"),  # sum mod 11 == 10 becomes X
    ],
)
def test_check_digit_uses_weights_2_to_9_from_the_left_mod_11(digits, check):
    assert patent_check_digit(digits) == check


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("202310123456.6", "202310123456.6"),
        ("ZL202310123456.6", "ZL202310123456.6"),
        ("93102345.9", "93102345.9"),
        ("ZL93102345.9", "ZL93102345.9"),
        ("zl 2023 1012 3456.6", "ZL202310123456.6"),
        ("ＺＬ２０２３１０１２３４５６．６", "ZL202310123456.6"),  # full-width letters, digits and dot
        ("２０２３１０１２３４５６。６", "202310123456.6"),  # ideographic full stop
        ("2023101234566", "202310123456.6"),  # dot left out
        ("202310000002.x", "202310000002.X"),
        ("CN116123456A", "CN116123456A"),
        ("cn 216123456 u", "CN216123456U"),
        ("PCT/CN2023/123456", "PCT/CN2023/123456"),
    ],
)
def test_valid_numbers_are_normalised(raw, normalised):
    assert validate_patent_number(raw) == normalised


def test_wrong_check_digit_names_the_expected_digit():
    with pytest.raises(ValidationError) as exc:
        validate_patent_number("ZL202310123456.5")
    assert exc.value.messages == ["专利号 ZL202310123456.5 校验位错误（应为 6）"]
    with pytest.raises(ValidationError, match=r"申请号 93102345\.1 校验位错误（应为 9）"):
        validate_patent_number("93102345.1")
    with pytest.raises(ValidationError, match="应为 6"):
        validate_patent_number("ｚｌ２０２３１０１２３４５６．０")


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("", "请填写"),
        ("20231012345.6", "不是有效的中国专利号"),  # 11 digits
        ("202370123456.1", "类型位“7”无效"),  # type digit 7 does not exist
        ("199910123456.1", "年份“1999”无效"),  # 12-digit numbers start in 2003
        ("CN116123456", "不是有效的中国专利号"),  # kind code missing
        ("CN116123456Q", "不是有效的中国专利号"),  # unknown kind code
        ("ZL202310123456.A", "不是有效的中国专利号"),
    ],
)
def test_malformed_numbers_are_refused_with_the_expected_format(raw, message):
    with pytest.raises(ValidationError, match=message):
        validate_patent_number(raw)


def test_number_type_must_match_the_ip_type():
    assert validate_patent_number("ZL202320123456.1", ip_type="utility_model") == "ZL202320123456.1"
    with pytest.raises(ValidationError, match="实用新型的类型位应为 2 或 9"):
        validate_patent_number("202310123456.6", ip_type="utility_model")
    with pytest.raises(ValidationError, match="与所选类型“外观设计”不符"):
        validate_patent_number("CN116123456A", ip_type="design")
    assert validate_patent_number("CN116123456B", ip_type="invention") == "CN116123456B"


def test_make_patent_application_number_round_trips():
    number = make_patent_application_number("202410987654")
    assert validate_patent_number(number) == number
