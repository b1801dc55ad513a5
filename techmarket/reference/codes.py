"""Normalising codes as people type them."""

import re
from functools import lru_cache
from typing import Any

_SECTION_PREFIXED = re.compile(r"^[A-Ta-t](\d{2,4})$")


def normalize_industry_code(code: str) -> str:
    """GB/T 4754 codes are stored without the section letter: "C26", "c26" and "26" all mean 26; "c" means C."""
    code = (code or "").strip().replace(" ", "")
    match = _SECTION_PREFIXED.match(code)
    if match:
        return match.group(1)
    return code.upper() if code.isalpha() else code


@lru_cache(maxsize=16384)
def _code_row(label: str, pk: str) -> Any:
    from django.apps import apps

    return apps.get_model(label).objects.get(pk=pk)


def code_object(model: Any, pk: str) -> Any:
    """A row of a national code table (regions, industries, disciplines), cached per process.

    The tables change only with a new edition of a standard, so imports of thousands of rows need
    not query them once per row. Raises the model's DoesNotExist like ``objects.get``.
    """
    return _code_row(model._meta.label, str(pk))
