"""Chinese keyword search for the catalogues, fast on PostgreSQL and correct everywhere.

Chinese text has no spaces, and users type fragments of compounds (锂电池 for 磷酸铁锂电池正极材料).
Each item keeps a ``search_text`` column: its text as overlapping character bigrams plus lower-cased
Latin words and numbers. On PostgreSQL a GIN index on ``to_tsvector('simple', search_text)`` answers
a query's bigrams as a phrase (锂电 <-> 电池), which is exactly "the characters occur in this order";
single-character queries and other databases fall back to a substring scan (``icontains``).
"""

import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[{_CJK}]+|[A-Za-z0-9]+(?:[.\-][A-Za-z0-9]+)*")
_IS_CJK = re.compile(rf"[{_CJK}]")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
MAX_TERMS = 5


def _units(text: str) -> list[str]:
    """Bigrams for each run of Chinese characters (the character itself for a run of one), words otherwise."""
    units: list[str] = []
    for token in _TOKEN.findall(text or ""):
        if _IS_CJK.match(token):
            units += [token] if len(token) == 1 else [token[i : i + 2] for i in range(len(token) - 1)]
        else:
            units.append(token.lower())
    return units


def search_text(*parts: str | Iterable[str] | None) -> str:
    """The value stored in an item's ``search_text`` column."""
    chunks: list[str] = []
    for part in parts:
        if part is None:
            continue
        if isinstance(part, str):
            chunks.append(part)
        else:
            chunks.extend(str(p) for p in part)
    # A separator keeps bigrams from spanning two fields. The distinct single characters come last,
    # so that a one-character query (钢, 膜, 锂) is an index look-up too, without breaking the
    # adjacency of the bigram phrases.
    text = " | ".join(" ".join(_units(chunk)) for chunk in chunks if chunk)
    singles = sorted({ch for chunk in chunks for run in _CJK_RUN.findall(chunk or "") for ch in run})
    return f"{text} || {' '.join(singles)}" if singles else text


def _tsquery(term: str) -> str | None:
    """The index query for one term: all of its bigrams (or its single character / word)."""
    units = _units(term)
    safe = [u for u in (re.sub(r"[^\w.\-]", "", u) for u in units) if u]
    return " & ".join(safe) or None


def keyword_filter(qs: QuerySet[Any], q: str, fallback_fields: Sequence[str]) -> QuerySet[Any]:
    """Every whitespace-separated term must occur (as a substring) in the item's text.

    On PostgreSQL the GIN index finds the items that contain all of a term's bigrams (an AND query,
    which needs no re-check of positions), and a LIKE on ``search_text`` keeps those where the bigrams
    stand next to each other, i.e. where the term itself occurs.
    """
    # PostgreSQL text cannot hold NUL: such a character would make the LIKE fallback a server error.
    terms = [t for t in q.replace("\x00", "").split() if t][:MAX_TERMS]
    for term in terms:
        tsquery = _tsquery(term) if connection.vendor == "postgresql" else None
        if tsquery:
            qs = qs.annotate(_sv=SearchVector("search_text", config="simple")).filter(
                _sv=SearchQuery(tsquery, search_type="raw", config="simple")
            )
            units = _units(term)
            if len(units) > 1:
                qs = qs.filter(search_text__contains=" ".join(units))
        else:
            condition = Q()
            for field in fallback_fields:
                condition |= Q(**{f"{field}__icontains": term})
            qs = qs.filter(condition)
    return qs


def create_index_sql(table: str) -> str:
    """The GIN index matching the expression Django generates for SearchVector('search_text', config='simple')."""
    return (
        f"CREATE INDEX IF NOT EXISTS {table}_search_gin ON {table} USING GIN "
        f"(to_tsvector('simple'::regconfig, COALESCE(search_text, '')))"
    )


def gin_index_operation(table: str) -> Any:
    """A migration operation creating the search index on PostgreSQL (nothing elsewhere)."""
    from django.db import migrations

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(create_index_sql(table))

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_gin")

    return migrations.RunPython(create, drop)


def listing_order_index_operation(table: str) -> Any:
    """PostgreSQL index matching the catalogue's default order (newest first, drafts last), so a page of a
    100k-row list reads 20 index entries instead of sorting every visible row."""
    from django.db import migrations

    def create(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {table}_newest ON {table} "
                f"(published_at DESC NULLS LAST, id DESC)"
            )

    def drop(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_newest")

    return migrations.RunPython(create, drop)


def recompute_operation(app_label: str, model_name: str, fields: Callable[[Any], list[Any]]) -> Any:
    """Data migration recomputing ``search_text`` after the analysis changed; ``fields`` picks the texts."""
    from django.db import migrations

    def run(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        batch = []
        for item in model.objects.all().iterator(chunk_size=500):
            item.search_text = search_text(*fields(item))
            batch.append(item)
            if len(batch) == 500:
                model.objects.bulk_update(batch, ["search_text"])
                batch = []
        model.objects.bulk_update(batch, ["search_text"])

    return migrations.RunPython(run, migrations.RunPython.noop)
