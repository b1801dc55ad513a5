"""Two real concurrent moves on PostgreSQL: the row lock makes the second one see the first one's result."""

import threading
import time

import pytest
from django.db import connection, connections
from factories import OrganizationFactory, UserFactory, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.decisions.types import workflow_of
from techmarket.orgs import services as org_services
from techmarket.orgs.models import JoinRequest
from techmarket.orgs.workflow import JOIN_REQUEST
from techmarket.workflow.engine import StaleTransition, Workflow, transition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Earlier transactional tests flush the database, migration data included: load the regions again."""
    from django.core.management import call_command

    call_command("load_reference", verbosity=0)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_second_concurrent_decision_waits_for_the_lock_and_is_refused():
    org = OrganizationFactory()
    admin = make_org_admin(org)
    jr = org_services.join_request_create(user=UserFactory(), organization=org)
    holding = threading.Event()
    base = workflow_of(JOIN_REQUEST)

    def slow_apply(obj, action, now, reason):
        holding.set()
        time.sleep(0.5)  # keep the row locked while the other decision starts

    slow = Workflow(**{**base.__dict__, "name": "test.slow_join", "apply": slow_apply})
    results: dict[str, object] = {}

    def first():
        try:
            transition(
                workflow=slow, obj=JoinRequest.objects.get(pk=jr.pk), action="approve", acting_user=admin
            )
            results["first"] = "ok"
        finally:
            connections.close_all()

    def second():
        holding.wait(5)
        try:
            transition(
                workflow=base, obj=JoinRequest.objects.get(pk=jr.pk), action="reject", acting_user=admin
            )
            results["second"] = "ok"
        except StaleTransition as exc:
            results["second"] = exc.messages[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert results["first"] == "ok"
    assert "该条目已被他人处理（当前状态：已同意）" in str(results["second"])
    assert JoinRequest.objects.get(pk=jr.pk).status == JoinRequest.Status.APPROVED
    assert AuditLog.objects.filter(action__startswith="orgs.join_request.", target_id=str(jr.pk)).count() == 2
