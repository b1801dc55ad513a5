"""Every URL pattern, opened (GET) by every kind of user, never answers with a server error.

The URLconf is walked, not listed by hand, so a new page is covered the day it is added. Path
parameters are filled with real objects from the demo generator (seeded small): the demo enterprise's
listed and unlisted needs, a university's achievements, the demo expert's profile, organisations,
import jobs, admin change pages of every model. Roles: anonymous, enterprise member, member of another
organisation, university, expert, broker, operator, bureau, investor, and an admin of an organisation
still waiting for review. 4xx answers (login redirects, 403, 404, 405 for POST-only URLs) are fine;
5xx is a bug, and so is an exception escaping a view.
"""

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from techmarket.accounts.models import User
from techmarket.catalog.models import LISTED_STATUSES, AccessGrant, ListingStatus
from techmarket.catalog.services import access_request
from techmarket.demo import generator
from techmarket.demo.builders import achievements as demo_achievements
from techmarket.demo.builders import experts as demo_experts
from techmarket.demo.builders import needs as demo_needs
from techmarket.matching import engine as handle
from techmarket.matching import services as matching_services
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db

ROLES = {
    "anonymous": None,
    "enterprise member": "demo_staff",
    "member of another organisation": "ent002",
    "university": "demo_university",
    "expert": "demo_expert",
    "broker": "demo_broker",
    "operator": "demo_operator",
    "bureau": "demo_bureau",
    "investor": "demo_investor",
    "pending organisation": "demo_pending",
}
_PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> Iterator[tuple[str, str]]:
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(n for n in (namespace, entry.namespace or "") if n)
            yield from _patterns(entry, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), f"{namespace}:{entry.name}" if namespace else str(entry.name)


def _admin_model(url_name: str) -> Any:
    """admin:needs_need_change -> the Need model (None for non-model admin pages)."""
    # config/qrcode: django-otp's TOTP device pages; the id must exist on PostgreSQL too (sequences).
    match = re.match(r"admin:(\w+?)_(\w+)_(change|delete|history|config|qrcode)$", url_name)
    if not match:
        return None
    app_label, rest = match.group(1), match.group(2)
    for model in apps.get_app_config(app_label).get_models() if app_label in apps.app_configs else []:
        if model._meta.model_name == rest:
            return model
    return None


def _values(url_name: str, route: str, name: str, objects: dict[str, list[Any]]) -> list[Any]:
    if name == "object_id":
        model = _admin_model(url_name)
        manager = getattr(model, "_base_manager", None)
        first = manager.order_by("pk").first() if manager is not None else None
        return [first.pk if first is not None else 1]
    if name == "item_id":  # /api/matching/<key>/<item_id>/<target>
        key = route.split("matching/")[1].split("/")[0]
        return objects[{"needs": "need_id", "achievements": "achievement_id", "experts": "expert_id"}[key]]
    return objects.get(name, [1])


def _urls(objects: dict[str, list[Any]]) -> list[str]:
    urls: list[str] = []
    seen_routes: set[str] = set()
    for route, url_name in _patterns(get_resolver()):
        route = route.lstrip("^").rstrip("$").replace("\\Z", "")
        if route in seen_routes or route.startswith("admin/r/") or "(?P" in route:
            continue
        seen_routes.add(route)
        names = [m.group("name") for m in _PARAM.finditer(route)]
        if "kind" in names:  # the suggestions panel: a kind and an item of that kind
            for kind, key in (
                ("need", "need_id"),
                ("achievement", "achievement_id"),
                ("expert", "expert_id"),
            ):
                for pk in objects[key]:
                    urls.append("/" + route.replace("<slug:kind>", kind).replace("<int:pk>", str(pk)))
            continue
        variants = [route]
        for name in names:
            values = _values(url_name, route, name, objects)
            variants = [
                re.sub(rf"<(?:[^>:]+:)?{name}>", str(v), r, count=1) for r in variants for v in values
            ]
        urls += ["/" + v for v in variants]
    return urls


@pytest.fixture
def demo(monkeypatch, settings, tmp_path):
    """The demo data at a small size, a fresh matching index, and one of each pending request."""
    monkeypatch.setattr(demo_needs, "NEEDS_PER_RUN", 30)
    monkeypatch.setattr(demo_achievements, "ACHIEVEMENTS_PER_RUN", 40)
    monkeypatch.setattr(demo_experts, "EXPERTS_PER_RUN", 40)
    settings.MATCHING_INDEX_DIR = tmp_path / "techmatch"
    settings.MATCHING_DENSE = False
    handle.forget()
    ctx = generator.generate(seed=generator.DEFAULT_SEED)
    matching_services.rebuild_index()
    yield ctx
    handle.forget()


