"""Turning engine results into what templates and the API show: highlighted snippets, signal shares."""

from __future__ import annotations

import re
from typing import Any

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy

from techmarket.core.text import word_list
from techmatch import Document, Result

from .documents import kind_of, type_of
from .selectors import Suggestion, indexed_document

SIGNAL_LABELS = {
    "word": gettext_lazy("关键词"),
    "bigram": gettext_lazy("字词片段"),
    "dense": gettext_lazy("语义向量"),
    "rerank": gettext_lazy("深度语义复核"),
    "features": gettext_lazy("结构化属性"),
}


# Words that two Chinese technical texts share without sharing a subject: they explain nothing.
FILLER_WORDS = frozenset(
    [
        "明显",
        "保持",
        "提高",
        "提升",
        "进行",
        "具有",
        "实现",
        "能够",
        "可以",
        "相关",
        "问题",
        "需要",
        "要求",
        "以上",
        "以下",
        "目前",
        "采用",
        "达到",
        "通过",
        "一种",
        "方法",
        "技术",
        "企业",
        "公司",
        "项目",
        "研究",
        "开发",
        "应用",
        "产品",
        "生产",
        "效率",
        "成本",
        "方面",
        "主要",
        "进一步",
        "同时",
        "材料",
        "工艺",
        "性能",
        "攻关",
        "指标",
        "试验",
        "实验",
        "验证",
        "完成",
        "形成",
        "方案",
        "中试",
        "产业化",
        "推广",
        "放大",
        "窗口",
        "易于",
        "较现有",
        "满足",
        "解决",
        "存在",
        "不足",
        "现有",
        "国内",
        "国外",
        "行业",
        "领域",
        "水平",
        "稳定",
        "良好",
        "优良",
        "较高",
        "较低",
        "显著",
        "有效",
        "不断",
        "新型",
        "关键",
        "核心",
        "我们",
        "希望",
        "寻求",
        "合作",
        "单位",
        "年度",
        "每年",
        "左右",
        "不低于",
        "不高于",
        "小于",
        "大于",
        "低于",
        "高于",
        "以内",
        "范围",
        "提供",
        "支持",
        "使用",
        "利用",
    ]
)  # noqa: SIM905 - a word list reads better as text
_NUMBERISH = re.compile(r"^[\d.,%％‰±~～:/×x*+\-]+$")
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_SHORT_UNIT = re.compile(r"^[a-z]{0,3}\d+[a-z]{0,3}$|^[a-z]{1,3}$", re.IGNORECASE)
_CODE_BEFORE_NAME = re.compile(r"(?<![\w.])[A-Z]?\d{2,5} (?=[\u4e00-\u9fff])")


def is_telling_term(term: str) -> bool:
    """False for numbers (85, 2.5, 33%), short unit-like tokens (cm3, mm, kv) and filler words."""
    t = term.strip()
    if not t or _NUMBERISH.match(t) or _SHORT_UNIT.match(t) or t in FILLER_WORDS:
        return False
    # "2.5g", "≥85%", "20℃": a measurement, not a subject
    return not (any(ch.isdigit() for ch in t) and not _HAS_CJK.search(t.replace("℃", "")))


def telling_terms(result: Result) -> list[str]:
    return [t for t in result.terms if is_telling_term(t)]


def _splits_a_run(text: str, start: int, end: int) -> bool:
    """A highlight that starts or ends inside a run of digits/letters ("3%" inside "33%") misleads."""
    before = text[start - 1] if start > 0 else ""
    after = text[end] if end < len(text) else ""
    return (before.isalnum() and text[start].isascii() and text[start].isalnum() and before.isascii()) or (
        after.isalnum() and text[end - 1].isascii() and text[end - 1].isalnum() and after.isascii()
    )


def shown_spans(text: str, result: Result, field: str) -> list[tuple[int, int]]:
    """Highlights of telling terms only, never inside a number; touching spans merged (磷酸|铁锂 → 磷酸铁锂)."""
    keep = set(telling_terms(result))
    spans = sorted(
        (h.start, h.end)
        for h in result.highlights
        if h.field == field
        and h.term in keep
        and h.end <= len(text)
        and not _splits_a_run(text, h.start, h.end)
    )
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


