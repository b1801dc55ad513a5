"""Reads on matching: suggestions for one item, always intersected with what the user may see.

The engine knows nothing about users. It returns document ids; every id goes through the catalogue's
visibility selector (and must still be listed) before it is shown, counted or used in a notification.
We ask the engine for CANDIDATE_FACTOR × k candidates so that dropping invisible ones still leaves k.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, QuerySet

from techmarket.catalog import registry
from techmatch import Document, Filters, Result
from techmatch.documents import DIRECTIONS

from .documents import MODE_FILTERS, parse_doc_id, to_document, type_for_kind
from .engine import get_engine, reading

CANDIDATE_FACTOR = 5


@dataclass
class Suggestion:
    obj: Model
    result: Result
    rank: int


@dataclass
class Suggestions:
    """Ranked, visible suggestions. ``nothing_good``: the engine found candidates, none relevant enough
    (the UI says 暂无足够相关的推荐 instead of listing unrelated items)."""

    items: list[Suggestion] = field(default_factory=list)
    nothing_good: bool = False

    def __iter__(self) -> Any:
        return iter(self.items)

    def __len__(self) -> int:
        return len(self.items)


def visible_queryset(user: Any, kind: str) -> QuerySet[Any]:
    """Listed items of ``kind`` the user may see (the catalogue selectors decide)."""
    ctype = type_for_kind(kind)
    return ctype.matching.listed(ctype.list_visible(user))  # type: ignore[union-attr]


def target_kind(target: str) -> str:
    """The matching kind of a catalogue key: "achievements" -> "achievement"."""
    ctype = registry.find(target)
    if ctype is None or ctype.matching is None:
        raise KeyError(target)
    return ctype.matching.kind


def direction(query_kind: str, kind: str) -> str | None:
    """The engine's direction name ("need->achievements") when it defines one for this pair."""
    name = f"{query_kind}->{type_for_kind(kind).key}"
    return name if name in DIRECTIONS else None


def build_filters(
    kind: str,
    *,
    min_trl: int | None = None,
    region: str = "",
    modes: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> Filters:
    labels = tuple(MODE_FILTERS.get(m, m) for m in modes if m)
    return Filters(
        kinds=(kind,),
        min_trl=min_trl,
        region_prefix=region.strip() or None,
        modes=labels,
        exclude_ids=exclude,
    )


def engine_search(query: Document, kind: str, *, k: int, filters: Filters) -> tuple[list[Result], bool]:
    """Relevant results of the engine (no visibility yet) and whether the cutoff removed everything."""
    with reading() as engine:  # the engine's cutoff decides relevance (model similarity or shared words)
        results = engine.search(query, k=k, filters=filters, direction=direction(query.kind, kind))
    return list(results), bool(results.nothing_good)


def visible_objects(user: Any, kind: str, results: list[Result]) -> dict[int, Model]:
    pks = [p[1] for r in results if (p := parse_doc_id(r.id)) is not None and p[0] == kind]
    return visible_queryset(user, kind).in_bulk(pks) if pks else {}


def suggestions_for(
    user: Any,
    item: Model,
    *,
    target: str,
    k: int = 10,
    min_trl: int | None = None,
    region: str = "",
    modes: tuple[str, ...] = (),
) -> Suggestions:
    """Up to ``k`` items of ``target`` ("achievements" | "needs" | "experts") matching ``item``, visible
    to ``user``, best first, with the engine's explanation in ``result``."""
    kind = target_kind(target)
    query = to_document(item)
    filters = build_filters(kind, min_trl=min_trl, region=region, modes=modes)
    results, _nothing_good = engine_search(query, kind, k=k * CANDIDATE_FACTOR, filters=filters)
    objects = visible_objects(user, kind, results)
    out = Suggestions()
    for r in results:
        parsed = parse_doc_id(r.id)
        obj = objects.get(parsed[1]) if parsed else None
        if obj is None:
            continue
        out.items.append(Suggestion(obj, r, len(out.items) + 1))
        if len(out.items) >= k:
            break
    # Also when every relevant candidate was invisible: the user learns nothing about hidden items.
    out.nothing_good = not out.items
    return out


def indexed_document(result: Result) -> Document | None:
    """The document as indexed (public text only): highlight offsets refer to its fields."""
    return get_engine().docs.get(result.id)


def duplicates_of(user: Any, item: Any, *, min_jaccard: float = 0.6) -> list[Any]:
    """Listed items of the same type the user may see that are near-copies of ``item`` (saved or not),
    closest first. Uses the engine's duplicate direction (character-bigram Jaccard among same-kind
    documents), so a second identical need is noticed when its owner submits it."""
    from .documents import kind_of, to_document

    kind = kind_of(item)
    with reading() as engine:
        pairs = engine.duplicates(to_document(item), min_jaccard=min_jaccard)
    ids = [
        p[1]
        for doc, _jac in pairs
        if (p := parse_doc_id(doc)) is not None and p[0] == kind and p[1] != item.pk
    ]
    found = visible_queryset(user, kind).in_bulk(ids) if ids else {}
    return [found[i] for i in ids if i in found]
