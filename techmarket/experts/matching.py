"""How experts take part in matching: the indexed document (active profiles, public fields only)."""

import re
from typing import Any

from django.db.models import QuerySet

from techmarket.matching.documents import disciplines, doc_id, industry_code, modes
from techmatch import Document

from .models import Expert

EXPERT_MODES = {
    "challenge": ["技术开发"],
    "consulting": ["技术服务"],
    "part_time": ["人才引进"],
    "enclave": ["人才引进"],
    "review": [],
}
_FIELD_SPLIT = re.compile(r"[、，,;；/\n]+")


def expert_document(expert: Expert) -> Document:
    return Document(
        id=doc_id(expert),
        kind="expert",
        title=expert.name,
        keywords=[t.strip() for t in _FIELD_SPLIT.split(expert.research_fields or "") if t.strip()],
        body=expert.bio or "",
        industries=[industry_code(i) for i in expert.industries.all()],
        disciplines=disciplines([d.code for d in expert.disciplines.all()]),
        region=getattr(expert.affiliation, "region_id", None),
        modes=modes(expert.availability, EXPERT_MODES),
        updated=expert.updated_at.date() if expert.updated_at else None,
        owner=f"org:{expert.affiliation_id}",
    )


def indexable_experts() -> QuerySet[Expert]:
    return (
        Expert.objects.unscoped()
        .filter(is_active=True)
        .select_related("affiliation")
        .prefetch_related("industries", "disciplines")
    )


def is_active(expert: Any) -> bool:
    return bool(expert.is_active)


def active_only(qs: QuerySet[Expert]) -> QuerySet[Expert]:
    return qs.filter(is_active=True)
