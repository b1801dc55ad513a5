"""The fact registry: what an eligibility rule may ask about an enterprise.

A fact has a key, a label, a kind (number, choice, region, industry, qualification, date …), a getter
``(organization, today) -> value`` (None when the platform does not know it) and a unit. Operators combine
facts with operators in a form (``rules.OPERATORS``); nobody writes code for a new policy. Other apps add
facts from their own ``<app>/facts.py`` (found by ``autodiscover_modules("facts")`` in PoliciesConfig.ready),
e.g. the finance app's innovation points::

    from techmarket.policies.facts import NUMBER, register_fact
    register_fact("innovation_points", "创新积分", NUMBER, lambda org, today: points_of(org), unit="分")
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

NUMBER, CHOICE, REGION, INDUSTRY, QUALIFICATION = "number", "choice", "region", "industry", "qualification"
KINDS = (NUMBER, CHOICE, REGION, INDUSTRY, QUALIFICATION)


@dataclass(frozen=True)
class Fact:
    key: str
    label: str | Promise
    kind: str
    getter: Callable[[Any, datetime.date], Any]
    unit: str | Promise = ""  # appended to the number as is: the English translation starts with a space
    help: str | Promise = ""
    source: str | Promise = ""  # where the value comes from, shown to operators and enterprises
    choices: Callable[[], list[tuple[str, str]]] | None = None  # CHOICE / QUALIFICATION values

    def value(self, organization: Any, today: datetime.date) -> Any:
        return self.getter(organization, today)


_FACTS: dict[str, Fact] = {}


def register_fact(
    key: str,
    label: str | Promise,
    kind: str,
    getter: Callable[[Any, datetime.date], Any],
    unit: str | Promise = "",
    *,
    help: str | Promise = "",
    source: str | Promise = "",
    choices: Callable[[], list[tuple[str, str]]] | None = None,
) -> Fact:
    if kind not in KINDS:
        raise ValueError(f"unknown fact kind {kind!r}")
    fact = Fact(key, label, kind, getter, unit, help, source, choices)
    _FACTS[key] = fact
    return fact


def get_fact(key: str) -> Fact | None:
    return _FACTS.get(key)


def all_facts() -> list[Fact]:
    return list(_FACTS.values())


def unregister_fact(key: str) -> None:
    """For tests that plug in a temporary fact."""
    _FACTS.pop(key, None)


# ---- the enterprise profile's facts --------------------------------------------------------------------


def _profile(org: Any) -> Any:
    from techmarket.orgs.models import EnterpriseProfile

    cache = getattr(org, "_policy_profile", False)
    if cache is False:
        cache = EnterpriseProfile.objects.filter(organization_id=org.pk).first()
        org._policy_profile = cache
    return cache


def _region(org: Any, today: datetime.date) -> Any:
    return org.region_id or None


def _industry(org: Any, today: datetime.date) -> Any:
    return org.industry_id or None


def _staff(org: Any, today: datetime.date) -> Any:
    p = _profile(org)
    return p.total_staff if p else None


def _rd_staff(org: Any, today: datetime.date) -> Any:
    p = _profile(org)
    return p.rd_staff_count if p else None


def _rd_ratio(org: Any, today: datetime.date) -> Any:
    p = _profile(org)
    return p.rd_spending_ratio if p else None


def _revenue(org: Any, today: datetime.date) -> Any:
    p = _profile(org)
    return (p.annual_revenue_range or None) if p else None


def age_years(founded: datetime.date, today: datetime.date) -> int:
    """Full years since founding (a firm founded 2021-06-01 is 4 on 2026-05-31 and 5 on 2026-06-01)."""
    return today.year - founded.year - ((today.month, today.day) < (founded.month, founded.day))


def _age(org: Any, today: datetime.date) -> Any:
    p = _profile(org)
    if p is None or p.founded_on is None:
        return None
    return age_years(p.founded_on, today)


def _qualifications(org: Any, today: datetime.date) -> dict[str, datetime.date | None]:
    """Qualification name -> valid until (None: no end date). Every certificate held is listed, even expired
    ones, so a reason can say "已过期"; the operator decides on validity."""
    return {c.tag.name: c.valid_until for c in org.certifications.select_related("tag")}


def _patents(org: Any, today: datetime.date) -> int:
    """Granted patents (invention, utility model, design) behind the enterprise's own achievements on the
    platform — counted, not declared, so it is evidence the bureau can open."""
    from techmarket.achievements.models import PATENT_TYPES, AchievementIP, LegalStatus

    return (
        AchievementIP.objects.filter(
            achievement__owner_id=org.pk, ip_type__in=PATENT_TYPES, legal_status=LegalStatus.GRANTED
        )
        .values("number")
        .distinct()
        .count()
    )


def _contracts(org: Any, today: datetime.date) -> int:
    """Registered technology contracts on the platform with the enterprise as a party (or the filer)."""
    from django.db.models import Q

    from techmarket.contracts.models import TechContract

    return (
        TechContract.objects.unscoped()  # the platform evaluates, not the user: a count, no contract shown
        .filter(status=TechContract.Status.REGISTERED)
        .filter(Q(owner_id=org.pk) | Q(parties__organization_id=org.pk))
        .distinct()
        .count()
    )


def _revenue_choices() -> list[tuple[str, str]]:
    from techmarket.orgs.models import RevenueRange

    return [(v, str(label)) for v, label in RevenueRange.choices]


def _tag_choices() -> list[tuple[str, str]]:
    from techmarket.orgs.models import OrganizationTag

    return [(t.name, t.name) for t in OrganizationTag.objects.all()]


def register_core_facts() -> None:
    profile = _("企业画像")
    registration = _("机构注册信息")
    register_fact(
        "region", _("注册地"), REGION, _region, source=registration, help=_("选上级地区即含其下属区县")
    )
    register_fact(
        "industry", _("所属行业"), INDUSTRY, _industry, source=registration, help=_("GB/T 4754，含下级行业")
    )
    register_fact("total_staff", _("职工总数"), NUMBER, _staff, pgettext_lazy("unit", "人"), source=profile)
    register_fact(
        "rd_staff_count", _("研发人员数"), NUMBER, _rd_staff, pgettext_lazy("unit", "人"), source=profile
    )
    register_fact(
        "annual_revenue_range", _("年营业收入"), CHOICE, _revenue, source=profile, choices=_revenue_choices
    )
    register_fact("rd_spending_ratio", _("研发投入占比"), NUMBER, _rd_ratio, "%", source=profile)
    register_fact(
        "age_years",
        _("成立年限"),
        NUMBER,
        _age,
        pgettext_lazy("unit", "年"),
        source=_("企业画像（成立日期）"),
    )
    register_fact(
        "qualifications",
        _("资质"),
        QUALIFICATION,
        _qualifications,
        source=_("企业画像中的资质证书（有效期内才算）"),
        choices=_tag_choices,
    )
    register_fact(
        "patents",
        _("授权专利数"),
        NUMBER,
        _patents,
        pgettext_lazy("unit", "件"),
        source=_("本企业在平台发布的科技成果所附授权专利"),
    )
    register_fact(
        "contracts",
        _("平台登记技术合同数"),
        NUMBER,
        _contracts,
        pgettext_lazy("unit", "份"),
        source=_("平台已登记的技术合同"),
    )


def as_number(value: Any) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value))
    except Exception:
        return None
