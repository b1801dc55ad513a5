"""Column helpers the catalogue sheets share: national code tables and list-page GET parameters."""

import datetime
import re
from collections.abc import Callable, Mapping
from typing import Any

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
    # Bounded: a 30-digit "id" must not overflow the database's integer.
    return int(text) if text.isdigit() and len(text) <= 18 else None


def parse_industries(text: str) -> list[str]:
    """Several GB/T 4754 codes in one cell; full-width letters and digits are folded first."""
    from .normalise import fold_width, normalise_code

    return [normalise_industry(normalise_code(c)) for c in _CODES_SPLIT.split(fold_width(text)) if c.strip()]


def discipline_choices() -> list[tuple[str, str]]:
    return list(Discipline.objects.values_list("code", "name"))


# --- shapes every sheet repeats: declare them, don't write them --------------------------------------

_LIST_SPLIT = re.compile(r"[、,，;；\n]+")


def split_list(text: str, *, fold: bool = False) -> list[str]:
    """A cell holding several values separated by 、，,；; or new lines; ``fold``: full-width → half-width
    first (codes, not names)."""
    if fold:
        from .normalise import fold_width

        text = fold_width(text)
    return [part.strip() for part in _LIST_SPLIT.split(text) if part.strip()]


def join_list(values: Any) -> str:
    return "、".join(str(v) for v in values or [])


def load_by_external_key(
    model: Any, *, owner_field: str = "owner"
) -> Callable[[Any, list[str]], dict[str, Any]]:
    """ImportSpec.load_existing for a model with ``external_key``: the owner's rows by key, every row
    (the guarded manager's unscoped view: drafts and hidden items are updated too), 500 keys per query."""

    def load_existing(owner: Any, keys: list[str]) -> dict[str, Any]:
        manager = model._default_manager
        rows = manager.unscoped() if hasattr(manager, "unscoped") else manager.all()
        found: dict[str, Any] = {}
        for start in range(0, len(keys), 500):
            for item in rows.filter(**{owner_field: owner, "external_key__in": keys[start : start + 500]}):
                found[item.external_key] = item
        return found

    return load_existing


def codes_to_objects(data: dict[str, Any], codes: Mapping[str, Any]) -> dict[str, Any]:
    """Reference-table codes in the parsed row → the rows themselves (``{"region": Region}``). A column
    left out of the file is left out here too, so the stored value stays as it is."""
    from techmarket.reference.codes import code_object

    data = dict(data)
    for name, model in codes.items():
        if name in data:
            data[name] = code_object(model, data[name]) if data[name] else None
    return data


def wrote(item: Any, stamp: Any) -> bool:
    """Whether a service call changed ``item``: the services do not save (nor touch updated_at) when
    nothing differs, so an unchanged row counts as unchanged."""
    return getattr(item, "updated_at", None) != stamp


def save_through(
    *, create: Callable[..., Any], update: Callable[..., Any], codes: Mapping[str, Any] | None = None
) -> Callable[[dict[str, Any], Any, Any, Any], tuple[Any, bool]]:
    """ImportSpec.save for the common case: codes resolved, then ``create(acting_user=, owner=, **data)``
    or ``update(item, acting_user=, **data)``; returns (item, whether anything was written)."""

    def save(data: dict[str, Any], existing: Any, acting_user: Any, owner: Any) -> tuple[Any, bool]:
        data = codes_to_objects(data, codes or {})
        if existing is None:
            return create(acting_user=acting_user, owner=owner, **data), True
        stamp = existing.updated_at
        item = update(existing, acting_user=acting_user, **data)
        return item, wrote(item, stamp)

    return save


def list_filters(
    selector: Callable[..., Any],
    *,
    text: tuple[str, ...] = (),
    ints: tuple[str, ...] = (),
    dates: tuple[str, ...] = (),
    flags: tuple[str, ...] = (),
    ordering: str | None = "newest",
) -> Callable[[Any, Any], Any]:
    """ImportSpec.list_visible: the list page's GET parameters, typed, through the type's one selector.
    ``q`` is always passed (trimmed to 100 characters); ``flags`` are "1"/"0" or absent."""

    def list_visible(user: Any, params: Any) -> Any:
        kwargs: dict[str, Any] = {"q": params.get("q", "").strip()[:100]}
        kwargs |= {name: params.get(name, "") for name in text}
        kwargs |= {name: int_param(params.get(name, "")) for name in ints}
        kwargs |= {name: date_param(params.get(name, "")) for name in dates}
        for name in flags:
            value = params.get(name, "")
            kwargs[name] = None if value not in ("0", "1") else value == "1"
        if ordering is not None:
            kwargs["ordering"] = params.get("ordering", ordering)
        return selector(user, **kwargs)

    return list_visible
