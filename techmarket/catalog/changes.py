"""Which of the submitted values actually differ from what is stored.

Re-importing the same spreadsheet, or saving a form without edits, must not write, audit, send an
item back to review or re-index it.
"""

from collections.abc import Iterable
from decimal import InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models


def _same(field: Any, current: Any, new: Any) -> bool:
    """Compare as the field would store them: 50, "50.00" and Decimal("50") are the same price."""
    try:
        return bool(field.to_python(current) == field.to_python(new))
    except (ValidationError, InvalidOperation, TypeError, ValueError):
        return bool(current == new)


def changed_fields(obj: models.Model, changes: dict[str, Any]) -> dict[str, Any]:
    """The subset of ``changes`` (field name → new value) that differs from ``obj``."""
    out = {}
    for name, value in changes.items():
        field = obj._meta.get_field(name)
        if isinstance(field, models.Field) and (field.many_to_one or field.one_to_one):
            current = getattr(obj, field.attname)
            new = value.pk if isinstance(value, models.Model) else value
            if current != new:
                out[name] = value
        elif not _same(field, getattr(obj, name), value):
            out[name] = value
    return out


def changed_relations(obj: models.Model, m2m: dict[str, Iterable[Any]]) -> dict[str, Any]:
    """The many-to-many fields whose set of related ids would change."""
    out = {}
    for name, values in m2m.items():
        values = list(values)
        wanted = {getattr(v, "pk", v) for v in values}
        if set(getattr(obj, name).values_list("pk", flat=True)) != wanted:
            out[name] = values
    return out
