"""Stale listings leave the catalogue: reminders before, expiry after, renewal brings them back."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core import mail
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory

from techmarket.catalog.expiry import listings_expire, listings_remind_expiring
from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import listing_transition
from techmarket.needs.models import Need
from techmarket.needs.selectors import need_list_visible_to
from techmarket.notifications.models import Notification
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def owner():
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


def _published(org, expires_in_days):
    now = timezone.now()
    return Need.objects.create(
        owner=org,
        title="陶瓷膜低温烧结",
        summary="摘要",
        problem="难题",
        status=ListingStatus.PUBLISHED,
        published_at=now - timedelta(days=170),
        expires_at=now + timedelta(days=expires_in_days),
    )


def test_expired_listing_leaves_the_catalogue_and_the_owner_is_told(owner):
    user, org = owner
    need = _published(org, -1)
    fresh = _published(org, 60)
    assert listings_expire() == 1
    need.refresh_from_db()
    assert need.status == ListingStatus.EXPIRED
    assert list(need_list_visible_to(AnonymousUser())) == [fresh]
    note = Notification.objects.get(user=user)
    assert "已到期下架" in note.title and note.url == f"/needs/{need.pk}/"
    assert len(mail.outbox) == 1 and "续期" in mail.outbox[0].body
    assert listings_expire() == 0


def test_owner_is_reminded_once_before_expiry(owner):
    user, org = owner
    _published(org, 5)
    _published(org, 100)
    assert listings_remind_expiring() == 1
    assert listings_remind_expiring() == 0
    assert Notification.objects.filter(user=user).count() == 1
    assert "到期" in Notification.objects.get(user=user).title


def test_renewing_an_expired_listing_publishes_it_again_with_a_new_expiry(owner):
    user, org = owner
    need = _published(org, -1)
    listings_expire()
    need.refresh_from_db()
    listing_transition(item=need, action="renew", acting_user=user)
    assert need.status == ListingStatus.PUBLISHED
    assert need.expires_at > timezone.now() + timedelta(days=150)


def test_periodic_tasks_in_the_beat_schedule_are_registered(settings):
    from config.celery import app

    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]
