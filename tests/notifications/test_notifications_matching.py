"""Publishing a need tells the subscribers whose saved search lists it — and nobody who may not see it."""

from datetime import timedelta

import pytest
from django.core import mail
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_broker, make_operator

from techmarket.audit.models import AuditLog
from techmarket.catalog.models import ListingStatus, Visibility
from techmarket.catalog.workflow import listing_transition
from techmarket.experts.models import Expert
from techmarket.needs.models import Need
from techmarket.notifications import selectors, services
from techmarket.notifications.models import Notification, NotificationKind, SavedSearch
from techmarket.notifications.tasks import flush_saved_search_emails
from techmarket.orgs.models import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator():
    return make_operator()


@pytest.fixture
def owner_org():
    return OrganizationFactory()


def pending_need(org, title="磷酸铁锂电池正极材料低温性能提升", **fields):
    fields.setdefault("summary", "提升 -20℃ 放电容量保持率")
    need = Need(owner=org, title=title, problem="低温下容量衰减明显", status=ListingStatus.PENDING, **fields)
    need.search_text = need.compute_search_text()
    need.save()
    return need


def publish(need, operator, capture):
    with capture(execute=True):
        listing_transition(item=need, action="publish", acting_user=operator)


def subscribe(user, query="q=锂电池", **kwargs):
    return services.saved_search_create(user=user, target="needs", query_string=query, **kwargs)


def test_matching_need_creates_a_notification_and_an_email_for_the_subscriber(
    owner_org, operator, django_capture_on_commit_callbacks
):
    subscriber = UserFactory()
    saved = subscribe(subscriber, name="锂电池需求")
    need = pending_need(owner_org)
    publish(need, operator, django_capture_on_commit_callbacks)
    note = Notification.objects.get(user=subscriber)
    assert note.kind == NotificationKind.SAVED_SEARCH and note.read_at is None
    assert "锂电池需求" in note.title and need.title in note.title and note.url == f"/needs/{need.pk}/"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [subscriber.email]
    assert "锂电池需求" in mail.outbox[0].subject and f"/needs/{need.pk}/" in mail.outbox[0].body
    saved.refresh_from_db()
    assert saved.last_emailed_at is not None and saved.pending_item_ids == []
    assert AuditLog.objects.filter(action="notifications.savedsearch.notify", target_id=str(need.pk)).exists()


def test_a_need_outside_the_saved_filters_notifies_nobody(
    owner_org, operator, django_capture_on_commit_callbacks
):
    subscriber = UserFactory()
    subscribe(subscriber, query="q=锂电池&kind=talent")
    publish(pending_need(owner_org), operator, django_capture_on_commit_callbacks)  # technology, not talent
    publish(
        pending_need(owner_org, title="木材改性与阻燃处理工艺", summary="板材阻燃", kind="talent"),
        operator,
        django_capture_on_commit_callbacks,
    )
    assert not Notification.objects.exists() and mail.outbox == []


