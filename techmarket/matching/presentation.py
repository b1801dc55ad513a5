"""Turning engine results into what templates and the API show: highlighted snippets, signal shares."""

from __future__ import annotations

from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from techmatch import Document, Result

from .documents import kind_of, type_of
from .selectors import Suggestion, indexed_document

SIGNAL_LABELS = {"word": "关键词", "bigram": "字词片段", "dense": "语义向量", "rerank": "深度语义复核",
                 "features": "结构化属性"}


def marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> SafeString:
    """``text[start:end]`` escaped, with the given character spans wrapped in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in sorted(spans):
        if e <= start or s >= end or s < pos:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s:min(e, end)])}</mark>")
        pos = min(e, end)
    out.append(escape(text[pos:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(doc: Document | None, result: Result, width: int = 140) -> SafeString:
    """The part of the indexed body around the first shared term, terms highlighted."""
    if doc is None:
        return mark_safe("")
    spans = [(h.start, h.end) for h in result.highlights if h.field == "body"]
    text = doc.body
    if not spans:
        # SafeString + str is a plain str, which templates would escape a second time.
        return mark_safe(marked(text, [], 0, min(len(text), width)) + ("…" if len(text) > width else ""))  # noqa: S308
    first = min(s for s, _e in spans)
    start = max(0, first - width // 3)
    end = min(len(text), start + width)
    body = marked(text, spans, start, end)
    return mark_safe(("…" if start else "") + body + ("…" if end < len(text) else ""))  # noqa: S308


def title_marked(doc: Document | None, result: Result, fallback: str) -> SafeString:
    if doc is None:
        return marked(fallback, [])
    return marked(doc.title, [(h.start, h.end) for h in result.highlights if h.field == "title"])


def display_title(obj: Any) -> str:
    return type_of(obj).title_of(obj)


def contributions(result: Result) -> list[dict[str, Any]]:
    return [{"signal": k, "label": SIGNAL_LABELS.get(k, k), "share": v, "percent": round(v * 100)}
            for k, v in sorted(result.contributions.items(), key=lambda kv: -kv[1]) if v > 0]


def suggestion_view(s: Suggestion) -> dict[str, Any]:
    doc = indexed_document(s.result)
    return {
        "obj": s.obj, "result": s.result, "rank": s.rank, "kind": kind_of(s.obj),
        "title": display_title(s.obj), "url": type_of(s.obj).detail_url(s.obj),
        "title_html": title_marked(doc, s.result, display_title(s.obj)),
        "snippet": snippet(doc, s.result), "contributions": contributions(s.result),
        "score": round(s.result.score * 61, 2),  # in units of one rank-1 signal, easier to read than 0.03
    }


def api_item(s: Suggestion) -> dict[str, Any]:
    r = s.result
    return {
        "id": s.obj.pk, "title": display_title(s.obj),
        "score": r.score, "similarity": r.similarity, "reasons": r.reasons, "terms": r.terms,
        "highlights": [{"field": h.field, "start": h.start, "end": h.end, "term": h.term} for h in r.highlights],
        "contributions": r.contributions,
    }
