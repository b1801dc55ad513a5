"""The home page's public counts are kept in the shared cache between visits, renewed by every saved or
deleted catalogue item or organisation, and counted directly when the cache is down."""

import socket

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from factories import OrganizationFactory

from techmarket.achievements.models import Achievement
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.core import portal
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


def make_achievement(owner, title="低温型磷酸铁锂正极材料碳包覆改性技术"):
    return Achievement.objects.create(
        owner=owner,
        title=title,
        summary="采用碳包覆与离子掺杂对磷酸铁锂正极材料改性。",
        trl=6,
        stage="pilot",
        status=ListingStatus.PUBLISHED,
        visibility=Visibility.PUBLIC,
    )


def _achievements_figure(client) -> int:
    figures = client.get(reverse("core:home")).context["figures"]
    return next(f["value"] for f in figures if f["url"] == reverse("achievements:list"))


def _counts_queries(client) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("core:home")).status_code == 200
    return [q["sql"] for q in ctx.captured_queries if "COUNT(*)" in q["sql"]]


def test_the_second_visit_counts_nothing_again(client):
    OrganizationFactory()
    assert _counts_queries(client)  # first visit: counted
    assert _counts_queries(client) == []  # second: from the cache


def test_a_saved_achievement_shows_in_the_count_on_the_next_visit(client, django_capture_on_commit_callbacks):
    owner = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    make_achievement(owner)
    assert _achievements_figure(client) == 1
    with django_capture_on_commit_callbacks(execute=True):
        second = make_achievement(owner, "第二项成果")
    assert _achievements_figure(client) == 2
    second.status = ListingStatus.CLOSED
    second.save(update_fields=["status"])
    assert _achievements_figure(client) == 1
    second.delete()
    assert _achievements_figure(client) == 1


def test_an_approved_organisation_shows_in_the_stats_on_the_next_visit(client):
    OrganizationFactory(kind=Organization.Kind.ENTERPRISE)
    assert client.get(reverse("core:home")).context["stats"]["enterprises"] == 1
    pending = OrganizationFactory(kind=Organization.Kind.ENTERPRISE, status=Organization.Status.PENDING)
    assert client.get(reverse("core:home")).context["stats"]["enterprises"] == 1
    pending.status = Organization.Status.APPROVED
    pending.save(update_fields=["status"])
    assert client.get(reverse("core:home")).context["stats"]["enterprises"] == 2


def test_a_write_without_signals_is_counted_once_the_kept_counts_expire(client):
    owner = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    item = make_achievement(owner)
    assert _achievements_figure(client) == 1
    type(item).objects.filter(pk=item.pk).update(status=ListingStatus.CLOSED)  # no post_save
    assert _achievements_figure(client) == 1  # kept for at most PUBLIC_COUNTS_SECONDS
    cache.delete("portal:counts")  # what the expiry does
    assert _achievements_figure(client) == 0


def test_other_models_do_not_renew_the_counts(client):
    OrganizationFactory()
    _counts_queries(client)
    from techmarket.accounts.models import User

    User.objects.create_user(username="someone-else", password="x-Long-enough-9")
    assert _counts_queries(client) == []


def _refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_the_home_page_counts_directly_with_the_cache_down(client, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "techmarket.core.cache.FailFastRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_refused_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "CIRCUIT_SECONDS": 30},
        }
    }
    with pytest.raises(ConnectionError):
        cache.get("probe")
    owner = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    make_achievement(owner)  # the renewal fails quietly
    assert _achievements_figure(client) == 1
    make_achievement(owner, "第二项成果")
    assert _achievements_figure(client) == 2
    assert portal.public_counts()["organizations"] == 1
