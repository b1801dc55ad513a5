"""Adapters from catalogue models to techmatch.Document, through the catalogue registry.

Each catalogue type declares its matching kind and document adapter (catalog.registry.MatchingSpec);
the adapters live in the type's own app (e.g. ``needs/matching.py``) and use the helpers here. Only
what anybody who may see the listed item may read goes into a document: a need's confidential detail
(and its background, contact person and phone) never does. Labels passed to the engine are fixed
Chinese vocabulary, independent of the request language, because the engine's reasons are Chinese.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from django.db.models import Model, QuerySet

from techmarket.catalog import registry
from techmarket.catalog.registry import CatalogueType
from techmatch import Document

# Filters offered in the UI and the API: ?mode=license -> documents offering 许可.
MODE_FILTERS = {
    "license": "许可",
    "transfer": "转让",
    "equity": "作价入股",
    "development": "技术开发",
    "talent": "人才引进",
}


def type_of(item: Model) -> CatalogueType:
    ctype = registry.for_model(item)
    if ctype is None or ctype.matching is None:
        raise TypeError(f"not a matchable model: {type(item).__name__}")
    return ctype


def kind_of(item: Model) -> str:
    return type_of(item).matching.kind  # type: ignore[union-attr]


def kinds() -> list[str]:
    return [t.matching.kind for t in registry.matchable()]  # type: ignore[union-attr]


def type_for_kind(kind: str) -> CatalogueType:
    ctype = registry.for_kind(kind)
    if ctype is None:
        raise KeyError(kind)
    return ctype


def doc_id(item: Model) -> str:
    return f"{kind_of(item)}:{item.pk}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    kind, _sep, pk = value.partition(":")
    return (kind, int(pk)) if registry.for_kind(kind) is not None and pk.isdigit() else None


def modes(values: Iterable[str], table: dict[str, list[str]]) -> list[str]:
    out: list[str] = []
    for v in values or []:
        for label in table.get(v, []):
            if label not in out:
                out.append(label)
    return out


def industry_code(industry: Any) -> str:
    """GB/T 4754 as the engine wants it: section letter + digits (Industry 26 in section C -> "C26")."""
    code = str(industry.code)
    return code.upper() if code.isalpha() else f"{industry.section}{code}"


def disciplines(codes: Iterable[str]) -> list[str]:
    # The engine's industry↔discipline affinity table is keyed by the 3-digit first level.
    out: list[str] = []
    for code in codes:
        for c in (code, code[:3]):
            if c and c not in out:
                out.append(c)
    return out


def join_text(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def to_document(item: Model) -> Document:
    return type_of(item).matching.document(item)  # type: ignore[union-attr]


def indexable_queryset(kind: str) -> QuerySet[Any]:
    """Items the index holds for ``kind`` (any visibility level: visibility is applied per user when
    results are read)."""
    return type_for_kind(kind).matching.indexable()  # type: ignore[union-attr]


def is_indexable(item: Model) -> bool:
    return bool(type_of(item).matching.is_indexable(item))  # type: ignore[union-attr]


def iter_indexable(batch: int = 500) -> Iterator[tuple[Model, Document]]:
    for kind in kinds():
        for item in indexable_queryset(kind).order_by("pk").iterator(chunk_size=batch):
            yield item, to_document(item)
