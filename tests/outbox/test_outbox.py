"""The transactional outbox: follow-up work commits with the change, survives a broker outage, runs once."""

from unittest import mock

import pytest
from django.db import transaction
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.catalog.models import ListingStatus
from techmarket.catalog.workflow import listing_transition
from techmarket.matching import services as matching_services
from techmarket.needs import services as need_services
from techmarket.orgs.models import Role
from techmarket.outbox import services
from techmarket.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status
REINDEX = "techmarket.matching.tasks.reindex_item"


@pytest.fixture
def owner():
    org = OrganizationFactory(name="临沂锂电科技有限公司")
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return user, org


def _draft_need(user, org):
    return need_services.need_create(
        acting_user=user,
        owner=org,
        title="高端不锈钢冷轧表面缺陷在线检测",
        summary="冷轧带钢表面缺陷识别",
        problem="漏检率高",
        cooperation_modes=["joint"],
        rd_cycle_months=12,
        visibility="public",
    )


def _published_need(user, org, operator):
    need = need_services.need_create(
        acting_user=user,
        owner=org,
        title="磷酸铁锂电池正极材料低温性能提升",
        summary="提升 -20℃ 放电容量保持率",
        problem="低温下容量衰减明显",
        parameters=[{"indicator": "-20℃容量保持率", "target": "≥85", "unit": "%"}],
        cooperation_modes=["joint"],
        budget_min=50,
        budget_max=120,
        rd_cycle_months=18,
        visibility="public",
    )
    listing_transition(item=need, action="submit", acting_user=user)
    listing_transition(item=need, action="publish", acting_user=operator)
    return need


def test_outbox_message_rolls_back_with_the_change_it_follows():
    with pytest.raises(RuntimeError), transaction.atomic():
        services.outbox_enqueue(task=REINDEX, args=["needs.need", 1])
        raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()


def test_publishing_writes_follow_up_messages_in_the_same_transaction(
    owner, django_capture_on_commit_callbacks
):
    user, org = owner
    with django_capture_on_commit_callbacks(execute=False):
        need = _published_need(user, org, make_operator())
    tasks = list(OutboxMessage.objects.values_list("task", "args"))
    assert (REINDEX, ["needs.need", need.pk]) in tasks
    assert ("techmarket.matching.tasks.rematch_item", ["needs.need", need.pk]) in tasks
    assert ("techmarket.notifications.tasks.notify_saved_searches", ["needs.need", need.pk]) in tasks
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.PENDING}


def test_follow_up_runs_after_commit_and_the_need_is_indexed(owner, django_capture_on_commit_callbacks):
    user, org = owner
    with django_capture_on_commit_callbacks(execute=True):
        need = _published_need(user, org, make_operator())
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.DONE}
    assert matching_services.index_health()["lag"]["need"] == {
        "listed": 1,
        "missing": 0,
        "stale": 0,
        "orphans": 0,
    }
    assert need.pk


def test_broker_outage_keeps_messages_and_dispatch_after_it_runs_each_once(
    owner, broker_down, django_capture_on_commit_callbacks
):
    user, org = owner
    with django_capture_on_commit_callbacks(execute=True):
        need = _published_need(user, org, make_operator())
    pending = OutboxMessage.objects.filter(status=Status.PENDING)
    assert pending.count() == OutboxMessage.objects.count() >= 3
    # the first refusal opens this process's circuit: the others wait without another connection attempt
    # reindex after submit and publish, saved-search notices, re-matching, the owner's "published" notice
    assert [(m.attempts, "Connection refused" in m.last_error) for m in pending] == [(1, True)] + [
        (0, False)
    ] * 4
    assert matching_services.index_health()["lag"]["need"]["missing"] == 1

    broker_down()  # the broker is back (inline here)
    OutboxMessage.objects.update(available_at=OutboxMessage.objects.first().created_at)
    with mock.patch.object(matching_services, "index_item", wraps=matching_services.index_item) as index_item:
        result = services.outbox_dispatch_due()
        assert services.outbox_dispatch_due()["claimed"] == 0  # a second dispatcher finds nothing to send
    assert result["claimed"] == result["sent"] == OutboxMessage.objects.count()
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.DONE}
    # one run per message: submit and publish each owed a re-index
    assert index_item.call_count == OutboxMessage.objects.filter(task=REINDEX).count() == 2
    assert matching_services.index_health()["lag"]["need"] == {
        "listed": 1,
        "missing": 0,
        "stale": 0,
        "orphans": 0,
    }
    assert need.pk


def test_a_message_delivered_twice_runs_once():
    message = services.outbox_enqueue(task=REINDEX, args=["needs.need", 999])
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.QUEUED)
    with mock.patch.object(matching_services, "index_item", return_value="absent") as index_item:
        assert services.outbox_run(message_id=message.pk) == "done"
        assert services.outbox_run(message_id=message.pk) == "skipped"
    assert index_item.call_count == 1


