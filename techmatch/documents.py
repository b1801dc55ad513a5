"""Documents matched by the engine: needs, achievements, experts (and anything else)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("need", "achievement", "expert")

# Matching directions: query kind -> candidate kinds.
DIRECTIONS: dict[str, tuple[str, ...]] = {
    "need->achievements": ("achievement",),
    "need->experts": ("expert",),
    "achievement->needs": ("need",),
    "similar": (),  # same kind as the query
    "any": (),
}


@dataclass
class Document:
    """A matchable item.

    Text: ``title``, ``body`` and ``keywords``.  Structured attributes use national codes:
    ``industries`` GB/T 4754-2017 (section letter + 2-4 digits, e.g. "C26" or "C2661"),
    ``disciplines`` GB/T 13745 (3-digit first level, e.g. "530"), ``region`` GB/T 2260
    (6 digits).  ``trl`` is 1..9: for an achievement its maturity, for a need the
    minimum it asks for.  ``stage`` is free vocabulary (e.g. 实验室, 小试, 中试, 产业化).
    ``modes`` are transfer/cooperation modes (转让, 许可, 作价投资, 技术开发, 技术服务 …).
    """

    id: str
    kind: str = "achievement"
    title: str = ""
    body: str = ""
    keywords: list[str] = field(default_factory=list)
    industries: list[str] = field(default_factory=list)
    disciplines: list[str] = field(default_factory=list)
    region: str | None = None
    trl: int | None = None
    stage: str | None = None
    modes: list[str] = field(default_factory=list)
    updated: dt.date | None = None
    owner: str | None = None

    def text(self) -> str:
        """Indexed text: title, keywords, body."""
        return "\n".join(p for p in (self.title, " ".join(self.keywords), self.body) if p)

    def short_text(self, chars: int = 256) -> str:
        """Title and the first part of the body (for the full-model re-scoring)."""
        return (self.title + "\n" + self.body)[:chars] if self.title else self.body[:chars]

    def to_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["updated"] = self.updated.isoformat() if self.updated else None
        return d

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Document:
        d = dict(d)
        if d.get("updated"):
            d["updated"] = dt.date.fromisoformat(d["updated"])
        return cls(**{k: v for k, v in d.items() if k in cls.__dataclass_fields__})