@pytest.mark.parametrize("visibility", [Visibility.BROKERS, Visibility.ORGANIZATION])
def test_a_subscriber_who_may_not_see_the_need_gets_nothing(
    owner_org, operator, django_capture_on_commit_callbacks, visibility
):
    ordinary = UserFactory()
    broker = make_broker()
    subscribe(ordinary)
    subscribe(broker)
    publish(pending_need(owner_org, visibility=visibility), operator, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(user=ordinary).exists()
    assert [m.to for m in mail.outbox if ordinary.email in m.to] == []
    broker_notified = Notification.objects.filter(user=broker).exists()
    assert broker_notified is (visibility == Visibility.BROKERS)


def test_members_of_the_owner_organisation_are_not_notified_about_their_own_need(
    owner_org, operator, django_capture_on_commit_callbacks
):
    member = UserFactory()
    MembershipFactory(user=member, organization=owner_org, role=Role.MEMBER)
    outsider = UserFactory()
    subscribe(member)
    subscribe(outsider)
    publish(pending_need(owner_org), operator, django_capture_on_commit_callbacks)
    assert list(Notification.objects.filter(kind="saved_search").values_list("user_id", flat=True)) == [
        outsider.pk
    ]
    # The member hears only that the need was published (review outcome), not about it as a search match.
    saved_search_mails = [m.to for m in mail.outbox if "已审核通过并发布" not in m.subject]
    assert saved_search_mails == [[outsider.email]]


def test_emails_are_rate_limited_per_saved_search_and_waiting_items_go_into_the_next_email(
    owner_org, operator, django_capture_on_commit_callbacks, settings
):
    settings.NOTIFY_EMAIL_MIN_INTERVAL_MINUTES = 60
    subscriber = UserFactory()
    saved = subscribe(subscriber)
    first = pending_need(owner_org, title="锂电池正极材料一")
    second = pending_need(owner_org, title="锂电池隔膜涂覆二")
    third = pending_need(owner_org, title="锂电池电解液三")
    publish(first, operator, django_capture_on_commit_callbacks)
    publish(second, operator, django_capture_on_commit_callbacks)  # inside the interval: in-site only
    assert Notification.objects.filter(user=subscriber).count() == 2
    assert len(mail.outbox) == 1
    saved.refresh_from_db()
    assert saved.pending_item_ids == [second.pk]

    SavedSearch.objects.filter(pk=saved.pk).update(
        last_emailed_at=saved.last_emailed_at - timedelta(minutes=61)
    )
    publish(third, operator, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 2
    body = mail.outbox[1].body
    assert "锂电池隔膜涂覆二" in body and "锂电池电解液三" in body and "锂电池正极材料一" not in body
    assert "2 条新的匹配" in mail.outbox[1].subject
    saved.refresh_from_db()
    assert saved.pending_item_ids == []


def test_the_periodic_flush_sends_waiting_items_once_the_interval_has_passed(
    owner_org, operator, django_capture_on_commit_callbacks
):
    subscriber = UserFactory()
    saved = subscribe(subscriber)
    publish(pending_need(owner_org, title="锂电池正极材料一"), operator, django_capture_on_commit_callbacks)
    publish(pending_need(owner_org, title="锂电池隔膜涂覆二"), operator, django_capture_on_commit_callbacks)
    assert flush_saved_search_emails.delay().get() == 0  # still inside the interval
    saved.refresh_from_db()
    SavedSearch.objects.filter(pk=saved.pk).update(
        last_emailed_at=saved.last_emailed_at - timedelta(minutes=61)
    )
    assert flush_saved_search_emails.delay().get() == 1
    assert len(mail.outbox) == 2 and "锂电池隔膜涂覆二" in mail.outbox[1].body
    assert flush_saved_search_emails.delay().get() == 0  # nothing waits any more


def test_in_site_only_subscription_sends_no_email_and_one_notification_per_user(
    owner_org, operator, django_capture_on_commit_callbacks
):
    subscriber = UserFactory()
    subscribe(subscriber, notify_email=False)
    subscribe(subscriber, query="q=正极材料")
    publish(pending_need(owner_org), operator, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(user=subscriber).count() == 1
    assert len(mail.outbox) == 1  # only from the saved search that asked for e-mail


def test_saved_filters_that_became_invalid_match_nothing_rather_than_everything(
    owner_org, operator, django_capture_on_commit_callbacks
):
    subscriber = UserFactory()
    saved = subscribe(subscriber)
    SavedSearch.objects.filter(pk=saved.pk).update(params={"q": "锂电池", "chain_node": "999999"})
    publish(pending_need(owner_org), operator, django_capture_on_commit_callbacks)
    assert not Notification.objects.exists()


def test_saving_keeps_only_filters_and_refuses_beyond_the_limit_with_a_clear_message():
    user = UserFactory()
    saved = subscribe(user, query="q=锂电池&kind=technology&page=3&utm_source=x")
    assert saved.params == {"q": "锂电池", "kind": "technology"}
    assert saved.name.startswith("技术需求：") and "锂电池" in saved.name and "技术需求" in saved.name
    with pytest.raises(services.ValidationError, match="相同的筛选条件"):
        subscribe(user, query="kind=technology&q=锂电池")
    for n in range(services.MAX_SAVED_SEARCHES - 1):
        subscribe(user, query=f"q=关键词{n}")
    with pytest.raises(services.ValidationError, match="最多保存 20 个订阅"):
        subscribe(user, query="q=再来一个")
    assert SavedSearch.objects.filter(user=user).count() == 20


def test_a_target_whose_app_is_not_there_yet_is_refused_and_never_breaks_publication(
    owner_org, operator, django_capture_on_commit_callbacks, monkeypatch
):
    from techmarket.catalog import registry

    # The achievements type is not registered (its app is not installed yet).
    monkeypatch.delitem(registry._TYPES, "achievements")
    with pytest.raises(services.ValidationError, match="暂不支持订阅"):
        services.saved_search_create(user=UserFactory(), target="achievements", query_string="q=锂电池")
    subscriber = UserFactory()
    old = SavedSearch.objects.create(
        user=subscriber, name="旧订阅", target="achievements", params={"q": "锂电池"}
    )
    need = pending_need(owner_org)
    publish(need, operator, django_capture_on_commit_callbacks)
    assert selectors.saved_search_matches(old, need) is False
    assert services.saved_search_notify(model_label="achievements.achievement", pk=need.pk) == {
        "notified": 0,
        "emailed": 0,
    }


def test_expert_subscriptions_reuse_the_expert_selector_and_skip_the_experts_own_colleagues():
    university = OrganizationFactory()
    colleague, stranger = UserFactory(), UserFactory()
    MembershipFactory(user=colleague, organization=university, role=Role.MEMBER)
    for user in (colleague, stranger):
        services.saved_search_create(user=user, target="experts", query_string="q=正极材料")
    expert = Expert.objects.create(
        name="王立新", affiliation=university, research_fields="磷酸铁锂电池正极材料"
    )
    inactive = Expert.objects.create(
        name="李青", affiliation=OrganizationFactory(), research_fields="正极材料", is_active=False
    )
    services.saved_search_notify(model_label="experts.expert", pk=expert.pk)
    services.saved_search_notify(model_label="experts.expert", pk=inactive.pk)
    assert list(Notification.objects.values_list("user_id", "url")) == [
        (stranger.pk, f"/experts/{expert.pk}/")
    ]
