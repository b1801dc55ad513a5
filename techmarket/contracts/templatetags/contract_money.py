"""Money as people read it: 元 with thousands separators, and 万元 (Decimal throughout, never float)."""

from decimal import Decimal
from typing import Any

from django import template

register = template.Library()
TEN_THOUSAND = Decimal(10000)


@register.filter
def yuan(value: Any) -> str:
    if value in (None, ""):
        return "—"
    return f"{Decimal(value):,.2f}"


@register.filter
def wan(value: Any) -> str:
    """1234567.00 → "123.46" (万元)."""
    if value in (None, ""):
        return "—"
    return f"{(Decimal(value) / TEN_THOUSAND).quantize(Decimal('0.01')):,.2f}"
