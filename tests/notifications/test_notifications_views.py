"""The subscription and notification pages, their permission checks and the navbar bell."""

import pytest
from django.test import Client
from factories import OrganizationFactory, UserFactory

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus
from techmarket.needs.models import Need
from techmarket.notifications import services
from techmarket.notifications.models import Notification, SavedSearch

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    c.force_login(user)
    return c


def notify(user, n=1, **fields):
    return [
        Notification.objects.create(user=user, title=f"新的匹配 {i}", url="/needs/1/", **fields)
        for i in range(n)
    ]


def test_needs_list_offers_save_search_to_logged_in_users_only(client):
    assert "保存为订阅" not in client.get("/needs/?q=锂电池").content.decode()
    page = login(UserFactory()).get("/needs/?q=锂电池&kind=talent&page=2").content.decode()
    assert (
        "保存为订阅" in page and 'name="query" value="q=%E9%94%82%E7%94%B5%E6%B1%A0&amp;kind=talent"' in page
    )


def test_saving_from_the_list_query_string_returns_to_the_list_and_is_audited():
    user = UserFactory()
    c = login(user)
    response = c.post(
        "/notifications/searches/new/",
        {"target": "needs", "query": "q=锂电池&kind=talent&page=2", "name": "", "notify_email": "on"},
    )
    saved = SavedSearch.objects.get(user=user)
    assert saved.params == {"q": "锂电池", "kind": "talent"} and saved.notify_email
    assert response.status_code == 302 and response["Location"].startswith("/needs/?q=")
    assert "page" not in response["Location"]
    assert AuditLog.objects.filter(
        action="notifications.savedsearch.create", target_id=str(saved.pk)
    ).exists()


def test_my_saved_searches_shows_the_filters_in_chinese_and_a_link_to_the_list():
    user = UserFactory()
    services.saved_search_create(
        user=user, target="needs", query_string="q=锂电池&kind=talent&industry=30", name="电池人才"
    )
    page = login(user).get("/notifications/searches/").content.decode()
    assert "电池人才" in page and "关键词：锂电池" in page and "类型：人才需求" in page
    assert "行业：非金属矿物制品业" in page  # the industry by name, not its code
    assert 'href="/needs/?q=%E9%94%82%E7%94%B5%E6%B1%A0&amp;kind=talent&amp;industry=30"' in page


def test_edit_and_delete_work_for_the_owner_and_404_for_anybody_else():
    owner, other = UserFactory(), UserFactory()
    saved = services.saved_search_create(user=owner, target="needs", query_string="q=锂电池")
    intruder = login(other)
    assert intruder.post(f"/notifications/searches/{saved.pk}/edit/", {"name": "x"}).status_code == 404
    assert intruder.post(f"/notifications/searches/{saved.pk}/delete/").status_code == 404
    assert "锂电池" not in intruder.get("/notifications/searches/").content.decode()
    c = login(owner)
    c.post(f"/notifications/searches/{saved.pk}/edit/", {"name": "锂电池（仅站内）", "notify_in_site": "on"})
    saved.refresh_from_db()
    assert saved.name == "锂电池（仅站内）" and not saved.notify_email and saved.notify_in_site
    assert c.post(f"/notifications/searches/{saved.pk}/delete/").status_code == 302
    assert not SavedSearch.objects.exists()
    assert AuditLog.objects.filter(action="notifications.savedsearch.delete").exists()


def test_notifications_page_lists_unread_first_and_has_an_empty_state():
    user = UserFactory()
    c = login(user)
    assert "暂无通知" in c.get("/notifications/").content.decode()
    old, new = notify(user, 2)
    Notification.objects.filter(pk=new.pk).update(title="已读的新通知")
    services.notification_mark_read(notification=Notification.objects.get(pk=new.pk), acting_user=user)
    page = c.get("/notifications/").content.decode()
    assert page.index(old.title) < page.index("已读的新通知")


def test_mark_read_mark_all_read_and_another_users_notification_is_404():
    user, other = UserFactory(), UserFactory()
    first, second, third = notify(user, 3)
    assert login(other).post(f"/notifications/{first.pk}/read/").status_code == 404
    c = login(user)
    response = c.post(f"/notifications/{first.pk}/read/", {"open": "1"})
    assert response.status_code == 302 and response["Location"] == "/needs/1/"
    first.refresh_from_db()
    assert first.read_at is not None
    c.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=user, read_at__isnull=True).exists()
    assert AuditLog.objects.filter(action="notifications.notification.read_all", actor=user).exists()


def test_notifications_page_is_paginated_with_bounded_queries(django_assert_max_num_queries):
    user = UserFactory()
    notify(user, 25)
    c = login(user)
    with django_assert_max_num_queries(12):
        page = c.get("/notifications/").content.decode()
    assert page.count("data-notification=") == 20 and "第 1 / 2 页" in page
    assert c.get("/notifications/?page=2").content.decode().count("data-notification=") == 5


def test_navbar_bell_shows_the_unread_count_of_the_current_user():
    user, other = UserFactory(), UserFactory()
    notify(user, 3)
    notify(other, 1)
    Notification.objects.filter(pk=Notification.objects.filter(user=user).first().pk).update(
        read_at="2025-01-01T00:00:00Z"
    )
    page = login(user).get("/needs/").content.decode()
    assert '<span class="badge rounded-pill text-bg-danger" id="unread-count">2</span>' in page
    assert 'id="unread-count"' not in login(UserFactory()).get("/needs/").content.decode()


def test_pages_need_login(client):
    assert client.get("/notifications/").status_code == 302
    assert client.get("/notifications/searches/").status_code == 302
    response = client.post("/notifications/searches/new/", {"target": "needs", "query": "q=x"})
    assert response.status_code == 302 and "/accounts/login" in response["Location"]
    assert not SavedSearch.objects.exists()


def test_owner_label_is_never_leaked_to_a_notification_about_an_anonymous_need(client):
    org = OrganizationFactory(name="保密的发布机构")
    need = Need.objects.create(
        owner=org,
        title="锂电池需求",
        summary="摘要",
        problem="难题",
        status=ListingStatus.PUBLISHED,
        is_anonymous=True,
    )
    subscriber = UserFactory()
    saved = services.saved_search_create(user=subscriber, target="needs", query_string="")
    assert saved.name == "全部技术需求"
    services.saved_search_notify(model_label="needs.need", pk=need.pk)
    note = Notification.objects.get(user=subscriber)
    assert "保密的发布机构" not in note.title + note.body
