"""How well a fund fits an achievement or an enterprise seeking finance, with the reasons.

A transparent score over the fund's declared preferences (the investor reads every criterion, met or not):

| criterion | points | met when |
|---|---|---|
| field | 40 | an industry of the item (the achievement's 适用行业 or the enterprise's industry) is one of the fund's, or
  shares its GB/T 4754 division (first two characters after the letter) |
| chain node | 20 | the item's chain node is one the fund follows |
| stage | 20 | the item's stage (an achievement's 实验室 / 小试 / 中试 / 产业化 read as 种子期 / 天使轮 / A 轮 / B 轮)
  is one the fund invests at |
| ticket | 10 | the amount sought (an achievement's asking price) lies within the fund's ticket range |
| region | 10 | the fund has no region restriction, or the item's region lies within one of the fund's |

The total is out of 100; items scoring 0 on both field and chain node are not suggested.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from techmarket.core.money import money
from techmarket.core.text import word_list

from .models import FinanceSeeking, Fund, Stage, stage_labels

ACHIEVEMENT_STAGE = {"lab": Stage.SEED, "bench": Stage.ANGEL, "pilot": Stage.A, "industrial": Stage.B}
WEIGHTS = {"field": 40, "chain": 20, "stage": 20, "ticket": 10, "region": 10}


@dataclass
class Fit:
    score: int = 0
    met: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)

    @property
    def reasons(self) -> list[str]:
        return self.met

    @property
    def relevant(self) -> bool:
        return self.score > 0 and any(m.startswith(("行业", "产业链")) for m in self.met)


@dataclass(frozen=True)
class Prefs:
    """A fund's preferences, loaded once for scoring many items."""

    industries: frozenset[str]
    chain_nodes: frozenset[int]
    stages: frozenset[str]
    ticket_min: Decimal
    ticket_max: Decimal
    regions: tuple[str, ...]  # significant prefixes of GB/T 2260 codes


def _prefix(code: str) -> str:
    """370000 → 37, 371300 → 3713, 371302 → 371302."""
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def prefs(fund: Fund) -> Prefs:
    return Prefs(
        industries=frozenset(fund.industries.values_list("code", flat=True)),
        chain_nodes=frozenset(fund.chain_nodes.values_list("pk", flat=True)),
        stages=frozenset(fund.stages),
        ticket_min=fund.ticket_min,
        ticket_max=fund.ticket_max,
        regions=tuple(_prefix(c) for c in fund.regions.values_list("code", flat=True)),
    )


def _division(code: str) -> str:
    """The GB/T 4754 大类 (two digits) of a code; empty for a bare 门类 letter."""
    digits = code[1:] if code[:1].isalpha() else code
    return digits[:2] if len(digits) >= 2 else ""


def _wan(amount: Decimal) -> str:
    return money(amount, "万元")


@functools.lru_cache(maxsize=4096)
def industry_words(code: str) -> str:
    """A GB/T 4754 code as 名称（代码）, the code alone where the table has no such code (reference data never
    changes while the process runs)."""
    from techmarket.reference.models import Industry

    name = Industry.objects.filter(code=code).values_list("name", flat=True).first()
    return f"{name}（{code}）" if name else code


def score(
    p: Prefs,
    *,
    industries: set[str],
    chain_node: int | None,
    stage: str | None,
    amount: Decimal | None,
    region: str | None,
) -> Fit:
    fit = Fit()

    def named(codes: set[str]) -> str:
        return word_list(industry_words(c) for c in sorted(codes))

    same = industries & p.industries
    divisions = {_division(f) for f in p.industries} - {""}
    near = {c for c in industries if _division(c) in divisions} - same
    if same:
        fit.score += WEIGHTS["field"]
        fit.met.append(_("行业相符：%(c)s") % {"c": named(same)})
    elif near:
        fit.score += WEIGHTS["field"] // 2
        fit.met.append(_("行业相近（同一大类）：%(c)s") % {"c": named(near)})
    else:
        fit.missed.append(_("行业不在基金关注范围内"))
    if chain_node is not None and chain_node in p.chain_nodes:
        fit.score += WEIGHTS["chain"]
        fit.met.append(_("产业链环节是基金关注的环节"))
    elif p.chain_nodes:
        fit.missed.append(_("产业链环节不在基金关注范围内"))
    if stage and stage in p.stages:
        fit.score += WEIGHTS["stage"]
        fit.met.append(_("阶段相符：%(s)s") % {"s": stage_labels([stage])[0]})
    else:
        fit.missed.append(
            _("阶段不符：基金投 %(f)s")
            % {"f": word_list(stage_labels([s for s in Stage.values if s in p.stages])) or _("未填写")}
        )
    if amount is not None and p.ticket_min <= amount <= p.ticket_max:
        fit.score += WEIGHTS["ticket"]
        fit.met.append(
            _("金额 %(a)s在单笔 %(lo)s–%(hi)s 之间")
            % {"a": _wan(amount), "lo": _wan(p.ticket_min), "hi": _wan(p.ticket_max)}
        )
    elif amount is not None:
        fit.missed.append(
            _("金额 %(a)s不在单笔 %(lo)s–%(hi)s 之间")
            % {"a": _wan(amount), "lo": _wan(p.ticket_min), "hi": _wan(p.ticket_max)}
        )
    if not p.regions:
        fit.score += WEIGHTS["region"]
        fit.met.append(_("基金不限投资地域"))
    elif region and any(region.startswith(r) for r in p.regions):
        fit.score += WEIGHTS["region"]
        fit.met.append(_("所在地区在基金投资地域内"))
    else:
        fit.missed.append(_("所在地区不在基金投资地域内"))
    return fit


def achievement_fit(p: Prefs, achievement: Any) -> Fit:
    price = achievement.asking_price_wan
    return score(
        p,
        industries={i.code for i in achievement.industries.all()},
        chain_node=achievement.chain_node_id,
        stage=ACHIEVEMENT_STAGE.get(achievement.stage),
        amount=price * 10000 if price is not None else None,
        region=achievement.region_id,
    )


def seeking_fit(p: Prefs, seeking: FinanceSeeking) -> Fit:
    org = seeking.organization
    return score(
        p,
        industries={org.industry_id} if org.industry_id else set(),
        chain_node=seeking.chain_node_id,
        stage=seeking.stage,
        amount=seeking.amount,
        region=org.region_id,
    )