# The engine (techmatch, no Django) words its reasons in Chinese; the page translates them here. Its
# vocabulary of cooperation modes and stages (needs/achievements/experts matching.py) and the reason shapes
# of techmatch.features. Industry and discipline names are reference data and stay as they are.
ENGINE_WORDS = {
    "技术开发": pgettext_lazy("matching", "技术开发"),
    "合作开发": pgettext_lazy("matching", "合作开发"),
    "转让": pgettext_lazy("matching", "转让"),
    "许可": pgettext_lazy("matching", "许可"),
    "作价入股": pgettext_lazy("matching", "作价入股"),
    "先使用后付费": pgettext_lazy("matching", "先使用后付费"),
    "人才引进": pgettext_lazy("matching", "人才引进"),
    "共建平台": pgettext_lazy("matching", "共建平台"),
    "技术服务": pgettext_lazy("matching", "技术服务"),
    "实验室": pgettext_lazy("matching", "实验室"),
    "小试": pgettext_lazy("matching", "小试"),
    "中试": pgettext_lazy("matching", "中试"),
    "产业化": pgettext_lazy("matching", "产业化"),
}


def _word(text: str) -> str:
    text = text.strip()
    return str(ENGINE_WORDS.get(text, text))


def _stage(text: str) -> str:
    """The requirement a TRL reason names: a stage word (中试) or "TRL 6"."""
    return text.strip() if text.strip().startswith("TRL") else _word(text)


_REASONS: list[tuple[re.Pattern[str], Any]] = [
    (re.compile(r"^同一地市$"), lambda m: pgettext("matching reason", "同一地市")),
    (re.compile(r"^同一省份$"), lambda m: pgettext("matching reason", "同一省份")),
    (
        re.compile(r"^合作方式匹配：(?P<modes>.+)$"),
        lambda m: (
            _("合作方式匹配：%(modes)s") % {"modes": word_list(_word(w) for w in m["modes"].split("、"))}
        ),
    ),
    (re.compile(r"^同属学科 (?P<name>.+)$"), lambda m: _("同属学科 %(name)s") % {"name": m["name"]}),
    (re.compile(r"^同属 (?P<name>.+)$"), lambda m: _("同属 %(name)s") % {"name": m["name"]}),
    (
        re.compile(r"^行业 (?P<industry>.+?) 与学科 (?P<discipline>.+) 相关$"),
        lambda m: (
            _("行业 %(industry)s 与学科 %(discipline)s 相关")
            % {"industry": m["industry"], "discipline": m["discipline"]}
        ),
    ),
    (
        re.compile(r"^成熟度 TRL (?P<trl>\d+) 满足(?P<stage>.+?)要求$"),
        lambda m: _("成熟度 TRL %(trl)s 满足%(stage)s要求") % {"trl": m["trl"], "stage": _stage(m["stage"])},
    ),
    (
        re.compile(r"^成熟度 TRL (?P<trl>\d+) 低于(?P<stage>.+?)要求（TRL (?P<want>\d+)）$"),
        lambda m: (
            _("成熟度 TRL %(trl)s 低于%(stage)s要求（TRL %(want)s）")
            % {"trl": m["trl"], "stage": _stage(m["stage"]), "want": m["want"]}
        ),
    ),
]


def translated_reason(reason: str) -> str:
    """One engine reason in the page's language (unknown shapes unchanged)."""
    for pattern, words in _REASONS:
        m = pattern.match(reason)
        if m:
            return str(words(m))
    return reason


def plain_reasons(result: Result) -> list[str]:
    """The engine's reasons in words a user reads: shared keywords without numbers and filler words,
    industry and discipline by name (no codes), no signal jargon (语义相似度 0.91, 主要依据)."""
    out: list[str] = []
    for reason in result.reasons:
        if reason.startswith("共同关键词："):
            terms = telling_terms(result)
            if terms:
                out.append(_("共同关键词：%(terms)s") % {"terms": word_list(terms)})
        elif reason.startswith(("主要依据", "语义相似度")):
            continue
        else:
            out.append(translated_reason(_CODE_BEFORE_NAME.sub("", reason)))
    return out


DRIVER_WORDS = {
    "word": gettext_lazy("文字内容相近"),
    "bigram": gettext_lazy("文字内容相近"),
    "dense": gettext_lazy("意思相近"),
    "rerank": gettext_lazy("意思相近"),
    "features": gettext_lazy("行业、成熟度、合作方式等条件相符"),
}


