"""The audit helper, snapshots and the operator-only audit log page."""

import datetime
import decimal
import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import models
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from factories import OrganizationFactory, UserFactory, make_bureau, make_org_admin

from techmarket.audit.models import AuditLog
from techmarket.audit.selectors import audit_log_list
from techmarket.audit.services import audit_record, snapshot

pytestmark = pytest.mark.django_db


def test_audit_record_stores_actor_target_before_after_note_and_ip():
    user = UserFactory(username="auditor")
    org = OrganizationFactory(name="审计对象有限公司")
    request = RequestFactory().post("/", REMOTE_ADDR="198.51.100.20")
    record = audit_record(
        actor=user,
        action="orgs.organization.edit",
        target=org,
        before={"name": "旧"},
        after={"name": "新"},
        note="更正名称",
        request=request,
    )
    record.refresh_from_db()
    assert (record.actor, record.actor_label, record.action) == (user, "auditor", "orgs.organization.edit")
    assert (record.target_type.model, record.target_id, record.target_label) == (
        "organization",
        str(org.pk),
        "审计对象有限公司",
    )
    assert (record.before, record.after, record.note) == ({"name": "旧"}, {"name": "新"}, "更正名称")
    assert record.ip_address == "198.51.100.20"
    assert record.changed_fields() == [("机构名称", "旧", "新")]


def test_changed_fields_and_actions_read_in_words_for_models_not_in_the_label_table():
    from techmarket.audit.labels import action_label

    org = OrganizationFactory(name="状态对象有限公司")
    record = audit_record(
        actor=None,
        action="orgs.organization.approve",
        target=org,
        before={"status": "pending", "unknown_key": 1},
        after={"status": "approved", "unknown_key": 2},
    )
    assert record.changed_fields() == [("审核状态", "待审核", "已通过"), ("unknown_key", 1, 2)]
    assert action_label("contracts.contract.update") == "技术合同 · 修改"
    assert action_label("newapp.thing.approve", type(org)) == "机构 · 通过"
    assert action_label("nosuchapp.thing.do") == "nosuchapp.thing.do"


def test_audit_record_without_a_logged_in_actor_is_labelled_system():
    for actor in (None, AnonymousUser()):
        record = audit_record(actor=actor, action="accounts.user.lock")
        assert (record.actor, record.actor_label, record.target_type, record.target_id) == (
            None,
            "系统",
            None,
            "",
        )


def test_audit_record_keeps_its_label_after_the_actor_is_deleted():
    user = UserFactory(username="leaver")
    record = audit_record(actor=user, action="x.y.z")
    user.delete()
    record.refresh_from_db()
    assert (record.actor, record.actor_label) == (None, "leaver")


def test_snapshot_is_json_serialisable_and_leaves_secrets_out():
    user = UserFactory()
    snap = snapshot(user)
    assert "password" not in snap
    assert snap["username"] == user.username
    assert snap["email_verified_at"] == user.email_verified_at.isoformat()
    json.dumps(snap)


def test_snapshot_turns_foreign_keys_decimals_and_dates_into_json_values():
    org = OrganizationFactory()
    snap = snapshot(org, ["region_id", "status", "created_at"])
    assert snap == {"region_id": "371302", "status": "approved", "created_at": org.created_at.isoformat()}
    record = audit_record(
        actor=None,
        action="t.t.t",
        after={"amount": decimal.Decimal("1.50"), "day": datetime.date(2026, 1, 2), "org": org},
    )
    record.refresh_from_db()
    assert record.after == {"amount": "1.50", "day": "2026-01-02", "org": org.pk}


# The log page


def test_audit_log_page_is_forbidden_to_non_operators():
    for user in (UserFactory(), make_org_admin(), make_bureau()):
        c = Client()
        c.force_login(user)
        response = c.get(reverse("audit:log"))
        assert response.status_code == 403
        assert "没有权限" in response.content.decode()


def test_audit_log_page_sends_anonymous_visitors_to_login(client):
    response = client.get(reverse("audit:log"))
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_audit_log_selector_returns_nothing_to_non_operators():
    audit_record(actor=None, action="x.y.z")
    assert audit_log_list(UserFactory()).count() == 0


@pytest.fixture
def entries(operator):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    org = OrganizationFactory()
    old = audit_record(actor=alice, action="orgs.organization.approve", target=org)
    # Records are immutable through the ORM; backdate this one as the database itself would allow.
    models.QuerySet.update(AuditLog.objects.filter(pk=old.pk), created_at=timezone.now() - timedelta(days=10))
    return {
        "old": old,
        "bob_login": audit_record(actor=bob, action="accounts.user.login", target=bob),
        "alice_reject": audit_record(
            actor=alice, action="orgs.organization.reject", target=org, note="资料不全"
        ),
        "org": org,
    }


def _listed(client, **params):
    response = client.get(reverse("audit:log"), params)
    assert response.status_code == 200
    return {log.pk for log in response.context["page"].object_list}


def test_audit_log_page_lists_everything_newest_first_for_operators(operator_client, entries):
    response = operator_client.get(reverse("audit:log"))
    listed = [log.pk for log in response.context["page"].object_list]
    assert listed[:3] == [entries["alice_reject"].pk, entries["bob_login"].pk, entries["old"].pk]
    html = response.content.decode()
    assert "审计日志" in html and "资料不全" in html


def test_audit_log_filters_by_actor_action_prefix_target_and_date(operator_client, entries):
    assert _listed(operator_client, actor="ali") == {entries["old"].pk, entries["alice_reject"].pk}
    assert _listed(operator_client, action="accounts.") == {entries["bob_login"].pk}
    assert _listed(operator_client, action="orgs.organization.reject") == {entries["alice_reject"].pk}
    assert _listed(operator_client, target_type="organization", target_id=str(entries["org"].pk)) == {
        entries["old"].pk,
        entries["alice_reject"].pk,
    }
    today = timezone.localdate().isoformat()
    recent = _listed(operator_client, actor="ali", date_from=today)
    assert recent == {entries["alice_reject"].pk}
    ten_days_ago = (timezone.localdate() - timedelta(days=10)).isoformat()
    assert _listed(operator_client, actor="ali", date_to=ten_days_ago) == {entries["old"].pk}


def test_audit_log_ignores_an_invalid_date_instead_of_failing(operator_client, entries):
    assert entries["bob_login"].pk in _listed(operator_client, date_from="not-a-date")


def test_client_address_behind_a_trusted_proxy_comes_from_x_forwarded_for(rf, settings):
    from techmarket.audit.services import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9", REMOTE_ADDR="10.0.0.2")
    assert client_ip(request) == "10.0.0.2"
    settings.NUM_PROXIES = 1
    assert client_ip(request) == "203.0.113.9"  # the hop our proxy appended; the first is client-chosen
