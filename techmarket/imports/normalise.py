"""One normaliser per kind of cell, used by every column of that kind (and by custom columns that
contain such values, e.g. the expiry date inside an IP item).

What people type in real spreadsheets: full-width digits (２０２６), dates as 2033年5月1日 / 2033.5.1 /
20330501 / Excel serials (45000) / 二〇三三年五月一日, amounts with their unit (50万元), TRL as 7级,
patent numbers with spaces and lower case. Each normaliser returns the canonical value or raises
ValueError(problem, expected) in Chinese.
"""

import datetime
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _
from openpyxl.utils.datetime import from_excel

# Full-width ASCII (！..～) and the ideographic space: the only characters we fold in values
# (NFKC would also rewrite ①, ㎡ and ™, which is wrong for free text).
_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "○": 0,
    "Ｏ": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_DATE = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*[日号]?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_SERIAL = re.compile(r"^\d{1,6}(\.\d+)?$")
# Excel serials 1 (1900-01-01) .. 2958465 (9999-12-31); a plausible date is 1950..2100.
_SERIAL_MIN, _SERIAL_MAX = 18264, 73051
DATE_EXPECTED = "日期，如 2026-06-30、2026/6/30、2026年6月30日 或 20260630"


def fold_width(text: str) -> str:
    """'２０２６－０６' → '2026-06'; '３７０１０２' → '370102'."""
    return text.translate(_WIDTH)


def _cn_number(text: str) -> str:
    """'二〇三三' → '2033'; '十二' → '12'; '三十一' → '31' (for Chinese-written dates)."""
    if "十" in text:
        tens, _sep, ones = text.partition("十")
        return str((_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS.get(ones, 0) if ones else 0))
    return "".join(str(_CN_DIGITS[c]) for c in text)


def _cn_date(text: str) -> str:
    if not any(c in _CN_DIGITS or c == "十" for c in text):
        return text
    match = re.match(
        r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})[日号]$",
        text,
    )
    if not match:
        return text
    try:
        return "%s年%s月%s日" % tuple(_cn_number(g) for g in match.groups())
    except KeyError:
        return text


def parse_date(value: Any) -> datetime.date:
    """A cell (date, datetime, Excel serial number or text) as a date, or ValueError(problem, expected)."""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(_("不是有效的日期"), DATE_EXPECTED)
    if isinstance(value, int | float | Decimal):
        return _from_number(float(value))
    text = fold_width(str(value or "")).strip()
    text = _cn_date(text.replace(" ", "") if "年" in text else text)
    if match := _DATE.match(text) or _COMPACT_DATE.match(text):
        year, month, day = (int(g) for g in match.groups())
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise ValueError(_("不是存在的日期"), DATE_EXPECTED) from None
    if _SERIAL.match(text):
        return _from_number(float(text))
    raise ValueError(_("不是有效的日期"), DATE_EXPECTED)


def _from_number(number: float) -> datetime.date:
    if number.is_integer() and 19000101 <= number <= 21001231:
        return parse_date(str(int(number)))  # 20330501 typed as a number
    if not _SERIAL_MIN <= number <= _SERIAL_MAX:
        raise ValueError(_("不是有效的日期"), DATE_EXPECTED)
    return from_excel(number).date()


def parse_number(value: Any, *, units: tuple[str, ...] = ()) -> Decimal:
    """'５０', '1,200.5', '50万元' (in a 万元 column), '7级' (TRL) → Decimal; ValueError otherwise."""
    if isinstance(value, bool):
        raise ValueError(_("不是数字"))
    if isinstance(value, int | float):
        return Decimal(str(value))
    if isinstance(value, Decimal):
        return value
    text = fold_width(str(value or "")).strip().replace(",", "").replace("，", "").replace(" ", "")
    for unit in sorted(units, key=len, reverse=True):
        if unit and text.endswith(unit) and len(text) > len(unit):
            text = text[: -len(unit)]
            break
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(_("不是数字")) from None
    if not number.is_finite():
        raise ValueError(_("不是数字"))
    return number


def normalise_code(text: str) -> str:
    """Reference-table codes: half-width, no inner spaces, upper case letters ('ｃ２６' → 'C26')."""
    return re.sub(r"\s+", "", fold_width(text)).upper()


def normalise_choice(text: str) -> str:
    return fold_width(text).strip()


def normalise_bool_text(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().lower()
