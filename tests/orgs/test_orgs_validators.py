"""统一社会信用代码 (GB 32100-2015): our check character must agree with the standard."""

import random

import pytest
from django.core.exceptions import ValidationError
from stdnum.cn import uscc as stdnum_uscc

from techmarket.orgs.validators import (
    USCC_ALPHABET,
    make_uscc,
    normalize_uscc,
    uscc_check_character,
    validate_uscc,
    validate_uscc_format,
)

KNOWN_VALID = "91110000600037341L"  # python-stdnum's documented example


def _wrong_check(code: str) -> str:
    return code[:17] + next(ch for ch in USCC_ALPHABET if ch != code[17])


def test_known_real_code_passes_and_its_check_character_is_recomputed():
    validate_uscc(KNOWN_VALID)
    assert uscc_check_character(KNOWN_VALID[:17]) == "L"


def test_check_character_agrees_with_python_stdnum_on_random_digit_codes():
    rng = random.Random(32100)
    for _ in range(500):
        first17 = "".join(rng.choice("0123456789") for _ in range(17))
        code = make_uscc(first17)
        assert stdnum_uscc.calc_check_digit(first17) == code[17]
        assert stdnum_uscc.is_valid(code)
        validate_uscc(code)
        wrong = _wrong_check(code)
        assert not stdnum_uscc.is_valid(wrong)
        with pytest.raises(ValidationError):
            validate_uscc(wrong)


def test_check_character_agrees_with_stdnum_when_organisation_code_has_letters():
    rng = random.Random(7)
    for _ in range(200):
        first17 = "91371302" + "".join(rng.choice(USCC_ALPHABET) for _ in range(9))
        assert make_uscc(first17) == first17 + stdnum_uscc.calc_check_digit(first17)


def test_wrong_check_character_error_names_expected_and_given_character():
    code = make_uscc("91371302MA3C00001")
    wrong = _wrong_check(code)
    with pytest.raises(ValidationError) as exc:
        validate_uscc(wrong)
    message = exc.value.messages[0]
    assert f"应为“{code[17]}”" in message
    assert f"填写的是“{wrong[17]}”" in message
    assert exc.value.code == "uscc_check"


def test_wrong_length_message_states_the_length_given():
    with pytest.raises(ValidationError) as exc:
        validate_uscc_format("9137130212345")
    assert "当前 13 位" in exc.value.messages[0]


@pytest.mark.parametrize("bad_char", ["I", "O", "Z", "S", "V"])
def test_letters_excluded_by_the_standard_are_named_in_the_error(bad_char):
    code = "91371302" + bad_char + "00000000X"
    with pytest.raises(ValidationError) as exc:
        validate_uscc_format(code)
    assert f"非法字符“{bad_char}”" in exc.value.messages[0]


def test_normalize_accepts_spaces_dashes_and_lower_case():
    code = make_uscc("91371302MA3C00001")
    spaced = f" {code[:2].lower()} {code[2:8]}-{code[8:].lower()} "
    assert normalize_uscc(spaced) == code
    validate_uscc(spaced)
