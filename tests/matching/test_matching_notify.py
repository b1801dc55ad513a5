"""Re-matching on publication: owners hear about matches they may see, at most N per day."""

import pytest
from django.core import mail
from matching_items import make_achievement, make_filler, make_need

from techmarket.catalog.models import Visibility
from techmarket.catalog.workflow import listing_transition
from techmarket.matching import services
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def publish(item, operator, capture):
    item.status = "pending"
    item.save()
    with capture(execute=True):
        listing_transition(item=item, action="publish", acting_user=operator)


def test_a_new_achievement_notifies_the_matching_need_owner_in_site_and_by_email(
    enterprise, enterprise_user, university, operator_user, django_capture_on_commit_callbacks
):
    need = make_need(enterprise)
    make_filler(university)
    services.rebuild_index()
    item = make_achievement(university)
    publish(item, operator_user, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=enterprise_user)
    assert item.title in note.title and need.title in note.body and note.url == f"/achievements/{item.pk}/"
    assert any(enterprise_user.email in m.to for m in mail.outbox)


def test_nobody_is_notified_about_an_achievement_they_may_not_see(
    enterprise, enterprise_user, university, broker, operator_user, django_capture_on_commit_callbacks
):
    from factories import make_broker

    from techmarket.engagements.models import Assignment

    need = make_need(enterprise)
    # Notices about new achievements go to the broker the need is assigned to, not to every broker.
    Assignment.objects.create(need=need, broker=broker, via=Assignment.Via.ASSIGNED)
    other_broker = make_broker()
    make_filler(university)
    services.rebuild_index()
    item = make_achievement(university, visibility=Visibility.BROKERS)
    publish(item, operator_user, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(user=enterprise_user).exists()
    assert Notification.objects.filter(
        user=broker, item_key=f"match:achievements.achievement:{item.pk}"
    ).exists()
    assert not Notification.objects.filter(user=other_broker).exists()


def test_a_new_need_tells_its_owner_about_matching_achievements(
    enterprise, enterprise_user, university, operator_user, django_capture_on_commit_callbacks
):
    item = make_achievement(university)
    make_filler(university)
    services.rebuild_index()
    need = make_need(enterprise)
    publish(need, operator_user, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=enterprise_user, item_key=f"match:needs.need:{need.pk}")
    assert item.title in note.body


def test_match_notifications_are_limited_per_user_per_day(
    settings, enterprise, enterprise_user, university, operator_user, django_capture_on_commit_callbacks
):
    settings.MATCH_NOTIFY_PER_USER_PER_DAY = 2
    make_need(enterprise)
    make_filler(university)
    services.rebuild_index()
    for i in range(4):
        publish(
            make_achievement(university, title=f"磷酸铁锂正极材料低温改性技术第{i + 1}代"),
            operator_user,
            django_capture_on_commit_callbacks,
        )
    assert Notification.objects.filter(user=enterprise_user, item_key__startswith="match:").count() == 2
    assert services.notifications_left_today(enterprise_user) == 0
