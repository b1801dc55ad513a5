"""Chinese patent numbers (CNIPA conventions, see shared/data/reference/cn_patent_number_formats.csv).

Accepted forms, after normalisation (full-width → half-width, spaces removed, upper case):
- application number since 2003-10: YYYYTNNNNNNN.C (4-digit year, type digit, 7-digit serial, check char);
- application number 1985–2003: YYTNNNNN.C;
- patent number: "ZL" + application number;
- publication / grant number: CN + 9 digits + kind code (A/B/U/S/C/Y), which has no check digit;
- PCT international application: PCT/CNYYYY/NNNNNN (format only).
Check char: digits before the dot × weights 2..9 repeating from the left, sum mod 11, 10 → "X".
"""

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

WEIGHTS = (2, 3, 4, 5, 6, 7, 8, 9)
TYPE_DIGITS = "12389"
# Which application type digits and publication kind codes belong to which IP type.
APPLICATION_TYPES = {"invention": "18", "utility_model": "29", "design": "3"}
PUBLICATION_TYPES = {"invention": ("1", "ABC"), "utility_model": ("2", "UY"), "design": ("3", "S")}

_APPLICATION = re.compile(r"^(ZL)?(\d{8}|\d{12})\.?([0-9X])$")
_PUBLICATION = re.compile(r"^CN(\d{9})([ABCUSY])\d?$")
_PCT = re.compile(r"^PCT/CN(\d{4})/(\d{6})$")


@dataclass(frozen=True)
class PatentNumber:
    normalized: str
    kind: str  # "application", "patent", "publication" or "pct"
    type_digit: str


def normalize_patent_number(value: str) -> str:
    """'ｚｌ 2023 1012 3456．6' → 'ZL202310123456.6'."""
    text = unicodedata.normalize("NFKC", value or "").replace("。", ".")
    return re.sub(r"[\s\-]", "", text).upper()


def patent_check_digit(digits: str) -> str:
    total = sum(int(d) * WEIGHTS[i % len(WEIGHTS)] for i, d in enumerate(digits))
    rest = total % 11
    return "X" if rest == 10 else str(rest)


def _label(normalized: str) -> str:
    return str(_("专利号")) if normalized.startswith("ZL") else str(_("申请号"))


def parse_patent_number(value: str) -> PatentNumber:
    """Normalise and check a patent number; the error names the expected check digit."""
    number = normalize_patent_number(value)
    if not number:
        raise ValidationError(_("请填写专利申请号或专利号。"), code="patent_empty")
    if m := _PUBLICATION.match(number):
        return PatentNumber(number, "publication", m.group(1)[0])
    if m := _PCT.match(number):
        return PatentNumber(number, "pct", "")
    m = _APPLICATION.match(number)
    if m is None:
        raise ValidationError(
            _(
                "“%(value)s”不是有效的中国专利号：应为申请号 202310123456.6（2003 年 10 月前为 93102345.9），"
                "专利号 ZL202310123456.6，或公布号 CN116123456A。"
            )
            % {"value": value.strip()},
            code="patent_format",
        )
    prefix, digits, check = m.groups()
    normalized = f"{prefix or ''}{digits}.{check}"
    type_digit = digits[4] if len(digits) == 12 else digits[2]
    if type_digit not in TYPE_DIGITS:
        raise ValidationError(
            _(
                "%(label)s %(value)s 的类型位“%(digit)s”无效：应为 1（发明）、2（实用新型）、3（外观设计）、"
                "8 或 9（PCT 进入国家阶段）。"
            )
            % {"label": _label(normalized), "value": normalized, "digit": type_digit},
            code="patent_type",
        )
    if len(digits) == 12 and not 2003 <= int(digits[:4]) <= 2099:
        raise ValidationError(
            _("%(label)s %(value)s 的年份“%(year)s”无效：12 位申请号从 2003 年开始使用。")
            % {"label": _label(normalized), "value": normalized, "year": digits[:4]},
            code="patent_year",
        )
    expected = patent_check_digit(digits)
    if check != expected:
        raise ValidationError(
            _("%(label)s %(value)s 校验位错误（应为 %(expected)s）")
            % {"label": _label(normalized), "value": normalized, "expected": expected},
            code="patent_check",
        )
    return PatentNumber(normalized, "patent" if prefix else "application", type_digit)


def validate_patent_number(value: str, *, ip_type: str | None = None) -> str:
    """Return the normalised number, or raise; with ip_type, the number's type must match it."""
    parsed = parse_patent_number(value)
    if (
        ip_type in APPLICATION_TYPES
        and parsed.kind in {"application", "patent"}
        and parsed.type_digit not in APPLICATION_TYPES[ip_type]
    ):
        raise ValidationError(
            _("%(value)s 的类型位是“%(digit)s”，与所选类型不符：%(type)s的类型位应为 %(allowed)s。")
            % {
                "value": parsed.normalized,
                "digit": parsed.type_digit,
                "type": _ip_type_label(ip_type),
                "allowed": " 或 ".join(APPLICATION_TYPES[ip_type]),
            },
            code="patent_type_mismatch",
        )
    if ip_type in PUBLICATION_TYPES and parsed.kind == "publication":
        first, kinds = PUBLICATION_TYPES[ip_type]
        if parsed.type_digit != first or parsed.normalized[11] not in kinds:
            raise ValidationError(
                _("公布号 %(value)s 与所选类型“%(type)s”不符。")
                % {"value": parsed.normalized, "type": _ip_type_label(ip_type)},
                code="patent_type_mismatch",
            )
    return parsed.normalized


def _ip_type_label(ip_type: str) -> str:
    from .models import IPType

    return str(IPType(ip_type).label)


def make_patent_application_number(digits: str) -> str:
    """Complete 8 or 12 digits with their check char (for demo data and tests)."""
    return f"{digits}.{patent_check_digit(digits)}"
