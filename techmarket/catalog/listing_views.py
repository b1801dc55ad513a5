"""The pages every reviewed catalogue type shares, driven by its registry entry (catalog.registry).

A type's urls.py includes ``listing_patterns(key, pk_kwarg)``: the filtered list, the organisation's own
items, the operators' review queue, workflow actions and confidential-detail access requests. Detail,
create and edit pages stay in the type's app because their fields differ; the templates named in
``ListingPages`` keep each type's columns.
"""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import URLPattern, path
from django.views.decorators.http import require_POST

from techmarket.accounts import roles
from techmarket.accounts.roles import operator_required
from techmarket.core.http import query_without_page

from . import registry
from .filters import expiring_within
from .models import ListingStatus
from .registry import CatalogueType, ListingPages
from .views import run_access_decision, run_access_request, run_action
from .visibility import owner_label
from .workflow import listing_transition

PAGE_SIZE = 20


def _type(key: str) -> tuple[CatalogueType, ListingPages]:
    ctype = registry.get(key)
    assert ctype.pages is not None, f"{key}: the listing pages need ListingPages in its registration"
    return ctype, ctype.pages


def _rows(request: HttpRequest, pages: ListingPages, page: Any, *, own: bool) -> list[Any]:
    if pages.rows is not None:
        return pages.rows(request, page, own)
    return [(item, item.owner.name if own else owner_label(request.user, item)) for item in page]


def _can_publish(request: HttpRequest, ctype: CatalogueType, orgs: list[Any]) -> bool:
    """Whether the list shows "post" / "import" buttons. extra["owner_kinds"]: a bank or a bureau browses
    needs but publishes none, so it gets no buttons that would only lead to a refusal (the create view's
    own check, kept as it is; a user without an approved organisation still learns there why)."""
    kinds = ctype.extra.get("owner_kinds")
    return request.user.is_authenticated and (
        roles.is_operator(request.user) or not orgs or kinds is None or any(o.kind in kinds for o in orgs)
    )


def listing_list(request: HttpRequest, *, key: str) -> HttpResponse:
    ctype, pages = _type(key)
    form = ctype.filter_form(request.GET or None) if ctype.filter_form else None
    filters = form.selector_filters() if form is not None else {}
    page = Paginator(ctype.list_visible(request.user, **filters), PAGE_SIZE).get_page(request.GET.get("page"))
    orgs = roles.user_organizations(request.user)
    can_publish = _can_publish(request, ctype, orgs)
    return render(
        request,
        pages.list_template,
        {
            "form": form,
            "page": page,
            "rows": _rows(request, pages, page, own=False),
            "query": query_without_page(request),
            "title": pages.list_title,
            "can_publish": can_publish,
            "can_import": ctype.import_spec is not None and bool(orgs) and can_publish,
        },
    )


@login_required
def listing_mine(request: HttpRequest, *, key: str) -> HttpResponse:
    ctype, pages = _type(key)
    orgs = roles.user_organizations(request.user)
    qs = ctype.list_visible(request.user, ordering="updated").filter(owner__in=orgs)
    status = request.GET.get("status", "")
    if status:
        qs = qs.filter(status=status)
    qs = expiring_within(qs, request.GET.get("expiring"))
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        pages.list_template,
        {
            "page": page,
            "rows": _rows(request, pages, page, own=True),
            "query": query_without_page(request),
            "title": pages.mine_title,
            "mine": True,
            "can_publish": _can_publish(request, ctype, orgs),
            "statuses": ListingStatus.choices,
            "status": status,
            # Export / submit-all-drafts toolbar, one set of buttons per organisation (imports/_mine_toolbar.html).
            "my_orgs": orgs if ctype.import_spec is not None else [],
        },
    )


@operator_required
def listing_review(request: HttpRequest, *, key: str) -> HttpResponse:
    ctype, pages = _type(key)
    qs = ctype.list_visible(request.user, status=ListingStatus.PENDING).order_by("submitted_at", "pk")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        pages.list_template,
        {
            "page": page,
            "rows": _rows(request, pages, page, own=True),
            "query": "",
            "title": pages.review_title,
            "review": True,
            "can_publish": _can_publish(request, ctype, roles.user_organizations(request.user)),
        },
    )


@login_required
@require_POST
def listing_action(request: HttpRequest, *, key: str, action: str, **kwargs: Any) -> HttpResponse:
    ctype, pages = _type(key)
    item = ctype.get_visible(request.user, kwargs[ctype.pk_kwarg])
    if pages.precheck is not None:
        elsewhere = pages.precheck(request, item, action)
        if elsewhere:
            return redirect(elsewhere)
    transition = pages.transition or listing_transition
    run_action(
        request,
        item=item,
        success=pages.action_success,
        transition=lambda **kw: transition(item=item, acting_user=request.user, **kw),
    )
    if request.POST.get("next") == "review":
        return redirect(f"{key}:review")
    return redirect(ctype.detail_url(item))


@login_required
@require_POST
def listing_request_access(request: HttpRequest, *, key: str, **kwargs: Any) -> HttpResponse:
    ctype, pages = _type(key)
    item = ctype.get_visible(request.user, kwargs[ctype.pk_kwarg])
    run_access_request(request, item, owner_noun=pages.owner_noun)
    return redirect(ctype.detail_url(item))


@login_required
@require_POST
def listing_decide_access(request: HttpRequest, *, key: str, grant_id: int, **kwargs: Any) -> HttpResponse:
    ctype, _pages = _type(key)
    item = ctype.get_visible(request.user, kwargs[ctype.pk_kwarg])
    run_access_decision(request, item, grant_id)
    return redirect(ctype.detail_url(item))


def listing_patterns(key: str, pk_kwarg: str) -> list[URLPattern]:
    """URL patterns of the shared pages, named as every catalogue names them (list, mine, review, ...)."""
    kw = {"key": key}
    return [
        path("", listing_list, kw, name="list"),
        path("mine/", listing_mine, kw, name="mine"),
        path("review/", listing_review, kw, name="review"),
        path(f"<int:{pk_kwarg}>/actions/<slug:action>/", listing_action, kw, name="action"),
        path(f"<int:{pk_kwarg}>/access/", listing_request_access, kw, name="request_access"),
        path(f"<int:{pk_kwarg}>/access/<int:grant_id>/", listing_decide_access, kw, name="decide_access"),
    ]
