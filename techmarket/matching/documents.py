"""Adapters from catalogue models to techmatch.Document.

Only what anybody who may see the listed item may read goes into a document: a need's confidential
detail (and its background, contact person and phone) never does. Labels passed to the engine are fixed
Chinese vocabulary, independent of the request language, because the engine's reasons are Chinese.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import LISTED_STATUSES
from techmarket.experts.models import Expert
from techmarket.needs.models import Need
from techmatch import Document

# Transfer / cooperation modes in the engine's vocabulary. 合作方式匹配 fires on a shared label, so a
# need asking for 委托开发 and an achievement offered for 合作开发 meet on 技术开发.
NEED_MODES = {"commissioned": ["技术开发"], "joint": ["技术开发", "合作开发"], "transfer": ["转让"],
              "license": ["许可"], "talent": ["人才引进"], "platform": ["共建平台"]}
ACHIEVEMENT_MODES = {"transfer": ["转让"], "exclusive_license": ["许可"], "sole_license": ["许可"],
                     "ordinary_license": ["许可"], "equity": ["作价入股"],
                     "joint_development": ["技术开发", "合作开发"], "pay_after_use": ["许可", "先使用后付费"]}
EXPERT_MODES = {"challenge": ["技术开发"], "consulting": ["技术服务"], "part_time": ["人才引进"],
                "enclave": ["人才引进"], "review": []}
STAGE_LABELS = {"lab": "实验室", "bench": "小试", "pilot": "中试", "industrial": "产业化"}
# Filters offered in the UI and the API: ?mode=license -> documents offering 许可.
MODE_FILTERS = {"license": "许可", "transfer": "转让", "equity": "作价入股", "development": "技术开发",
                "talent": "人才引进"}


@dataclass(frozen=True)
class Kind:
    """One indexed model: its engine kind, model and label (as used by catalog.events)."""

    name: str
    model: type[Model]
    label: str


KINDS = {
    "need": Kind("need", Need, "needs.need"),
    "achievement": Kind("achievement", Achievement, "achievements.achievement"),
    "expert": Kind("expert", Expert, "experts.expert"),
}
BY_LABEL = {k.label: k for k in KINDS.values()}
BY_MODEL = {k.model: k for k in KINDS.values()}


def doc_id(item: Model) -> str:
    return f"{BY_MODEL[type(item)].name}:{item.pk}"


def parse_doc_id(value: str) -> tuple[str, int] | None:
    kind, _sep, pk = value.partition(":")
    return (kind, int(pk)) if kind in KINDS and pk.isdigit() else None


def _modes(values: Iterable[str], table: dict[str, list[str]]) -> list[str]:
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


def _disciplines(codes: Iterable[str]) -> list[str]:
    # The engine's industry↔discipline affinity table is keyed by the 3-digit first level.
    out: list[str] = []
    for code in codes:
        for c in (code, code[:3]):
            if c and c not in out:
                out.append(c)
    return out


def _join(*parts: str) -> str:
    return "\n".join(p.strip() for p in parts if p and p.strip())


def need_document(need: Need) -> Document:
    """Public part only: summary, problem, expected outcome and the indicator table."""
    params = "；".join(" ".join(str(p.get(k, "") or "") for k in ("indicator", "target", "unit")).strip()
                      for p in need.parameters or [] if isinstance(p, dict))
    return Document(
        id=doc_id(need), kind="need", title=need.title,
        body=_join(need.summary, need.problem, need.expected_outcome, params),
        industries=[industry_code(need.industry)] if need.industry_id else [],
        region=need.region_id or getattr(need.owner, "region_id", None),
        trl=None, modes=_modes(need.cooperation_modes, NEED_MODES),
        updated=need.updated_at.date() if need.updated_at else None, owner=f"org:{need.owner_id}",
    )


def achievement_document(achievement: Achievement) -> Document:
    return Document(
        id=doc_id(achievement), kind="achievement", title=achievement.title,
        body=_join(achievement.summary, achievement.advantages),
        keywords=[str(k) for k in achievement.keywords or [] if str(k).strip()],
        industries=[industry_code(i) for i in achievement.industries.all()],
        disciplines=_disciplines([achievement.discipline_id] if achievement.discipline_id else []),
        region=achievement.region_id or getattr(achievement.owner, "region_id", None),
        trl=achievement.trl, stage=STAGE_LABELS.get(achievement.stage),
        modes=_modes(achievement.transfer_modes, ACHIEVEMENT_MODES),
        updated=achievement.updated_at.date() if achievement.updated_at else None,
        owner=f"org:{achievement.owner_id}",
    )


_FIELD_SPLIT = re.compile(r"[、，,;；/\n]+")


def expert_document(expert: Expert) -> Document:
    return Document(
        id=doc_id(expert), kind="expert", title=expert.name,
        keywords=[t.strip() for t in _FIELD_SPLIT.split(expert.research_fields or "") if t.strip()],
        body=expert.bio or "",
        industries=[industry_code(i) for i in expert.industries.all()],
        disciplines=_disciplines([d.code for d in expert.disciplines.all()]),
        region=getattr(expert.affiliation, "region_id", None),
        modes=_modes(expert.availability, EXPERT_MODES),
        updated=expert.updated_at.date() if expert.updated_at else None, owner=f"org:{expert.affiliation_id}",
    )


def to_document(item: Model) -> Document:
    if isinstance(item, Need):
        return need_document(item)
    if isinstance(item, Achievement):
        return achievement_document(item)
    if isinstance(item, Expert):
        return expert_document(item)
    raise TypeError(f"not a matchable model: {type(item).__name__}")


def indexable_queryset(kind: str) -> QuerySet[Any]:
    """Items the index holds: listed needs and achievements, active experts (any visibility level —
    visibility is applied per user when results are read)."""
    if kind == "need":
        return Need.objects.filter(status__in=LISTED_STATUSES).select_related("owner", "industry")
    if kind == "achievement":
        return Achievement.objects.filter(status__in=LISTED_STATUSES).select_related("owner").prefetch_related(
            "industries")
    return Expert.objects.filter(is_active=True).select_related("affiliation").prefetch_related(
        "industries", "disciplines")


def is_indexable(item: Model) -> bool:
    if isinstance(item, Expert):
        return bool(item.is_active)
    return getattr(item, "status", None) in LISTED_STATUSES


def iter_indexable(batch: int = 500) -> Iterator[tuple[Model, Document]]:
    for kind in KINDS:
        for item in indexable_queryset(kind).order_by("pk").iterator(chunk_size=batch):
            yield item, to_document(item)
