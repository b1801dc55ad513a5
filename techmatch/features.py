"""Structured re-ranking features and their Chinese reasons.

Each feature yields a value in [-1, 1] and, when it fires, a reason string.  The
engine adds ``sum(weight * value)`` (scaled to the fused-score range) to the fused
score of each candidate.  Missing attributes give 0 (no evidence either way).

Industry ↔ discipline affinity: a small authored table from GB/T 4754-2017 大类
(two-digit division, with section letter) to GB/T 13745-2009 first-level disciplines.
It is deliberately coarse; operators may extend it (``AFFINITY`` is plain data).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .documents import Document

INDUSTRY_NAMES: dict[str, str] = {
    "A01": "农业", "A02": "林业", "A03": "畜牧业", "A04": "渔业", "B06": "煤炭开采和洗选业",
    "B07": "石油和天然气开采业", "B08": "黑色金属矿采选业", "B09": "有色金属矿采选业", "C13": "农副食品加工业",
    "C14": "食品制造业", "C15": "酒、饮料和精制茶制造业", "C17": "纺织业", "C22": "造纸和纸制品业",
    "C25": "石油、煤炭及其他燃料加工业", "C26": "化学原料和化学制品制造业", "C27": "医药制造业",
    "C28": "化学纤维制造业", "C29": "橡胶和塑料制品业", "C30": "非金属矿物制品业",
    "C31": "黑色金属冶炼和压延加工业", "C32": "有色金属冶炼和压延加工业", "C33": "金属制品业",
    "C34": "通用设备制造业", "C35": "专用设备制造业", "C36": "汽车制造业",
    "C37": "铁路、船舶、航空航天和其他运输设备制造业", "C38": "电气机械和器材制造业",
    "C39": "计算机、通信和其他电子设备制造业", "C40": "仪器仪表制造业", "C42": "废弃资源综合利用业",
    "D44": "电力、热力生产和供应业", "D45": "燃气生产和供应业", "D46": "水的生产和供应业", "E48": "土木工程建筑业",
    "I63": "电信、广播电视和卫星传输服务", "I64": "互联网和相关服务", "I65": "软件和信息技术服务业",
    "N77": "生态保护和环境治理业", "Q84": "卫生",
}

DISCIPLINE_NAMES: dict[str, str] = {
    "150": "化学", "170": "地球科学", "180": "生物学", "210": "农学", "220": "林学", "230": "畜牧、兽医科学",
    "240": "水产学", "310": "基础医学", "320": "临床医学", "350": "药学", "360": "中医学与中药学",
    "430": "材料科学", "440": "矿山工程技术", "450": "冶金工程技术", "460": "机械工程", "470": "动力与电气工程",
    "480": "能源科学技术", "510": "电子与通信技术", "520": "计算机科学技术", "530": "化学工程",
    "540": "纺织科学技术", "550": "食品科学技术", "560": "土木建筑工程", "570": "水利工程", "580": "交通运输工程",
    "590": "航空、航天科学技术", "610": "环境科学技术及资源科学技术", "620": "安全科学技术",
}

AFFINITY: dict[str, tuple[str, ...]] = {
    "A01": ("210", "180"), "A02": ("220", "180"), "A03": ("230", "180"), "A04": ("240", "180"),
    "B06": ("440", "480"), "B07": ("440", "480", "170"), "B08": ("440", "450"), "B09": ("440", "450"),
    "C13": ("550", "210"), "C14": ("550", "180"), "C15": ("550", "180"), "C17": ("540", "430"),
    "C22": ("530", "430"), "C25": ("530", "480"), "C26": ("530", "150", "430"), "C27": ("350", "360", "180"),
    "C28": ("540", "430", "530"), "C29": ("430", "530"), "C30": ("430", "560"), "C31": ("450", "430"),
    "C32": ("450", "430"), "C33": ("460", "430"), "C34": ("460", "470"), "C35": ("460", "470"),
    "C36": ("460", "580", "470"), "C37": ("580", "590", "460"), "C38": ("470", "510", "480"),
    "C39": ("510", "520"), "C40": ("460", "510"), "C42": ("610", "530"), "D44": ("470", "480"),
    "D45": ("480", "530"), "D46": ("570", "610"), "E48": ("560", "570"), "I63": ("510",), "I64": ("520", "510"),
    "I65": ("520",), "N77": ("610",), "Q84": ("320", "310"),
}

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
            out.reasons.append(f"行业 {ind} {INDUSTRY_NAMES.get(ind, '')} 与学科 {hit[0]} "
                               f"{DISCIPLINE_NAMES.get(hit[0], '')} 相关")
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
