"""Column helpers the catalogue sheets share: national code tables and list-page GET parameters."""

import datetime
import re

from django.conf import settings
from django.db.models import Q

from techmarket.reference.models import Discipline, Industry, Region

_INDUSTRY = re.compile(r"^([A-Ta-t])?(\d{2,4})$")
_CODES_SPLIT = re.compile(r"[、,，;；\s]+")


def normalise_industry(code: str) -> str:
    """GB/T 4754 codes are stored without the section letter: "C26" and "26" both mean 化学原料…制造业."""
    code = code.strip()
    if len(code) == 1 and code.isalpha():
        return code.upper()
    match = _INDUSTRY.match(code)
    return match.group(2) if match else code


def industry_choices() -> list[tuple[str, str]]:
    return list(Industry.objects.values_list("code", "name"))


def industry_dropdown() -> list[tuple[str, str]]:
    # 门类 and 大类 only: a dropdown of all 1,900 small classes is unusable; any valid code is accepted.
    return [
        (f"{s}{c}" if len(c) > 1 else c, n)
        for c, n, s in Industry.objects.filter(level__lte=2).values_list("code", "name", "section")
    ]


def region_choices() -> list[tuple[str, str]]:
    return [
        (code, full or name) for code, name, full in Region.objects.values_list("code", "name", "full_name")
    ]


def region_dropdown() -> list[tuple[str, str]]:
    home = Q()
    for prefix in settings.PLATFORM_REGION_PREFIXES:
        home |= Q(code__startswith=prefix)
    qs = Region.objects.filter(home | Q(level__in=[Region.Level.PROVINCE, Region.Level.PREFECTURE]))
    return [(code, full or name) for code, name, full in qs.values_list("code", "name", "full_name")]


def date_param(text: str) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(text) if text else None
    except ValueError:
        return None


def int_param(text: str) -> int | None:
    return int(text) if text.isdigit() else None


def parse_industries(text: str) -> list[str]:
    """Several GB/T 4754 codes in one cell; full-width letters and digits are folded first."""
    from .normalise import fold_width, normalise_code

    return [normalise_industry(normalise_code(c)) for c in _CODES_SPLIT.split(fold_width(text)) if c.strip()]


def discipline_choices() -> list[tuple[str, str]]:
    return list(Discipline.objects.values_list("code", "name"))