def _objects(ctx: Any) -> dict[str, list[Any]]:
    from techmarket.achievements.models import Achievement
    from techmarket.experts.models import ContactPermission, Expert
    from techmarket.imports.models import ImportJob
    from techmarket.needs.models import Need, NeedRevision
    from techmarket.notifications.models import Notification, SavedSearch

    users = {name: User.objects.get(username=name) for name in ROLES.values() if name}
    enterprise = users["demo_staff"].memberships.first().organization
    university = users["demo_university"].memberships.first().organization
    pending = Organization.objects.get(
        status=Organization.Status.PENDING, memberships__user=users["demo_pending"]
    )
    needs = Need.objects.unscoped().filter(owner=enterprise)
    listed_need = (
        needs.filter(status__in=LISTED_STATUSES).first()
        or Need.objects.unscoped().filter(status__in=LISTED_STATUSES).first()
    )
    other_need = (
        needs.exclude(status__in=LISTED_STATUSES).first()
        or Need.objects.unscoped().exclude(status__in=LISTED_STATUSES).first()
    )
    achievements = Achievement.objects.unscoped()
    listed_achievement = achievements.filter(status__in=LISTED_STATUSES).first()
    other_achievement = achievements.exclude(status__in=LISTED_STATUSES).first()
    own_expert = (
        Expert.objects.unscoped().filter(user=users["demo_expert"]).first()
        or Expert.objects.unscoped().first()
    )
    other_expert = Expert.objects.unscoped().exclude(pk=own_expert.pk).first()
    # One of each request, so the owners' pages list something to decide.
    grant = access_request(
        item=listed_need,
        acting_user=users["demo_university"],
        organization=university,
        purpose="评估合作可能",
        nda_accepted=True,
    )
    revision = NeedRevision.objects.create(
        need=listed_need,
        proposed_by=users["demo_broker"],
        changes={"summary": "量化后的摘要"},
        base={"summary": listed_need.summary},
    )
    permission = ContactPermission.objects.get_or_create(expert=own_expert, user=users["demo_staff"])[0]
    saved = SavedSearch.objects.create(
        user=users["demo_staff"], name="锂电池", target="needs", params={"q": "锂电池"}
    )
    notification = Notification.objects.create(user=users["demo_staff"], title="测试通知")
    job = ImportJob.objects.create(
        spec_key="needs",
        owner=enterprise,
        original_name="needs.xlsx",
        created_by=users["demo_staff"],
        file="imports/none.xlsx",
    )
    # A facility recognition round in 公示 with its panel, so the recognition pages render their content.
    from techmarket.challenges import panels as review_panels
    from techmarket.facilities.models import Facility, Recognition

    facility = Facility.objects.unscoped().order_by("pk").first()
    recognition = Recognition.objects.create(
        facility=facility,
        statement="中心建成两年，已为多家企业提供原理验证服务。",
        created_by=users["demo_operator"],
    )
    review_panels.panel_create(
        subject=recognition,
        entry_model=Recognition,
        title="认定评审",
        criteria=[("服务能力", 60), ("服务成效", 40)],
        acting_user=users["demo_operator"],
    )
    assert grant.status == AccessGrant.Status.REQUESTED and listed_need.status in LISTED_STATUSES
    assert other_need.status != ListingStatus.PUBLISHED
    return {
        "need_id": [listed_need.pk, other_need.pk],
        "achievement_id": [listed_achievement.pk, other_achievement.pk],
        "expert_id": [own_expert.pk, other_expert.pk],
        "org_id": [enterprise.pk, pending.pk],
        "grant_id": [grant.pk],
        "revision_id": [revision.pk],
        "request_id": [permission.pk],
        "search_id": [saved.pk],
        "notification_id": [notification.pk],
        "job_id": [job.pk],
        "recognition_id": [recognition.pk],
        "facility_id": [facility.pk],
        "spec_key": ["needs", "achievements", "experts", "contracts"],
        "action": ["submit"],
        "token_id": [1],
        "subject": ["broker", "nope"],  # the leaders panel and API: a subject, and one that is none
    }


def test_every_url_answers_every_role_without_a_server_error(demo):
    objects = _objects(demo)
    urls = _urls(objects)
    assert len(urls) > 150, "the URLconf walk found too few pages"
    failures: list[str] = []
    post_only: set[str] = set()  # answered 405 to a logged-in user: the same for every role
    for role, username in ROLES.items():
        client = Client(raise_request_exception=False)
        user = User.objects.get(username=username) if username else None
        if user is not None:
            client.force_login(user)
        for url in urls:
            if url in post_only or (
                url.startswith("/admin/")
                and not (user and user.is_staff)
                and url not in ("/admin/", "/admin/login/")
            ):
                continue  # the admin only redirects non-staff users to its login page
            if url.startswith("/api/openapi.json") and role not in ("anonymous", "operator"):
                continue  # one schema for everybody; it is the slowest page
            response = client.get(url)
            if response.status_code == 405 and user is not None:
                post_only.add(url)
            if response.status_code >= 500:
                exc = getattr(response, "exc_info", None)
                failures.append(
                    f"{role}: GET {url} -> {response.status_code} {exc[1]!r}"
                    if exc
                    else f"{role}: GET {url} -> {response.status_code}"
                )
    assert not failures, "server errors:\n" + "\n".join(failures)
