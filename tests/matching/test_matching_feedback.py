"""Feedback: stored and audited, a rejection needs a reason, recommend tells the enterprise; workbench access."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from matching_items import make_achievement, make_filler, make_need

from techmarket.audit.models import AuditLog
from techmarket.matching import services
from techmarket.matching.models import MatchFeedback
from techmarket.notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_feedback_is_stored_and_audited_and_reject_needs_a_reason(enterprise, university, broker):
    need, item = make_need(enterprise), make_achievement(university)
    with pytest.raises(ValidationError) as err:
        services.feedback_record(acting_user=broker, source=need, target=item, decision="reject", reason="  ")
    assert "reason" in err.value.message_dict
    fb = services.feedback_record(
        acting_user=broker,
        source=need,
        target=item,
        decision="reject",
        reason="技术路线不同",
        score=0.03,
        rank=2,
    )
    assert MatchFeedback.objects.get() == fb and fb.rank == 2
    log = AuditLog.objects.get(action="matching.matchfeedback.reject")
    assert log.after["reason"] == "技术路线不同" and log.after["target"] == f"achievement:{item.pk}"


def test_recommend_notifies_the_need_owner_and_only_brokers_may_recommend(
    enterprise, enterprise_user, university, broker, django_capture_on_commit_callbacks
):
    need, item = make_need(enterprise), make_achievement(university)
    with pytest.raises(PermissionDenied):
        services.feedback_record(acting_user=enterprise_user, source=need, target=item, decision="recommend")
    with django_capture_on_commit_callbacks(execute=True):
        services.feedback_record(acting_user=broker, source=need, target=item, decision="recommend")
    note = Notification.objects.get(user=enterprise_user)
    assert item.title in note.title and note.url == f"/achievements/{item.pk}/"


def test_workbench_is_for_brokers_and_operators(client, enterprise, enterprise_user, university, broker):
    need = make_need(enterprise)
    make_achievement(university)
    make_filler(university)
    services.rebuild_index()
    client.force_login(enterprise_user)
    assert client.get(f"/matching/workbench/?need={need.pk}").status_code == 403
    assert client.post("/matching/workbench/feedback/", {"need": need.pk, "target": 1}).status_code == 403
    client.force_login(broker)
    page = client.get(f"/matching/workbench/?need={need.pk}")
    assert page.status_code == 200 and "<mark>" in page.content.decode()
    assert need.title in client.get("/matching/workbench/?q=磷酸铁锂").content.decode()


def test_workbench_decision_is_stored_and_exported_as_a_judged_set(
    client, enterprise, university, broker, tmp_path
):
    need, good, bad = make_need(enterprise), make_achievement(university), make_filler(university, n=1)[0]
    client.force_login(broker)
    client.post(
        "/matching/workbench/feedback/",
        {"need": need.pk, "target": good.pk, "decision": "accept", "rank": "1", "score": "0.03"},
    )
    response = client.post(
        "/matching/workbench/feedback/", {"need": need.pk, "target": bad.pk, "decision": "reject"}
    )
    assert response.status_code == 302 and MatchFeedback.objects.count() == 1  # no reason: refused
    client.post(
        "/matching/workbench/feedback/",
        {"need": need.pk, "target": bad.pk, "decision": "reject", "reason": "行业不同"},
    )
    call_command("matching_export_feedback", str(tmp_path / "set"))
    needs = [json.loads(x) for x in (tmp_path / "set" / "needs.jsonl").read_text().splitlines()]
    qrels = [json.loads(x) for x in (tmp_path / "set" / "qrels.jsonl").read_text().splitlines()]
    assert [n["id"] for n in needs] == [f"need:{need.pk}"] and set(needs[0]) == {
        "id",
        "uuid",
        "title",
        "text",
    }
    assert {(q["doc_id"], q["grade"]) for q in qrels} == {
        (f"achievement:{good.pk}", 2),
        (f"achievement:{bad.pk}", 0),
    }


def test_health_page_is_for_operators_and_rebuild_starts(
    client, enterprise, enterprise_user, operator_user, django_capture_on_commit_callbacks
):
    make_need(enterprise)
    client.force_login(enterprise_user)
    assert client.get("/matching/health/").status_code == 403
    client.force_login(operator_user)
    assert "重建索引" in client.get("/matching/health/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):  # the rebuild is owed through the outbox
        client.post("/matching/health/rebuild/")
    assert 'id="health-size">1<' in client.get("/matching/health/").content.decode()