def test_a_failing_task_is_retried_later_and_gives_up_after_the_maximum(
    settings, django_capture_on_commit_callbacks
):
    settings.OUTBOX_MAX_ATTEMPTS = 2
    with mock.patch.object(matching_services, "index_item", side_effect=ValueError("磁盘已满")):
        with django_capture_on_commit_callbacks(execute=True):
            message = services.outbox_enqueue(task=REINDEX, args=["needs.need", 1])
        message.refresh_from_db()
        assert message.status == Status.PENDING and "磁盘已满" in message.last_error
        assert message.available_at > message.created_at
        OutboxMessage.objects.update(available_at=message.created_at)
        services.outbox_dispatch_due()
    message.refresh_from_db()
    assert message.status == Status.FAILED and message.attempts == 2


def test_a_run_whose_worker_died_is_sent_again_after_its_lease(settings):
    message = services.outbox_enqueue(task=REINDEX, args=["needs.need", 1])
    old = message.created_at.replace(year=message.created_at.year - 1)
    OutboxMessage.objects.filter(pk=message.pk).update(status=Status.RUNNING, claimed_at=old, done_at=None)
    with mock.patch.object(matching_services, "index_item", return_value="absent") as index_item:
        assert services.outbox_dispatch_due() == {"released": 1, "claimed": 1, "sent": 1}
    assert index_item.call_count == 1
    message.refresh_from_db()
    assert message.status == Status.DONE


