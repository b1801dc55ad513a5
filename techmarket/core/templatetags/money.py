"""Money as people read it (Decimal throughout, never float): digits grouped by thousands, 元 for small
amounts, 万元 from ten thousand on and 亿元 from a hundred million on, as the contract and analytics pages
show them. Django's zh-hans number format has no thousands separator, so floatformat:"2g" does not group.

- ``{{ amount|money }}``: the unit chosen by size ("8,500 元", "12.35 万元", "1.50 亿元"): lists, cards, prose.
- ``{{ amount|money:"元" }}``: exact to the fen, with the 万元 reading from ten thousand on
  ("1,234,567.89 元（123.46 万元）"): where an amount is applied for, decided or paid.
- ``{{ amount|money:"万元" }}`` / ``money:"亿元"``: a fixed unit (ranges, totals next to each other).
- ``yuan`` / ``wan``: the digits alone, for a table column whose header names the unit (…（元）/（万元）).
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template
from django.utils.translation import gettext as _

register = template.Library()
TEN_THOUSAND = Decimal(10000)
HUNDRED_MILLION = Decimal(100_000_000)
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


@register.filter
def yuan(value: Any) -> str:
    """1234567.5 → "1,234,567.50" (the digits of an amount in the unit its column names)."""
    amount = _decimal(value)
    return DASH if amount is None else _digits(amount)


@register.filter
def wan(value: Any) -> str:
    """1234567.00 (元) → "123.46" (万元)."""
    amount = _decimal(value)
    return DASH if amount is None else _digits(amount / TEN_THOUSAND)


@register.filter
def money(value: Any, unit: str = "") -> str:
    amount = _decimal(value)
    if amount is None:
        return DASH
    if unit == "元":
        exact = _("%(n)s 元") % {"n": _digits(amount)}
        if abs(amount) < TEN_THOUSAND:
            return exact
        return _("%(exact)s（%(n)s 万元）") % {"exact": exact, "n": _digits(amount / TEN_THOUSAND, trim=True)}
    if unit == "亿元" or (not unit and abs(amount) >= HUNDRED_MILLION):
        return _("%(n)s 亿元") % {"n": _digits(amount / HUNDRED_MILLION, trim=True)}
    if unit == "万元" or (not unit and abs(amount) >= TEN_THOUSAND):
        return _("%(n)s 万元") % {"n": _digits(amount / TEN_THOUSAND, trim=True)}
    return _("%(n)s 元") % {"n": _digits(amount, trim=True)}