def drivers(result: Result) -> str:
    """What mostly drives the match, in plain words: "主要因为文字内容相近，其次条件相符"."""
    shares: dict[str, float] = {}
    for signal, share in result.contributions.items():
        if share > 0:
            words = str(DRIVER_WORDS.get(signal, ""))
            shares[words] = shares.get(words, 0.0) + share
    ranked = [w for w, v in sorted(shares.items(), key=lambda kv: -kv[1]) if w and v >= 0.15]
    if not ranked:
        return ""
    if len(ranked) > 1:
        return _("主要因为%(first)s，其次%(second)s") % {"first": ranked[0], "second": ranked[1]}
    return _("主要因为%(first)s") % {"first": ranked[0]}


def score_ceiling() -> float:
    """The score (in units of one rank-1 signal) of an item first in every signal with every feature met."""
    from .engine import dense_enabled

    features = (
        2.0  # techmatch.features.FeatureWeights: field .6 + trl .6 + mode .4 + region .2 + freshness .2
    )
    return 2.0 + features + (3.0 if dense_enabled() else 0.0)  # word + bigram (+ dense 1 + full model 2)


def match_level(score: float) -> tuple[int, str]:
    """A bounded 0–100 匹配度 and its word (高 / 较高 / 一般); monotone in the engine's score."""
    percent = max(1, min(100, round(100 * score * 61 / score_ceiling())))
    word = (
        pgettext("match level", "高")
        if percent >= 60
        else pgettext("match level", "较高")
        if percent >= 35
        else pgettext("match level", "一般")
    )
    return percent, word


def marked(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> SafeString:
    """``text[start:end]`` escaped, with the given character spans wrapped in <mark>."""
    end = len(text) if end is None else end
    out: list[str] = []
    pos = start
    for s, e in sorted(spans):
        if e <= start or s >= end or s < pos:
            continue
        out.append(escape(text[pos:s]))
        out.append(f"<mark>{escape(text[s : min(e, end)])}</mark>")
        pos = min(e, end)
    out.append(escape(text[pos:end]))
    return mark_safe("".join(out))  # noqa: S308 - every piece is escaped above


def snippet(doc: Document | None, result: Result, width: int = 140) -> SafeString:
    """The part of the indexed body around the first shared term, terms highlighted."""
    if doc is None:
        return mark_safe("")
    text = doc.body
    spans = shown_spans(text, result, "body")
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
    return marked(doc.title, shown_spans(doc.title, result, "title"))


def display_title(obj: Any) -> str:
    return type_of(obj).title_of(obj)


def contributions(result: Result) -> list[dict[str, Any]]:
    return [
        {"signal": k, "label": str(SIGNAL_LABELS.get(k, k)), "share": v, "percent": round(v * 100)}
        for k, v in sorted(result.contributions.items(), key=lambda kv: -kv[1])
        if v > 0
    ]


def suggestion_view(s: Suggestion) -> dict[str, Any]:
    doc = indexed_document(s.result)
    percent, level = match_level(s.result.score)
    return {
        "obj": s.obj,
        "result": s.result,
        "rank": s.rank,
        "kind": kind_of(s.obj),
        "title": display_title(s.obj),
        "url": type_of(s.obj).detail_url(s.obj),
        "title_html": title_marked(doc, s.result, display_title(s.obj)),
        "snippet": snippet(doc, s.result),
        "contributions": contributions(s.result),
        "reasons": plain_reasons(s.result),
        "drivers": drivers(s.result),
        "percent": percent,
        "level": level,
    }


def suggestion_views(found: Any) -> list[dict[str, Any]]:
    """Rows in the order of the shown 匹配度 (the engine may move a second item of one owner down;
    a list whose numbers go up and down reads as a mistake), numbered again from 1."""
    rows = sorted((suggestion_view(s) for s in found), key=lambda r: (-r["percent"], r["rank"]))
    for i, row in enumerate(rows, 1):
        row["rank"] = i
    return rows


def api_item(s: Suggestion) -> dict[str, Any]:
    r = s.result
    return {
        "id": s.obj.pk,
        "title": display_title(s.obj),
        "score": r.score,
        "similarity": r.similarity,
        "reasons": r.reasons,
        "terms": r.terms,
        "highlights": [
            {"field": h.field, "start": h.start, "end": h.end, "term": h.term} for h in r.highlights
        ],
        "contributions": r.contributions,
    }
