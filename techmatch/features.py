"""Structured re-ranking features and their Chinese reasons.

Each feature yields a value in [-1, 1] and, when it fires, a reason string.  The
engine adds ``sum(weight * value)`` (scaled to the fused-score range) to the fused
score of each candidate.  Missing attributes give 0 (no evidence either way).

Industry ↔ discipline affinity: an authored table from every GB/T 4754-2017 大类
(two-digit division, with section letter) to GB/T 13745-2009 first-level disciplines
(techmatch/affinity.py).  It is deliberately coarse; operators may extend it (plain data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .affinity import AFFINITY, DISCIPLINE_NAMES, INDUSTRY_NAMES
from .documents import Document

STAGES = ("实验室", "小试", "中试", "工程化", "产业化")
STAGE_TRL = {"实验室": 3, "小试": 4, "中试": 6, "工程化": 7, "产业化": 8}


def division(code: str) -> str:
    """GB/T 4754 code (e.g. 'C2661' or 'C26') -> division key 'C26'."""
    return code[:3].upper()


@dataclass
class FeatureWeights:
    """Weights in units of one RRF rank-1 contribution (1/61)."""

    field: float = 0.6
    trl: float = 0.6
    mode: float = 0.4
    region: float = 0.2
    freshness: float = 0.2
    freshness_days: int = 5 * 365
    today: dt.date | None = None


@dataclass
class FeatureResult:
    values: dict[str, float] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)

    def total(self, w: FeatureWeights) -> float:
        return float(sum(float(getattr(w, k)) * v for k, v in self.values.items()))


def _field(q: Document, d: Document, out: FeatureResult) -> None:
    qi = {division(c) for c in q.industries}
    di = {division(c) for c in d.industries}
    same = sorted(qi & di)
    if same:
        out.values["field"] = 1.0
        out.reasons.append(f"同属 {same[0]} {INDUSTRY_NAMES.get(same[0], '')}".rstrip())
        return
    qd, dd = set(q.disciplines), set(d.disciplines)
    if qd & dd:
        code = sorted(qd & dd)[0]
        out.values["field"] = 1.0
        out.reasons.append(f"同属学科 {code} {DISCIPLINE_NAMES.get(code, '')}".rstrip())
        return
    for ind in sorted(qi | di):
        other = dd if ind in qi else qd
        hit = sorted(set(AFFINITY.get(ind, ())) & other)
        if hit:
            out.values["field"] = 0.6
            out.reasons.append(
                f"行业 {ind} {INDUSTRY_NAMES.get(ind, '')} 与学科 {hit[0]} "
                f"{DISCIPLINE_NAMES.get(hit[0], '')} 相关"
            )
            return
    if (qi or qd) and (di or dd):
        out.values["field"] = -0.3


def _trl(need: Document, ach: Document, out: FeatureResult) -> None:
    want = need.trl if need.trl is not None else STAGE_TRL.get(need.stage or "")
    if want is None or ach.trl is None:
        return
    stage = f"{need.stage}要求" if need.stage else f"TRL {want} 要求"
    if ach.trl >= want:
        out.values["trl"] = 1.0
        out.reasons.append(f"成熟度 TRL {ach.trl} 满足{stage}")
    else:
        out.values["trl"] = -min(1.0, (want - ach.trl) / 3.0)
        out.reasons.append(f"成熟度 TRL {ach.trl} 低于{stage}（TRL {want}）")


def compute(query: Document, cand: Document, w: FeatureWeights) -> FeatureResult:
    """Features of a candidate for a query (symmetric where the roles are symmetric)."""
    out = FeatureResult()
    _field(query, cand, out)
    if query.kind == "need" and cand.kind != "need":
        _trl(query, cand, out)
    elif cand.kind == "need" and query.kind != "need":
        _trl(cand, query, out)
    common = sorted(set(query.modes) & set(cand.modes))
    if common:
        out.values["mode"] = 1.0
        out.reasons.append("合作方式匹配：" + "、".join(common))
    elif query.modes and cand.modes:
        out.values["mode"] = -0.5
    if query.region and cand.region:
        if query.region[:4] == cand.region[:4]:
            out.values["region"] = 1.0
            out.reasons.append("同一地市")
        elif query.region[:2] == cand.region[:2]:
            out.values["region"] = 0.5
            out.reasons.append("同一省份")
    if cand.updated is not None:
        today = w.today or dt.date.today()
        age = (today - cand.updated).days
        out.values["freshness"] = max(-1.0, 1.0 - 2.0 * age / max(w.freshness_days, 1))
    return out
