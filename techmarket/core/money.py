"""Money as people read it (Decimal throughout, never float): digits grouped by thousands, 元 for small
amounts, 万元 from ten thousand on and 亿元 from a hundred million on, as the contract and analytics pages
show them. The template filters (templatetags/money.py) and messages built in Python (errors, flashes,
notices) both call these functions, so a message reads an amount the way the page next to it does.
Django's zh-hans number format has no thousands separator, so floatformat:"2g" does not group.

- ``{{ amount|money }}``: the unit chosen by size ("8,500 元", "12.35 万元", "1.50 亿元"): lists, cards, prose.
- ``{{ amount|money:"元" }}``: exact to the fen, with the 万元 reading from ten thousand on
  ("1,234,567.89 元（123.46 万元）"): where an amount is applied for, decided or paid.
- ``{{ amount|money:"万元" }}`` / ``money:"亿元"``: a fixed unit (ranges, totals next to each other).
- ``yuan`` / ``wan``: the digits alone, for a table column whose header names the unit (…（元）/（万元）).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.utils.translation import get_language
from django.utils.translation import gettext as _

TEN_THOUSAND = Decimal(10000)
HUNDRED_MILLION = Decimal(100_000_000)
MILLION = Decimal(1_000_000)
CENT = Decimal("0.01")
DASH = "—"


def _decimal(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def _digits(amount: Decimal, *, trim: bool = False) -> str:
    text = f"{amount.quantize(CENT, rounding=ROUND_HALF_UP):,.2f}"
    return text[:-3] if trim and text.endswith(".00") else text


def yuan(value: Any) -> str:
    """1234567.5 → "1,234,567.50" (the digits of an amount in the unit its column names)."""
    amount = _decimal(value)
    return DASH if amount is None else _digits(amount)


def wan(value: Any) -> str:
    """1234567.00 (元) → "123.46" (万元)."""
    amount = _decimal(value)
    return DASH if amount is None else _digits(amount / TEN_THOUSAND)


def money(value: Any, unit: str = "") -> str:
    """The amount as the pages show it; Python messages (errors, flashes, notices) call this too.

    Chinese reads large amounts in 万 and 亿; English reads them in millions, so in English every unit but the
    exact 元 becomes "CNY 8,500" below a million and "CNY 1.25 million" from a million on (a fixed 万元 or
    亿元 unit has no English counterpart)."""
    amount = _decimal(value)
    if amount is None:
        return DASH
    if unit == "元":
        exact = _("%(n)s 元") % {"n": _digits(amount)}
        if abs(amount) < TEN_THOUSAND or not _reads_in_wan():
            return exact
        return _("%(exact)s（%(n)s 万元）") % {"exact": exact, "n": _digits(amount / TEN_THOUSAND, trim=True)}
    if not _reads_in_wan():
        if abs(amount) >= MILLION:
            return _("%(n)s 百万元") % {"n": _digits(amount / MILLION, trim=True)}
        return _("%(n)s 元") % {"n": _digits(amount, trim=True)}
    if unit == "亿元" or (not unit and abs(amount) >= HUNDRED_MILLION):
        return _("%(n)s 亿元") % {"n": _digits(amount / HUNDRED_MILLION, trim=True)}
    if unit == "万元" or (not unit and abs(amount) >= TEN_THOUSAND):
        return _("%(n)s 万元") % {"n": _digits(amount / TEN_THOUSAND, trim=True)}
    return _("%(n)s 元") % {"n": _digits(amount, trim=True)}


def _reads_in_wan() -> bool:
    return (get_language() or "zh-hans").startswith("zh")
