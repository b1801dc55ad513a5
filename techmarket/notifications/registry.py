"""Which list page a saved search belongs to: a catalogue type that declares ``saved_search=True``.

Matching a new item reuses the type's own selector with the filters of its own filter form
(catalog.registry), so nobody hears about an item they may not see. Types whose pages are not there
(no filter form, no list URL) are simply unavailable.
"""

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.urls import NoReverseMatch, reverse

from techmarket.catalog import registry
from techmarket.core.text import word_list

# Query-string keys that are not filters.
IGNORED_PARAMS = {"page", "csrfmiddlewaretoken"}


@dataclass(frozen=True)
class TargetSpec:
    """The saved-search view of a catalogue type."""

    model_label: str  # as passed by catalog.events, e.g. "needs.need"
    filter_form: Any  # a form class with selector_filters()
    selector: Any  # <x>_list_visible_to(user, **filters)
    list_url: str
    ctype: Any = None

    def form_class(self) -> Any:
        return self.filter_form

    def selector_func(self) -> Any:
        return self.selector

    def detail_path(self, item: Any) -> str:
        return self.ctype.detail_url(item) if self.ctype is not None else ""


def _spec(ctype: registry.CatalogueType) -> TargetSpec | None:
    if not ctype.saved_search or ctype.filter_form is None:
        return None
    return TargetSpec(ctype.label_lower, ctype.filter_form, ctype.list_visible, ctype.list_url_name, ctype)


def target_spec(target: str) -> TargetSpec | None:
    """The spec of a target whose type is registered and complete, else None."""
    ctype = registry.find(target)
    spec = _spec(ctype) if ctype is not None else None
    if spec is None:
        return None
    try:
        reverse(spec.list_url)
    except NoReverseMatch:
        return None
    return spec


def target_for_model(model_label: str) -> str | None:
    ctype = registry.for_model(model_label)
    return ctype.key if ctype is not None and ctype.saved_search else None


def target_labels() -> str:
    return word_list(str(t.label) for t in registry.saved_search_types())


def params_from_query(query: QueryDict, form_class: Any) -> dict[str, Any]:
    """Keep the non-empty filter fields of a list page's query string: {key: value or [values]}."""
    known = set(form_class.base_fields)
    params: dict[str, Any] = {}
    for key, values in query.lists():
        values = [v.strip() for v in values if v.strip()]
        if key in IGNORED_PARAMS or key not in known or not values:
            continue
        params[key] = values[0] if len(values) == 1 else values
    return params


def params_querydict(params: dict[str, Any]) -> QueryDict:
    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, [str(v) for v in value] if isinstance(value, list) else [str(value)])
    return query


def bound_filter_form(spec: TargetSpec, params: dict[str, Any]) -> Any:
    return spec.form_class()(params_querydict(params))


def list_url_with_params(spec: TargetSpec, params: dict[str, Any]) -> str:
    query = params_querydict(params).urlencode()
    return reverse(spec.list_url) + (f"?{query}" if query else "")
