"""One periodic task finds overdue items of every workflow, reminds the people responsible, then operators."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from factories import OrganizationFactory, UserFactory, make_operator, make_org_admin

from techmarket.notifications.models import Notification
from techmarket.orgs import services as org_services
from techmarket.orgs.models import JoinRequest
from techmarket.workflow.services import overdue_notify
from techmarket.workflow.workdays import add_working_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def overdue_join_request():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = org_services.join_request_create(user=UserFactory(), organization=org)
    due = timezone.now() - datetime.timedelta(hours=1)
    JoinRequest.objects.filter(pk=jr.pk).update(due_at=due)
    return jr, admin, due


def test_a_new_join_request_is_due_in_five_working_days():
    org = OrganizationFactory()
    jr = org_services.join_request_create(user=UserFactory(), organization=org)
    assert abs((jr.due_at - add_working_days(jr.created_at, 5)).total_seconds()) < 5


def test_overdue_request_reminds_its_decider_once(overdue_join_request):
    jr, admin, due = overdue_join_request
    operator = make_operator()
    counts = overdue_notify()
    assert counts["reminded"] == 1 and counts["escalated"] == 0
    notice = Notification.objects.get(user=admin)
    assert "已超期" in notice.title
    assert not Notification.objects.filter(user=operator).exists()
    assert overdue_notify()["reminded"] == 0  # idempotent: no duplicate notice
    assert Notification.objects.filter(user=admin).count() == 1


def test_operators_are_told_after_the_grace_period_once(overdue_join_request, settings):
    jr, admin, due = overdue_join_request
    operator = make_operator()
    settings.WORKFLOW_OVERDUE_GRACE_WORKING_DAYS = 2
    later = add_working_days(due, 2) + datetime.timedelta(minutes=1)
    assert overdue_notify(now=later)["escalated"] == 1
    assert Notification.objects.filter(user=operator, title__contains="超期未处理").count() == 1
    assert overdue_notify(now=later + datetime.timedelta(days=3))["escalated"] == 0


def test_decided_requests_are_no_longer_overdue(overdue_join_request):
    jr, admin, due = overdue_join_request
    jr.refresh_from_db()
    org_services.join_request_decide(join_request=jr, acting_user=admin, approve=False)
    jr.refresh_from_db()
    assert jr.due_at is None
    assert overdue_notify()["overdue"] == 0


def test_overdue_listing_review_reminds_operators(settings):
    from techmarket.catalog.workflow import listing_transition
    from techmarket.needs import services as need_services
    from techmarket.needs.models import Need

    org = OrganizationFactory()
    owner = make_org_admin(org)
    operator = make_operator()
    need = need_services.need_create(
        acting_user=owner,
        owner=org,
        title="废水零排放工艺",
        summary="摘要",
        problem="高盐废水",
        cooperation_modes=["joint"],
    )
    listing_transition(item=need, action="submit", acting_user=owner)
    Need.objects.filter(pk=need.pk).update(due_at=timezone.now() - datetime.timedelta(minutes=5))
    assert overdue_notify()["reminded"] == 1
    assert Notification.objects.filter(user=operator, title__contains="废水零排放工艺").exists()


def test_management_command_for_cron_runs_the_same_job(overdue_join_request):
    jr, admin, due = overdue_join_request
    out = StringIO()
    call_command("workflow_overdue", stdout=out)
    assert "新提醒 1 条" in out.getvalue()
    assert Notification.objects.filter(user=admin).count() == 1


def test_beat_schedule_runs_the_overdue_task_hourly(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["workflow-overdue"]
    assert entry["task"] == "techmarket.workflow.tasks.workflow_overdue"
    from techmarket.workflow.tasks import workflow_overdue

    assert workflow_overdue.name == entry["task"]
