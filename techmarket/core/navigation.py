"""The main navigation. A section appears only once its app provides the named URL.

Catalogue types bring their own entry (catalog.registry: ``navigation``); the sections below are the
pages that are not catalogues. ``order`` places both kinds in one menu. Entries with a ``group`` go into
that group's drop-down menu (``GROUPS``), which takes the group's place in the bar and appears only when
at least one of its entries is meant for the user.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


@dataclass(frozen=True)
class Section:
    label: Any
    url_name: str
    order: int = 100
    # Who sees the entry (the page itself still checks): None = everybody.
    visible_to: Callable[[Any], bool] | None = None
    group: str = ""  # a key of GROUPS, or "" for an entry of its own in the bar


@dataclass(frozen=True)
class Group:
    label: Any
    order: int


@dataclass
class MenuEntry:
    """One item of the bar: a link, or a group (``children``; ``url`` is then empty)."""

    label: str
    url: str = ""
    url_name: str = ""
    children: list["MenuEntry"] = field(default_factory=list)

    @property
    def url_names(self) -> set[str]:
        return {c.url_name for c in self.children} if self.children else {self.url_name}


# Policies, finance, vouchers and investors are one field for an enterprise (and for the bureau): one menu.
POLICY_FINANCE = "policy_finance"
GROUPS: dict[str, Group] = {POLICY_FINANCE: Group(pgettext_lazy("main menu", "政策与金融"), 72)}


def _sees_aggregates(user: Any) -> bool:
    from techmarket.accounts import roles

    return roles.is_bureau(user) or roles.is_operator(user)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


def _member_of(*kinds: str) -> Callable[[Any], bool]:
    def check(user: Any) -> bool:
        from techmarket.accounts import roles

        return any(o.kind in kinds for o in roles.user_organizations(user))

    return check


def _enterprise_or_aggregates(user: Any) -> bool:
    return _member_of("enterprise")(user) or _sees_aggregates(user)


def _in_loan_applications(user: Any) -> bool:
    """Enterprises apply, banks and guarantors decide, operators oversee (finance.selectors decides rows)."""
    from techmarket.accounts import roles

    return _member_of("enterprise", "bank", "guarantor")(user) or roles.is_operator(user)


SECTIONS = [
    Section(_("对接"), "engagements:list", 40),
    Section(pgettext_lazy("main menu", "技术合同"), "contracts:list", 45),
    Section(pgettext_lazy("main menu", "揭榜挂帅"), "challenges:list", 50),
    # 政策 and 金融产品 are catalogue entries (policies / finance catalogue.py), in the same group.
    Section(_("符合条件的政策"), "policies:qualify", 72, _member_of("enterprise"), POLICY_FINANCE),
    Section(_("政策申请"), "policies:applications", 73, _enterprise_or_aggregates, POLICY_FINANCE),
    Section(_("融资申请"), "finance:applications", 76, _in_loan_applications, POLICY_FINANCE),
    Section(_("创新积分排名"), "finance:ranking", 77, _sees_aggregates, POLICY_FINANCE),
    Section(_("创新券"), "vouchers:list", 78, _signed_in, POLICY_FINANCE),
    Section(_("投资机构"), "investors:list", 79, group=POLICY_FINANCE),
    Section(_("融资需求"), "investors:seekings", 80, _signed_in, POLICY_FINANCE),
    Section(_("数据"), "analytics:dashboard", 80, visible_to=_sees_aggregates),
]


def catalogue_sections() -> list[Section]:
    from techmarket.catalog import registry

    return [
        Section(
            t.navigation.label,
            t.navigation.url_name or t.list_url_name,
            t.navigation.order if t.navigation.order is not None else t.order,
            group=t.navigation.group,
        )
        for t in registry.all_types()
        if t.navigation is not None
    ]


def all_sections() -> list[Section]:
    return sorted([*catalogue_sections(), *SECTIONS], key=lambda s: s.order)


def _links(user: Any) -> list[tuple[Section, str]]:
    found = []
    for section in all_sections():
        if user is not None and section.visible_to is not None and not section.visible_to(user):
            continue
        try:
            found.append((section, reverse(section.url_name)))
        except NoReverseMatch:
            continue
    return found


def available_sections(user: Any = None) -> list[tuple[str, str, str]]:
    """(label, url, url_name) for sections whose pages exist (others are left out, never dead links) and,
    given a user, that are meant for them — grouped entries included, in menu order."""
    return [(str(s.label), url, s.url_name) for s, url in _links(user)]


def menu(user: Any = None) -> list[MenuEntry]:
    """The bar as shown: links and groups (a group holds its entries the user may see, in their order)."""
    placed: list[tuple[int, MenuEntry]] = []
    groups: dict[str, MenuEntry] = {}
    for section, url in _links(user):
        entry = MenuEntry(str(section.label), url, section.url_name)
        group = GROUPS.get(section.group) if section.group else None
        if group is None:
            placed.append((section.order, entry))
            continue
        if section.group not in groups:
            groups[section.group] = MenuEntry(str(group.label))
            placed.append((group.order, groups[section.group]))
        groups[section.group].children.append(entry)
    return [entry for _order, entry in sorted(placed, key=lambda p: p[0])]
