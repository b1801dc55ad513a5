from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from techmarket.accounts import roles
from techmarket.catalog import registry
from techmarket.orgs import selectors as org_selectors
from techmarket.orgs.models import Organization, Role

from .portal import chain_entries, headline_figures, latest_listed, organization_counts, search_all


def home(request: HttpRequest) -> HttpResponse:
    context = {
        "stats": organization_counts(),
        "figures": headline_figures(),
        "chain": chain_entries(),
        **latest_listed(request.user),
    }
    return render(request, "core/home.html", context)


def search(request: HttpRequest) -> HttpResponse:
    """One search box over needs, achievements and experts (each through its visibility selector)."""
    q = request.GET.get("q", "").strip()
    return render(request, "core/search.html", {"q": q, "groups": search_all(request.user, q)})


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "memberships": org_selectors.memberships_of(user),
        "join_requests_sent": user.join_requests.select_related("organization")[:10],  # type: ignore[union-attr]
        "join_requests_to_decide": org_selectors.join_requests_to_decide(user)[:20],
        "roles": [Role(r).label for r in sorted(roles.user_roles(user))],
        "can_publish": bool(roles.user_organizations(user)),
        "is_broker_or_operator": roles.is_broker_or_operator(user),
    }
    context.update(_role_aware_context(user, context["memberships"]))
    if roles.is_operator(user):
        context["review_queue_count"] = org_selectors.organization_review_queue(user).count()
    types = registry.all_types()
    context["panels"] = [
        panel for panel in (t.workspace_panel(user) for t in types if t.workspace_panel) if panel
    ] + _app_panels(user)
    context["quick_actions"] = _quick_actions(user, types, publisher=context["can_publish"])
    return render(request, "core/workspace.html", context)


def _app_panels(user: Any) -> list[dict[str, Any]]:
    """Panels of apps that are not catalogue types, named on their AppConfig (``workspace_panel``)."""
    from django.apps import apps
    from django.utils.module_loading import import_string

    found = []
    for config in apps.get_app_configs():
        path = getattr(config, "workspace_panel", "")
        if path:
            panel = import_string(path)(user)
            if panel:
                found.append(panel)
    return found


def _quick_actions(user: Any, types: list[Any], *, publisher: bool) -> dict[str, list[tuple[str, str, str]]]:
    """(label, url, style) of each type's workspace buttons, for publishers and for operators."""
    operator = roles.is_operator(user)
    out: dict[str, list[tuple[str, str, str]]] = {"publisher": [], "operator": []}
    for ctype in types:
        for action in ctype.quick_actions:
            if (action.audience == "publisher" and publisher) or (action.audience == "operator" and operator):
                try:
                    url = reverse(action.url_name, args=action.args)
                except NoReverseMatch:
                    continue
                out[action.audience].append((str(action.label), url, action.style))
    return out


def _role_aware_context(user: Any, memberships: Any) -> dict[str, Any]:
    from .workspace_actions import first_actions, organizations_with_roles, pending_organizations

    memberships = list(memberships)
    experts = registry.find("experts")
    profile = (
        experts.system_queryset().filter(user=user).values_list("pk", flat=True).first() if experts else None
    )
    acting_for = {
        m.organization.kind
        for m in memberships
        if m.organization.status == Organization.Status.APPROVED
        and m.is_active
        and m.role in (Role.ORG_ADMIN, Role.MEMBER)
    }
    return {
        "first_actions": first_actions(
            roles=roles.user_roles(user),
            org_kinds=acting_for,
            expert_profile_id=profile,
            has_organization=bool(memberships),
        ),
        "organization_rows": organizations_with_roles(memberships),
        "pending_organizations": pending_organizations(memberships),
        "headline": headline_figures() if roles.is_bureau(user) else None,
    }


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    if request.path.startswith("/api/"):  # API clients get the API's JSON error body, never HTML
        from django.http import JsonResponse

        from techmarket.api.errors import SERVER_ERROR_MESSAGE, error_body

        return JsonResponse(
            error_body("server_error", SERVER_ERROR_MESSAGE),
            status=500,
            json_dumps_params={"ensure_ascii": False},
        )

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)


def favicon(request: HttpRequest) -> HttpResponse:
    """/favicon.ico, asked for by pages without an icon link (the admin): the site's icon, resolved per request
    so a missing static manifest entry cannot break the URL configuration."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
