"""A guard that makes forgetting the visibility selector fail loudly (in the spirit of django-scopes).

Catalogue models (needs, achievements, experts, ...) use ``GuardedManager`` as their default manager.
While a web request is served (``CatalogueGuardMiddleware``), reading rows from such a queryset raises
``UnscopedQuery`` unless the queryset came through a visibility selector (``.scoped(q)``) or says
explicitly that it acts for the platform (``.unscoped()``: services checking uniqueness, imports,
indexing, admin). Outside requests — Celery tasks, management commands, migrations, the shell — there
is no user to scope by and the guard is off; ``system_context()`` turns it off inside a request too
(tasks run inline after a commit, for instance).

So ``Need.objects.filter(...)`` or ``get_object_or_404(Need, pk=...)`` in a view is a server error in
the first test that opens the page, not a quiet leak of drafts and owner-only items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Self, TypeVar

from django.db import models
from django.db.models import Q
from django.http import HttpRequest, HttpResponse

_guard_on: ContextVar[bool] = ContextVar("techmarket_catalogue_guard", default=False)

_M = TypeVar("_M", bound=models.Model)


class UnscopedQuery(RuntimeError):
    """A catalogue queryset was read during a request without going through its visibility selector."""


def guard_active() -> bool:
    return _guard_on.get()


@contextmanager
def guarded() -> Iterator[None]:
    """Turn the guard on (every web request; tests may use it directly)."""
    token = _guard_on.set(True)
    try:
        yield
    finally:
        _guard_on.reset(token)


@contextmanager
def system_context() -> Iterator[None]:
    """Work done for the platform, not for the requesting user (inline tasks, expiry, indexing)."""
    token = _guard_on.set(False)
    try:
        yield
    finally:
        _guard_on.reset(token)


class ScopedQuerySet(models.QuerySet[_M]):
    """A queryset that refuses to read rows during a request unless it is scoped or explicitly unscoped."""

    _scope_checked = False

    def _clone(self) -> Self:
        clone: Self = super()._clone()  # type: ignore[misc]  # private QuerySet API, absent from the stubs
        clone._scope_checked = self._scope_checked
        return clone

    def scoped(self, visible: Q) -> Self:
        """Filter by a visibility rule (catalog.visibility or the type's own); only selectors call this."""
        qs = self.filter(visible)
        qs._scope_checked = True
        return qs

    def unscoped(self) -> Self:
        """Every row, on purpose: services, tasks, admin and commands acting for the platform."""
        qs: Self = self._chain()  # type: ignore[attr-defined]  # private QuerySet API, absent from the stubs
        qs._scope_checked = True
        return qs

    def _check_scope(self) -> None:
        # Related managers (item.team, expert.related_experts, prefetches) start from an object already
        # read through a selector; Django marks their querysets with the instance hint.
        hints = self._hints  # type: ignore[attr-defined]  # private QuerySet API, absent from the stubs
        if self._scope_checked or not _guard_on.get() or hints.get("instance") is not None:
            return
        raise UnscopedQuery(
            f"{self.model._meta.label}: query without the visibility selector during a request. "
            f"Read through the type's selector (…_list_visible_to / …_get_visible), or call "
            f".unscoped() where the platform, not the user, is acting."
        )

    def _fetch_all(self) -> None:
        if self._result_cache is None:
            self._check_scope()
        super()._fetch_all()

    def count(self) -> int:
        if self._result_cache is None:
            self._check_scope()
        return super().count()

    def exists(self) -> bool:
        if self._result_cache is None:
            self._check_scope()
        return super().exists()

    def aggregate(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        self._check_scope()
        return super().aggregate(*args, **kwargs)

    def iterator(self, chunk_size: int | None = None) -> Iterator[_M]:  # type: ignore[override]
        self._check_scope()
        return super().iterator(chunk_size=chunk_size)

    def update(self, **kwargs: Any) -> int:
        self._check_scope()
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        self._check_scope()
        return super().delete()


class GuardedManager(models.Manager.from_queryset(ScopedQuerySet)):  # type: ignore[misc]
    """Default manager of catalogue models: see the module docstring."""


class CatalogueGuardMiddleware:
    """Every view runs with the guard on, except Django's admin (staff acting for the platform)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = _guard_on.set(False)
        try:
            return self.get_response(request)
        finally:
            _guard_on.reset(token)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any) -> None:
        match = request.resolver_match
        _guard_on.set(match is None or match.app_name != "admin")


def _task_prerun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    if task is not None and task.request is not None:
        task.request.techmarket_guard_token = _guard_on.set(False)


def _task_postrun(task_id: str | None = None, task: Any = None, **kwargs: Any) -> None:
    token = getattr(getattr(task, "request", None), "techmarket_guard_token", None)
    if token is not None:
        _guard_on.reset(token)


def connect_task_signals() -> None:
    """Celery tasks act for the platform, also when they run inline inside a request."""
    from celery.signals import task_postrun, task_prerun

    task_prerun.connect(_task_prerun, weak=False, dispatch_uid="techmarket_guard_prerun")
    task_postrun.connect(_task_postrun, weak=False, dispatch_uid="techmarket_guard_postrun")
