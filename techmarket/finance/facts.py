"""Innovation points as facts of the policy registry, so an eligibility rule can ask "创新积分 ≥ 60" or
"创新积分等级 属于 A、B" (found by ``autodiscover_modules("facts")`` in PoliciesConfig.ready).

The value is the enterprise's current points (``points.current_points``: the latest recompute, or a fresh
computation when none was kept yet); every recompute that changes the points re-evaluates the enterprise's
policies (``services.points_recompute``).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from techmarket.orgs.models import Organization
from techmarket.policies.facts import CHOICE, NUMBER, register_fact

from . import points
from .models import Grade

SOURCE = _("创新积分（平台数据与经核验的申报，最近一次计算）")


def _is_enterprise(org: Any) -> bool:
    return getattr(org, "kind", None) == Organization.Kind.ENTERPRISE


def innovation_points(org: Any, today: datetime.date) -> Any:
    return points.current_points(org) if _is_enterprise(org) else None


def innovation_grade(org: Any, today: datetime.date) -> Any:
    return points.current_grade(org) if _is_enterprise(org) else None


def _grade_choices() -> list[tuple[str, str]]:
    return [(v, str(label)) for v, label in Grade.choices]


register_fact(
    "innovation_points", _("创新积分"), NUMBER, innovation_points, pgettext_lazy("unit", "分"), source=SOURCE
)
register_fact(
    "innovation_grade",
    _("创新积分等级"),
    CHOICE,
    innovation_grade,
    source=SOURCE,
    help=_("A ≥ 80 分，B ≥ 60 分，C ≥ 40 分，其余为 D"),
    choices=_grade_choices,
)
