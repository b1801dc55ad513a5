"""Field-by-field differences between two versions of an item, at character level for Chinese text."""

import difflib
import json
from dataclasses import dataclass
from typing import Any


@dataclass
class FieldDiff:
    field: str
    label: str
    segments: list[tuple[str, str]]  # ("equal" | "delete" | "insert", text)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        if value and isinstance(value[0], dict):
            return "\n".join("|".join(str(v) for v in row.values()) for row in value)
        return "、".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def diff_fields(old: dict[str, Any], new: dict[str, Any], labels: dict[str, Any]) -> list[FieldDiff]:
    """Only the fields that changed, in the order of ``labels``."""
    out = []
    for field, label in labels.items():
        a, b = _text(old.get(field)), _text(new.get(field))
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
