"""Level 3: the audit log is tamper-evident (hash chain, audit_verify), kept at least six months,
exportable for auditors, and neither operators nor code can change or delete a record."""

from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.db import models
from django.utils import timezone
from factories import UserFactory

from techmarket.audit.models import AuditLog, AuditLogImmutable
from techmarket.audit.services import audit_record

pytestmark = pytest.mark.django_db


def _three():
    user = UserFactory()
    return [
        audit_record(actor=user, action="x.y.a", target=user, before={"a": 1}, after={"a": 2, "d": "1.50"}),
        audit_record(actor=None, action="x.y.b", note="系统"),
        audit_record(actor=user, action="x.y.c", target=user),
    ]


def test_each_record_is_chained_to_the_previous_and_verify_passes(capsys):
    first, second, third = _three()
    assert second.prev_hash == first.record_hash and third.prev_hash == second.record_hash
    call_command("audit_verify")
    assert "审计链完整" in capsys.readouterr().out


def test_verify_finds_an_edited_record():
    _first, second, _third = _three()
    models.QuerySet.update(AuditLog.objects.filter(pk=second.pk), note="改过的说明")  # as a DBA could
    with pytest.raises(CommandError, match="1 处"):
        call_command("audit_verify")


def test_verify_finds_a_deleted_record():
    _first, second, _third = _three()
    models.QuerySet.delete(AuditLog.objects.filter(pk=second.pk))
    with pytest.raises(CommandError):
        call_command("audit_verify")


def test_deleting_a_user_does_not_break_the_chain(capsys):
    user = UserFactory()
    audit_record(actor=user, action="x.y.z", target=user)
    user.delete()
    call_command("audit_verify")


def test_records_cannot_be_changed_or_deleted_through_the_orm():
    record = _three()[0]
    record.note = "x"
    with pytest.raises(AuditLogImmutable):
        record.save()
    with pytest.raises(AuditLogImmutable):
        record.delete()
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.filter(pk=record.pk).update(note="x")
    with pytest.raises(AuditLogImmutable):
        AuditLog.objects.all().delete()


def test_operators_cannot_change_or_delete_records_in_admin(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    record = _three()[0]
    client.force_login(superuser)
    client.post(f"/admin/audit/auditlog/{record.pk}/delete/", {"post": "yes"})
    client.post(f"/admin/audit/auditlog/{record.pk}/change/", {"note": "x"})
    assert AuditLog.objects.get(pk=record.pk).note == ""


def test_retention_keeps_at_least_six_months_and_purges_older_records(settings):
    settings.AUDIT_RETENTION_DAYS = 30  # below the legal minimum: 183 days still apply
    old = _three()[0]
    models.QuerySet.update(
        AuditLog.objects.filter(pk=old.pk), created_at=timezone.now() - timedelta(days=200)
    )
    recent = audit_record(actor=None, action="x.y.recent")
    models.QuerySet.update(
        AuditLog.objects.filter(pk=recent.pk), created_at=timezone.now() - timedelta(days=170)
    )
    call_command("audit_purge")
    assert not AuditLog.objects.filter(pk=old.pk).exists()
    assert AuditLog.objects.filter(pk=recent.pk).exists()
    assert AuditLog.objects.filter(action="audit.log.purge").exists()


def test_operator_exports_the_log_for_auditors_with_hashes(operator_client):
    records = _three()
    response = operator_client.get("/audit/export.csv", {"action": "x.y"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert records[2].record_hash in text and "record_hash" in text.splitlines()[0]
    assert AuditLog.objects.filter(action="audit.log.export").exists()


def test_export_is_for_operators_only(user_client):
    assert user_client.get("/audit/export.csv").status_code in (302, 403)
