"""Explicit hooks for what follows a catalogue change (notifications now, re-matching later).

Apps register a callable with ``on_listing_published``; catalog.workflow calls ``listing_published``
inside the publishing transaction. Listeners must not do the work there: they owe it through the
outbox (``techmarket.outbox.services.outbox_enqueue`` with the item's primary key), whose row commits
with the change and is dispatched after the commit, with retries while the broker is down.
"""

from collections.abc import Callable
from typing import Any

_published: list[Callable[[str, int], None]] = []
_changed: list[Callable[[str, int], None]] = []


def on_listing_published(listener: Callable[[str, int], None]) -> Callable[[str, int], None]:
    """Register listener(model_label, pk); model_label is e.g. "needs.need"."""
    if listener not in _published:
        _published.append(listener)
    return listener


def listing_published(item: Any) -> None:
    label = f"{item._meta.app_label}.{item._meta.model_name}"
    for listener in list(_published):
        listener(label, item.pk)


def on_listing_changed(listener: Callable[[str, int], None]) -> Callable[[str, int], None]:
    """Register listener(model_label, pk) for any committed change of a catalogue item (edit, transition)."""
    if listener not in _changed:
        _changed.append(listener)
    return listener


def listing_changed(item: Any) -> None:
    label = f"{item._meta.app_label}.{item._meta.model_name}"
    for listener in list(_changed):
        listener(label, item.pk)


_transitions: list[Callable[[str, int, str], None]] = []


def on_listing_transition(listener: Callable[[str, int, str], None]) -> Callable[[str, int, str], None]:
    """Register listener(model_label, pk, action) for every workflow transition (e.g. "publish"); called inside
    the transition's transaction like the other hooks, so listeners owe their work through the outbox."""
    if listener not in _transitions:
        _transitions.append(listener)
    return listener


def listing_transitioned(item: Any, action: str) -> None:
    label = f"{item._meta.app_label}.{item._meta.model_name}"
    for listener in list(_transitions):
        listener(label, item.pk, action)
