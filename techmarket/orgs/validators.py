"""统一社会信用代码 (GB 32100-2015) validation.

python-stdnum's ``cn.uscc`` implements the same check but rejects codes whose registration
management characters are not digits (e.g. a registering-department character Y), so the check
character is computed here from the standard's alphabet and weights.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_RE = re.compile(rf"^[{USCC_ALPHABET}]{{18}}$")


def normalize_uscc(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "").upper()


def uscc_check_character(first17: str) -> str:
    """The 18th character for the first 17 (raises KeyError on a character outside the alphabet)."""
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc_format(value: str) -> None:
    code = normalize_uscc(value)
    if len(code) != 18:
        raise ValidationError(
            _("统一社会信用代码应为 18 位（当前 %(n)d 位）。"), code="uscc_length", params={"n": len(code)}
        )
    if not _USCC_RE.match(code):
        bad = next(ch for ch in code if ch not in USCC_ALPHABET)
        raise ValidationError(
            _("统一社会信用代码含非法字符“%(ch)s”：只允许数字和除 I、O、Z、S、V 以外的大写字母。"),
            code="uscc_charset",
            params={"ch": bad},
        )


def validate_uscc(value: str) -> None:
    """Full validation: format and the GB 32100 check character, naming the expected character."""
    validate_uscc_format(value)
    code = normalize_uscc(value)
    expected = uscc_check_character(code[:17])
    if code[17] != expected:
        raise ValidationError(
            _(
                "统一社会信用代码校验位错误：第 18 位应为“%(expected)s”，填写的是“%(given)s”。请核对营业执照。"
            ),
            code="uscc_check",
            params={"expected": expected, "given": code[17]},
        )


def make_uscc(first17: str) -> str:
    """Complete a 17-character prefix with its check character (used by the demo generator and tests)."""
    return first17 + uscc_check_character(first17)
