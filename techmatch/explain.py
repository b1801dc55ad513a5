"""Explanations in Chinese: shared key terms with highlighted spans, reasons, signal shares."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .analysis import find_spans, normalize
from .documents import Document

SIGNAL_NAMES = {
    "word": "关键词匹配",
    "bigram": "字词片段匹配",
    "dense": "语义相似",
    "rerank": "深度语义复核",
    "features": "结构化属性",
}


@dataclass(frozen=True)
class Highlight:
    field: str  # "title" | "body" | "keywords"
    start: int
    end: int
    term: str


@dataclass
class Explanation:
    terms: list[str] = field(default_factory=list)
    highlights: list[Highlight] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)
    contributions: dict[str, float] = field(default_factory=dict)


def shared_terms(query_idf: Mapping[str, float], doc: Document, limit: int = 8) -> list[str]:
    """Query terms (by descending IDF) that occur in the document text.

    Matching is by substring on normalised text, so a query term 锂电池 is shared with a
    document saying 磷酸铁锂电池 even though the segmenter split it differently.
    Terms contained in an already chosen longer term are skipped.
    """
    text = normalize(doc.text())
    cands = sorted(
        ((t, w) for t, w in query_idf.items() if len(t) >= 2 and t in text), key=lambda x: (-x[1], x[0])
    )
    out: list[str] = []
    for t, _ in cands:
        if any(t in o for o in out):
            continue
        out.append(t)
        if len(out) >= limit:
            break
    return out


def highlights(doc: Document, terms: list[str]) -> list[Highlight]:
    out: list[Highlight] = []
    for name, text in (("title", doc.title), ("keywords", "；".join(doc.keywords)), ("body", doc.body)):
        out.extend(Highlight(name, s, e, t) for s, e, t in find_spans(text, terms))
    return out


def explain(
    query_idf: Mapping[str, float],
    doc: Document,
    parts: Mapping[str, float],
    feature_reasons: list[str],
    similarity: float | None,
) -> Explanation:
    terms = shared_terms(query_idf, doc)
    total = sum(v for v in parts.values() if v > 0) or 1.0
    contrib = {k: round(v / total, 4) for k, v in sorted(parts.items()) if v != 0}
    reasons: list[str] = []
    if terms:
        reasons.append("共同关键词：" + "、".join(terms))
    if similarity is not None:
        reasons.append(f"语义相似度 {similarity:.2f}")
    reasons.extend(feature_reasons)
    if contrib:
        main = max(contrib, key=lambda k: contrib[k])
        reasons.append(f"主要依据：{SIGNAL_NAMES.get(main, main)}（{contrib[main]:.0%}）")
    return Explanation(terms, highlights(doc, terms), reasons, contrib)
