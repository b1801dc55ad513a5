"""The main navigation. A section appears only once its app provides the named URL."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str


SECTIONS = [
    Section(_("需求"), "needs:list"),
    Section(_("成果"), "achievements:list"),
    Section(_("专家人才"), "experts:list"),
    Section(_("对接"), "engagements:list"),
    Section(_("揭榜挂帅"), "challenges:list"),
    Section(_("活动"), "events:list"),
    Section(_("政策"), "policies:list"),
    Section(_("数据"), "analytics:dashboard"),
]


def available_sections() -> list[tuple[str, str, str]]:
    """(label, url, url_name) for sections whose pages exist; others are left out, never dead links."""
    found = []
    for section in SECTIONS:
        try:
            found.append((str(section.label), reverse(section.url_name), section.url_name))
        except NoReverseMatch:
            continue
    return found
