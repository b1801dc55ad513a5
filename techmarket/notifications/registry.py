"""Which list page a saved search belongs to: target -> (filter form, visibility selector, URLs).

Matching a new item reuses the target's own selector (``<x>_list_visible_to``) with the filters of
its own filter form, so nobody hears about an item they may not see. Targets whose app is not there
yet (no filter form, no URLs) are simply unavailable; they plug in by existing.
"""

from dataclasses import dataclass
from typing import Any

from django.http import QueryDict
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string

from .models import SearchTarget

# Query-string keys that are not filters.
IGNORED_PARAMS = {"page", "csrfmiddlewaretoken"}


@dataclass(frozen=True)
class TargetSpec:
    model_label: str  # as passed by catalog.events, e.g. "needs.need"
    filter_form: str  # dotted path of a form with selector_filters()
    selector: str  # dotted path of <x>_list_visible_to(user, **filters)
    list_url: str
    detail_url: str  # URL name taking the item's primary key

    def form_class(self) -> Any:
        return import_string(self.filter_form)

    def selector_func(self) -> Any:
        return import_string(self.selector)


TARGETS: dict[str, TargetSpec] = {
    SearchTarget.NEEDS: TargetSpec("needs.need", "techmarket.needs.forms.NeedFilterForm",
                                   "techmarket.needs.selectors.need_list_visible_to", "needs:list", "needs:detail"),
    SearchTarget.ACHIEVEMENTS: TargetSpec(
        "achievements.achievement", "techmarket.achievements.forms.AchievementFilterForm",
        "techmarket.achievements.selectors.achievement_list_visible_to", "achievements:list", "achievements:detail"),
    SearchTarget.EXPERTS: TargetSpec("experts.expert", "techmarket.experts.forms.ExpertFilterForm",
                                     "techmarket.experts.selectors.expert_list_visible_to", "experts:list",
                                     "experts:detail"),
}


def target_spec(target: str) -> TargetSpec | None:
    """The spec of a target whose app is installed and complete, else None."""
    spec = TARGETS.get(target)
    if spec is None:
        return None
    try:
        spec.form_class()
        spec.selector_func()
        reverse(spec.list_url)
    except (ImportError, NoReverseMatch):
        return None
    return spec


def target_for_model(model_label: str) -> str | None:
    for target, spec in TARGETS.items():
        if spec.model_label == model_label:
            return target
    return None


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
