"""Field-by-field differences between two versions of an item, at character level for Chinese text."""

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from techmarket.core.text import word_list

_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class FieldDiff:
    field: str
    label: str
    segments: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def _number(value: Any) -> str:
    """100, 100.0 and "100.00" are one amount: shown as 100 (and never reported as a change)."""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    text = format(d.normalize(), "f")
    return text


def _text(value: Any, choices: Mapping[str, Any] | None = None) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            # technical parameters: "耐磨性：≥ 500 小时" rather than "耐磨性|500|小时"
            return "\n".join(
                f"{row.get('indicator', '')}：{row.get('target', '')} {row.get('unit', '')}".strip()
                if "indicator" in row
                else "|".join(str(v) for v in row.values())
                for row in value
            )
        return word_list(str((choices or {}).get(v, v)) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if (
        isinstance(value, (int, float, Decimal))
        and not isinstance(value, bool)
        or (isinstance(value, str) and _NUMBER.match(value))
    ):
        return _number(value)
    if choices and str(value) in choices:
        return str(choices[str(value)])
    return str(value)


def diff_fields(
    old: dict[str, Any],
    new: dict[str, Any],
    labels: dict[str, Any],
    choices: Mapping[str, Mapping[str, Any]] | None = None,
) -> list[FieldDiff]:
    """Only the fields that changed, in the order of ``labels``; coded values shown by their labels
    (``choices``: field -> {code: label})."""
    out = []
    for field, label in labels.items():
        names = (choices or {}).get(field)
        a, b = _text(old.get(field), names), _text(new.get(field), names)
        if a == b:
            continue
        segments: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                segments.append(("equal", a[i1:i2]))
            else:
                if i2 > i1:
                    segments.append(("delete", a[i1:i2]))
                if j2 > j1:
                    segments.append(("insert", b[j1:j2]))
        out.append(FieldDiff(field, str(label), segments))
    return out
