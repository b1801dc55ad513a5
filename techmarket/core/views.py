from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from techmarket.accounts import roles
from techmarket.orgs import selectors as org_selectors
from techmarket.orgs.models import Organization, Role


def home(request: HttpRequest) -> HttpResponse:
    approved = Organization.objects.filter(status=Organization.Status.APPROVED)
    stats = {
        "enterprises": approved.filter(kind=Organization.Kind.ENTERPRISE).count(),
        "universities": approved.filter(
            kind__in=[Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE]
        ).count(),
        "services": approved.filter(kind__in=[Organization.Kind.SERVICE, Organization.Kind.INVESTOR]).count(),
    }
    return render(request, "core/home.html", {"stats": stats})


@login_required
def workspace(request: HttpRequest) -> HttpResponse:
    user = request.user
    context: dict[str, Any] = {
        "memberships": org_selectors.memberships_of(user),
        "join_requests_sent": user.join_requests.select_related("organization")[:10],  # type: ignore[union-attr]
        "join_requests_to_decide": org_selectors.join_requests_to_decide(user)[:20],
        "roles": [Role(r).label for r in sorted(roles.user_roles(user))],
        "can_publish": bool(roles.user_organizations(user)),
        "is_broker": roles.is_broker(user),
        "import_links": _import_links(user),
    }
    if roles.is_operator(user):
        context["review_queue_count"] = org_selectors.organization_review_queue(user).count()
    context["panels"] = [panel for panel in (build(user) for build in WORKSPACE_PANELS) if panel]
    return render(request, "core/workspace.html", context)


def _import_links(user: Any) -> list[tuple[str, str]]:
    """Enterprises import needs; universities and institutes import achievements; others may do both."""
    kinds = {o.kind for o in roles.user_organizations(user)}
    links = []
    if kinds - {Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE}:
        links.append(("needs", _("从 Excel 批量导入需求")))
    if kinds - {Organization.Kind.ENTERPRISE}:
        links.append(("achievements", _("从 Excel 批量导入成果")))
    return links


def _needs_panel(user: Any) -> dict[str, Any] | None:
    from datetime import timedelta

    from django.utils import timezone

    from techmarket.catalog.models import ListingStatus
    from techmarket.needs.selectors import need_list_visible_to

    orgs = roles.user_organizations(user)
    panel: dict[str, Any] = {"title": _("技术需求"), "links": []}
    if orgs:
        mine = need_list_visible_to(user).filter(owner__in=orgs)
        soon = timezone.now() + timedelta(days=30)
        panel["links"] += [
            (_("本机构的需求"), reverse("needs:mine"), mine.count()),
            (
                _("需整改"),
                reverse("needs:mine") + "?status=changes_requested",
                mine.filter(status=ListingStatus.CHANGES_REQUESTED).count(),
            ),
            (
                _("30 天内到期"),
                reverse("needs:mine") + "?expiring=30",
                mine.filter(status=ListingStatus.PUBLISHED, expires_at__lte=soon).count(),
            ),
        ]
    if roles.is_operator(user):
        panel["links"].append(
            (
                _("待审核的需求"),
                reverse("needs:review"),
                need_list_visible_to(user, status=ListingStatus.PENDING).count(),
            )
        )
    return panel if panel["links"] else None


def _experts_panel(user: Any) -> dict[str, Any] | None:
    from techmarket.experts.models import ContactPermission, Expert

    profile = Expert.objects.filter(user=user).only("pk").first()
    pending = ContactPermission.objects.filter(
        expert__user=user, status=ContactPermission.Status.REQUESTED
    ).count()
    researcher = any(
        o.kind in (Organization.Kind.UNIVERSITY, Organization.Kind.INSTITUTE)
        for o in roles.user_organizations(user)
    )
    if profile is None and not pending and not researcher:
        return None
    profile_url = reverse("experts:detail", args=[profile.pk]) if profile else reverse("experts:create")
    return {
        "title": _("专家人才"),
        "links": [
            (_("我的专家档案"), profile_url, 1 if profile else 0),
            (_("待处理的联系申请"), reverse("experts:my_requests"), pending),
        ],
    }


def _achievements_panel(user: Any) -> dict[str, Any] | None:
    from datetime import timedelta

    from django.utils import timezone

    from techmarket.achievements.selectors import achievement_list_visible_to
    from techmarket.catalog.models import ListingStatus

    orgs = roles.user_organizations(user)
    panel: dict[str, Any] = {"title": _("科技成果"), "links": []}
    if orgs:
        mine = achievement_list_visible_to(user).filter(owner__in=orgs)
        soon = timezone.now() + timedelta(days=30)
        panel["links"] += [
            (_("本机构的成果"), reverse("achievements:mine"), mine.count()),
            (
                _("需整改"),
                reverse("achievements:mine") + "?status=changes_requested",
                mine.filter(status=ListingStatus.CHANGES_REQUESTED).count(),
            ),
            (
                _("30 天内到期"),
                reverse("achievements:mine") + "?expiring=30",
                mine.filter(status=ListingStatus.PUBLISHED, expires_at__lte=soon).count(),
            ),
        ]
    if roles.is_operator(user):
        panel["links"].append(
            (
                _("待审核的成果"),
                reverse("achievements:review"),
                achievement_list_visible_to(user, status=ListingStatus.PENDING).count(),
            )
        )
    return panel if panel["links"] else None


# Each installed catalogue contributes a panel to the workspace: (title, links with counts).
WORKSPACE_PANELS = [_needs_panel, _achievements_panel, _experts_panel]


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "errors/404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # No context processors: the database may be what failed.
    from django.template import loader

    return HttpResponse(loader.get_template("errors/500.html").render(), status=500)
