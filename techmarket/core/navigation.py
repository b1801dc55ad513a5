"""The main navigation. A section appears only once its app provides the named URL.

Catalogue types bring their own entry (catalog.registry: ``navigation``); the sections below are the
pages that are not catalogues. ``order`` places both kinds in one menu.
"""

from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: Any
    url_name: str
    order: int = 100


SECTIONS = [
    Section(_("对接"), "engagements:list", 40),
    Section(_("技术合同"), "contracts:list", 45),
    Section(_("揭榜挂帅"), "challenges:list", 50),
    Section(_("活动"), "events:list", 60),
    Section(_("政策"), "policies:list", 70),
    Section(_("数据"), "analytics:dashboard", 80),
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


def available_sections() -> list[tuple[str, str, str]]:
    """(label, url, url_name) for sections whose pages exist; others are left out, never dead links."""
    found = []
    for section in all_sections():
        try:
            found.append((str(section.label), reverse(section.url_name), section.url_name))
        except NoReverseMatch:
            continue
    return found
