"""The main navigation. A section appears only once its app provides the named URL.

Catalogue types bring their own entry (catalog.registry: ``navigation``); the sections below are the
pages that are not catalogues. ``order`` places both kinds in one menu.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: Any
    url_name: str
    order: int = 100
    # Who sees the entry (the page itself still checks): None = everybody.
    visible_to: Callable[[Any], bool] | None = None


def _sees_aggregates(user: Any) -> bool:
    from techmarket.accounts import roles

    return roles.is_bureau(user) or roles.is_operator(user)


def _signed_in(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False))


SECTIONS = [
    Section(_("对接"), "engagements:list", 40),
    Section(_("技术合同"), "contracts:list", 45),
    Section(_("揭榜挂帅"), "challenges:list", 50),
    Section(_("政策"), "policies:list", 70),
    Section(_("创新券"), "vouchers:list", 74, visible_to=_signed_in),
    Section(_("投融资"), "investors:list", 76),
    Section(_("数据"), "analytics:dashboard", 80, visible_to=_sees_aggregates),
]


def catalogue_sections() -> list[Section]:
    from techmarket.catalog import registry

    return [
        Section(t.navigation.label, t.navigation.url_name or t.list_url_name, t.order)
        for t in registry.all_types()
        if t.navigation is not None
    ]


def all_sections() -> list[Section]:
    return sorted([*catalogue_sections(), *SECTIONS], key=lambda s: s.order)


def available_sections(user: Any = None) -> list[tuple[str, str, str]]:
    """(label, url, url_name) for sections whose pages exist (others are left out, never dead links) and,
    given a user, that are meant for them."""
    found = []
    for section in all_sections():
        if user is not None and section.visible_to is not None and not section.visible_to(user):
            continue
        try:
            found.append((str(section.label), reverse(section.url_name), section.url_name))
        except NoReverseMatch:
            continue
    return found
