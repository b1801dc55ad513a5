"""Reads on notifications and saved searches, and the one question "may this subscriber hear about it?"."""

from typing import Any

from django import forms
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet

from techmarket.accounts import roles
from techmarket.catalog.visibility import is_owner_member
from techmarket.core.text import word_list

from .models import Notification, SavedSearch
from .registry import TargetSpec, bound_filter_form, target_spec

# Filters that change the order of a list, not which items are in it.
NOT_A_FILTER = {"ordering"}


def notification_list_for(user: Any) -> QuerySet[Notification]:
    """The user's notifications, unread first, newest first within each group."""
    unread = ExpressionWrapper(Q(read_at__isnull=True), output_field=BooleanField())
    return (
        Notification.objects.filter(user=user).alias(unread=unread).order_by("-unread", "-created_at", "-pk")
    )


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def saved_search_list_for(user: Any) -> QuerySet[SavedSearch]:
    return SavedSearch.objects.filter(user=user)


def selector_filters(spec: TargetSpec, params: dict[str, Any]) -> dict[str, Any] | None:
    """The selector keyword arguments of saved filters; None when they are no longer valid (e.g. a
    deleted chain node) — never "no filters", which would match everything."""
    form = bound_filter_form(spec, params)
    if not form.is_valid():
        return None
    return form.selector_filters()


def is_own_item(user: Any, item: Any) -> bool:
    """Nobody is told about their own organisation's listing, nor about their own expert profile."""
    if getattr(item, "owner_id", None) is not None and is_owner_member(user, item):
        return True
    if getattr(item, "user_id", None) == user.pk:
        return True
    affiliation = getattr(item, "affiliation_id", None)
    return affiliation is not None and any(org.pk == affiliation for org in roles.user_organizations(user))


def saved_search_matches(saved: SavedSearch, item: Any) -> bool:
    """True when the item is in the subscriber's own filtered list and is not their organisation's own."""
    spec = target_spec(saved.target)
    if spec is None or not saved.user.is_active:
        return False
    if is_own_item(saved.user, item):
        return False
    filters = selector_filters(spec, saved.params)
    if filters is None:
        return False
    return spec.selector_func()(saved.user, **filters).filter(pk=item.pk).exists()


def visible_matching_items(saved: SavedSearch, pks: list[int]) -> list[Any]:
    """Those of the items that are still visible to the subscriber and still match, newest first."""
    spec = target_spec(saved.target)
    filters = selector_filters(spec, saved.params) if spec else None
    if spec is None or filters is None or not pks:
        return []
    return list(spec.selector_func()(saved.user, **filters).filter(pk__in=pks))


def filter_summary(saved: SavedSearch) -> list[tuple[str, str]]:
    """The saved filters as (label, value) pairs in the user's language, e.g. [("行业", "C38 电气机械…")]."""
    spec = target_spec(saved.target)
    if spec is None:
        return [(str(k), str(v)) for k, v in saved.params.items()]
    form = bound_filter_form(spec, saved.params)
    valid = form.is_valid()
    pairs: list[tuple[str, str]] = []
    for name, field in form.fields.items():
        if name in NOT_A_FILTER or name not in saved.params:
            continue
        value = form.cleaned_data.get(name) if valid else saved.params[name]
        if value in (None, "", []):
            continue
        pairs.append((str(field.label), _display(field, value)))
    return pairs


def _display(field: forms.Field, value: Any) -> str:
    if isinstance(field, forms.ModelChoiceField):
        return field.label_from_instance(value) if hasattr(value, "pk") else str(value)
    if isinstance(field, forms.ChoiceField):
        labels = {str(k): str(v) for k, v in field.choices}  # type: ignore[misc,union-attr]  # normalised by Django
        values = value if isinstance(value, list) else [value]
        return word_list(labels.get(str(v), str(v)) for v in values)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)
