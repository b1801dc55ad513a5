"""Moving existing rows onto the kernel keeps them and gives waiting ones the due time they would have had."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from techmarket.workflow.workdays import add_working_days

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("orgs", "0003_enterprise_profile")]
AFTER = [("orgs", "0004_workflow_due_times")]


def test_pending_join_requests_and_organisations_keep_their_rows_and_get_a_due_time():
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    # Other apps stay at their newest migrations (rolling orgs back does not touch them): read their
    # models at that state, e.g. the user table as it is now.
    others = [n for n in executor.loader.graph.leaf_nodes() if n[0] in {"accounts", "reference"}]
    old = executor.loader.project_state(BEFORE + others).apps
    Region = old.get_model("reference", "Region")
    Organization = old.get_model("orgs", "Organization")
    JoinRequest = old.get_model("orgs", "JoinRequest")
    User = old.get_model("accounts", "User")
    region, _created = Region.objects.get_or_create(
        code="371302", defaults={"name": "兰山区", "level": "county"}
    )
    org = Organization.objects.create(
        name="临沂测试机构", kind="enterprise", uscc="91371302MA3C00000X", region=region, status="pending"
    )
    done = Organization.objects.create(
        name="临沂已审机构", kind="enterprise", uscc="91371302MA3C00001X", region=region, status="approved"
    )
    user = User.objects.create(username="applicant", email="a@example.com")
    pending = JoinRequest.objects.create(user=user, organization=done, status="pending")
    decided = JoinRequest.objects.create(user=user, organization=org, status="rejected")
    created = timezone.now() - datetime.timedelta(days=30)
    Organization.objects.filter(pk=org.pk).update(created_at=created)
    JoinRequest.objects.filter(pk=pending.pk).update(created_at=created)

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps
    Organization = new.get_model("orgs", "Organization")
    JoinRequest = new.get_model("orgs", "JoinRequest")
    assert Organization.objects.count() == 2 and JoinRequest.objects.count() == 2
    assert Organization.objects.get(pk=org.pk).due_at == add_working_days(created, 3)
    assert Organization.objects.get(pk=done.pk).due_at is None
    assert JoinRequest.objects.get(pk=pending.pk).due_at == add_working_days(created, 5)
    assert JoinRequest.objects.get(pk=decided.pk).due_at is None

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