def test_publishing_answers_with_a_redirect_and_is_saved_while_the_broker_is_down(
    owner, broker_down, django_capture_on_commit_callbacks, client
):
    user, org = owner
    operator = make_operator()
    need = _draft_need(user, org)
    listing_transition(item=need, action="submit", acting_user=user)
    client.force_login(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/needs/{need.pk}/actions/publish/", {"reason": ""})
    assert response.status_code in (200, 302), response.content[:300]
    need.refresh_from_db()
    assert need.status == ListingStatus.PUBLISHED
    owed = OutboxMessage.objects.filter(args=["needs.need", need.pk])
    assert sorted(owed.values_list("task", flat=True)) == sorted(
        [
            REINDEX,
            REINDEX,
            "techmarket.matching.tasks.rematch_item",
            "techmarket.notifications.tasks.notify_saved_searches",
        ]
    )
    assert set(owed.values_list("status", flat=True)) == {Status.PENDING}


def test_reconcile_heals_an_item_whose_follow_up_was_lost(owner, django_capture_on_commit_callbacks):
    user, org = owner
    with django_capture_on_commit_callbacks(execute=False):  # the follow-up is never dispatched
        need = _published_need(user, org, make_operator())
    OutboxMessage.objects.all().delete()
    assert matching_services.index_health()["lag"]["need"]["missing"] == 1
    assert matching_services.index_reconcile() == {"checked_lagging": 1, "indexed": 1}
    assert matching_services.index_health()["lag"]["need"]["missing"] == 0
    need.title = "磷酸铁锂电池正极材料低温性能提升（修订）"
    need.save()
    assert matching_services.index_health()["lag"]["need"]["stale"] == 1
    assert matching_services.index_reconcile() == {"checked_lagging": 1, "indexed": 1}
    assert matching_services.index_health()["lagging"] == 0


def test_done_messages_are_purged_after_a_while_and_failed_ones_kept():
    old = services.outbox_enqueue(task=REINDEX, args=["needs.need", 1])
    failed = services.outbox_enqueue(task=REINDEX, args=["needs.need", 2])
    fresh = services.outbox_enqueue(task=REINDEX, args=["needs.need", 3])
    long_ago = old.created_at.replace(year=old.created_at.year - 1)
    OutboxMessage.objects.filter(pk=old.pk).update(status=Status.DONE, done_at=long_ago)
    OutboxMessage.objects.filter(pk=failed.pk).update(status=Status.FAILED, done_at=long_ago)
    OutboxMessage.objects.filter(pk=fresh.pk).update(status=Status.DONE, done_at=fresh.created_at)
    assert services.outbox_purge_done() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {failed.pk, fresh.pk}


# --- queues: follow-up work never waits behind the long matching work -------------------------------

HEAVY = [
    "techmarket.matching.tasks.embed_pending",
    "techmarket.matching.tasks.rebuild_index",
    "techmarket.matching.tasks.reconcile_index",
]
FOLLOW_UP = [
    REINDEX,
    "techmarket.matching.tasks.rematch_item",
    "techmarket.notifications.tasks.notify_saved_searches",
    "techmarket.outbox.tasks.run_message",
    "techmarket.outbox.tasks.dispatch_due",
    "techmarket.imports.tasks.import_job_step_task",
    "techmarket.imports.tasks.import_job_run_task",
    "techmarket.imports.tasks.reap_dead_jobs",
]


def _queue(name, **options):
    from config.celery import app

    return app.amqp.router.route(options, name, (), {})["queue"].name


def test_celery_routes_the_heavy_matching_tasks_to_their_own_queue_and_the_rest_to_the_default():
    from config.celery import app

    app.loader.import_default_modules()
    for name in HEAVY + FOLLOW_UP:
        assert name in app.tasks, name  # a route names a real task
    assert {name: _queue(name) for name in HEAVY} == dict.fromkeys(HEAVY, "matching")
    assert {name: _queue(name) for name in FOLLOW_UP} == dict.fromkeys(FOLLOW_UP, "celery")
    # beat's periodic entries follow the same routes
    from django.conf import settings

    beat = {entry["task"]: _queue(entry["task"]) for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert beat["techmarket.matching.tasks.embed_pending"] == "matching"
    assert beat["techmarket.outbox.tasks.dispatch_due"] == "celery"
    assert beat["techmarket.imports.tasks.reap_dead_jobs"] == "celery"


def test_outbox_messages_travel_on_their_task_s_queue(django_capture_on_commit_callbacks):
    """Every message is run by the one generic runner: the dispatcher gives it its task's queue, on the
    after-commit path and in the periodic batch alike; the queue named is where Celery publishes."""
    from techmarket.outbox.tasks import run_message

    sent = []
    with mock.patch.object(run_message, "apply_async", side_effect=lambda a, **kw: sent.append((a, kw))):
        with django_capture_on_commit_callbacks(execute=True):
            heavy = services.outbox_enqueue(task=HEAVY[0])
            light = services.outbox_enqueue(task=REINDEX, args=["needs.need", 1])
        later = [services.outbox_enqueue(task=name) for name in (HEAVY[1], FOLLOW_UP[1])]
        OutboxMessage.objects.filter(pk__in=[m.pk for m in later]).update(status=Status.PENDING)
        assert services.outbox_dispatch_due()["sent"] == 2
    queues = {args[0]: kw["queue"] for args, kw in sent}
    assert queues == {heavy.pk: "matching", light.pk: None, later[0].pk: "matching", later[1].pk: None}
    assert _queue("techmarket.outbox.tasks.run_message", queue="matching") == "matching"
    assert _queue("techmarket.outbox.tasks.run_message") == "celery"
    assert set(OutboxMessage.objects.values_list("status", flat=True)) == {Status.QUEUED}


def test_message_queue_follows_glob_routes(settings):
    settings.CELERY_TASK_ROUTES = {"techmarket.analytics.tasks.*": {"queue": "reports"}}
    assert services.message_queue("techmarket.analytics.tasks.refresh_facts") == "reports"
    assert services.message_queue(REINDEX) is None


def test_submitting_and_editing_a_published_need_answer_normally_while_the_broker_is_down(
    owner, broker_down, django_capture_on_commit_callbacks, client
):
    """The other two changes the fault benchmark saw answer 500: a submission (page) and an edit of a
    published need (API, JSON). Both are saved, their follow-up work waits in the outbox."""
    user, org = owner
    draft = _draft_need(user, org)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        submitted = client.post(f"/needs/{draft.pk}/actions/submit/", {"confirm_duplicate": "1"})
    assert submitted.status_code == 302, submitted.content[:300]
    draft.refresh_from_db()
    assert draft.status == ListingStatus.PENDING

    with django_capture_on_commit_callbacks(execute=False):
        published = _published_need(user, org, make_operator())
    OutboxMessage.objects.all().delete()
    with django_capture_on_commit_callbacks(execute=True):
        edited = client.patch(
            f"/api/needs/{published.pk}",
            data={"summary": "提升 -30℃ 放电容量保持率"},
            content_type="application/json",
        )
    assert edited.status_code == 200, edited.content[:300]
    assert edited.json()["summary"] == "提升 -30℃ 放电容量保持率"
    published.refresh_from_db()
    assert published.summary == "提升 -30℃ 放电容量保持率"
    owed = OutboxMessage.objects.filter(args=["needs.need", published.pk])
    assert list(owed.values_list("task", "status")) == [(REINDEX, Status.PENDING)]


@pytest.mark.django_db(transaction=True)
def test_a_run_whose_database_connection_was_killed_is_recorded_not_left_running():
    """The fault benchmark kills every connection of the database: a worker's run that loses its
    connection reconnects to record the outcome instead of leaving the row "running" for its lease."""
    from django.db import OperationalError, connection
    from django.db.models import QuerySet

    message = OutboxMessage.objects.create(task=REINDEX, args=["needs.need", 999], status=Status.QUEUED)
    real_update = QuerySet.update
    outcomes = []

    def update(self, **fields):
        outcomes.append(fields.get("status"))
        if fields.get("status") == Status.DONE and outcomes.count(Status.DONE) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real_update(self, **fields)

    with (
        mock.patch.object(QuerySet, "update", update),
        mock.patch.object(matching_services, "index_item", return_value="absent") as index_item,
        mock.patch.object(connection, "close", wraps=connection.close) as close,
    ):
        assert services.outbox_run(message_id=message.pk) == "done"
    assert outcomes == [Status.RUNNING, Status.DONE, Status.DONE] and close.call_count == 1
    assert index_item.call_count == 1
    assert OutboxMessage.objects.get(pk=message.pk).status == Status.DONE
