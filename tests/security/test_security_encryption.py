"""Level 3: confidential details and personal contact data are encrypted at rest with keys from the
settings, can be rotated, and survive a dump and restore; audit records do not copy them in clear."""

import io
import types

import pytest
from cryptography.fernet import Fernet
from django.apps import apps
from django.core import serializers
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.accounts.models import User
from techmarket.audit.models import AuditLog
from techmarket.core import crypto
from techmarket.experts.models import Expert
from techmarket.needs import services as need_services
from techmarket.needs.models import Need
from techmarket.orgs.models import Organization, Role

pytestmark = pytest.mark.django_db

SECRET_DETAIL = "核心工艺窗口：退火温度 860℃，保温 4 小时，供应商为临沂某钢厂"
PHONE = "13912345678"
KEY_OLD = Fernet.generate_key().decode()
KEY_NEW = Fernet.generate_key().decode()


def _raw(model, pk, column):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _set_raw(model, pk, column, value):
    table = connection.ops.quote_name(model._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name(column)} = %s WHERE id = %s",  # noqa: S608
            [value, pk],
        )


def _need(**extra):
    org = OrganizationFactory()
    user = UserFactory()
    MembershipFactory(user=user, organization=org, role=Role.ORG_ADMIN)
    return need_services.need_create(
        acting_user=user,
        owner=org,
        title="高端不锈钢冷轧退火工艺优化",
        summary="提升冷轧板表面质量",
        problem="退火后表面氧化色差",
        confidential_detail=SECRET_DETAIL,
        contact_name="王工",
        contact_phone="0539-8123456",
        **extra,
    )


def _expert(**extra):
    org = OrganizationFactory(kind=Organization.Kind.UNIVERSITY)
    data = {"email": "zhao@example.edu.cn", "phone": PHONE, **extra}
    return Expert.objects.create(name="赵教授", affiliation=org, research_fields="金属材料", **data)


def test_confidential_and_contact_fields_are_ciphertext_in_the_database_and_plaintext_through_the_orm():
    need = _need()
    expert = _expert()
    user = UserFactory(phone=PHONE)
    stored = {
        "need.confidential_detail": (_raw(Need, need.pk, "confidential_detail"), SECRET_DETAIL),
        "need.contact_name": (_raw(Need, need.pk, "contact_name"), "王工"),
        "need.contact_phone": (_raw(Need, need.pk, "contact_phone"), "0539-8123456"),
        "expert.email": (_raw(Expert, expert.pk, "email"), "zhao@example.edu.cn"),
        "expert.phone": (_raw(Expert, expert.pk, "phone"), PHONE),
        "user.phone": (_raw(User, user.pk, "phone"), PHONE),
    }
    for name, (raw, plain) in stored.items():
        assert raw.startswith(crypto.PREFIX), name
        assert plain not in raw and "8123456" not in raw and "zhao" not in raw, name
    fresh = Need.objects.unscoped().get(pk=need.pk)
    assert (fresh.confidential_detail, fresh.contact_name, fresh.contact_phone) == (
        SECRET_DETAIL,
        "王工",
        "0539-8123456",
    )
    expert = Expert.objects.unscoped().get(pk=expert.pk)
    assert (expert.email, expert.phone) == ("zhao@example.edu.cn", PHONE)
    assert User.objects.get(pk=user.pk).phone == PHONE
    # the same plaintext encrypts differently every time (no equality leak between rows)
    other = _expert()
    assert _raw(Expert, other.pk, "phone") != _raw(Expert, expert.pk, "phone")


def test_empty_values_stay_empty_and_encrypted_columns_refuse_value_searches():
    expert = _expert(phone="")
    assert _raw(Expert, expert.pk, "phone") == ""
    assert Expert.objects.unscoped().filter(phone="").filter(pk=expert.pk).exists()
    with pytest.raises(FieldError):
        list(Expert.objects.unscoped().filter(phone__icontains="139"))
    with pytest.raises(FieldError):
        list(Expert.objects.unscoped().filter(phone=PHONE))


def test_a_user_is_found_by_exact_phone_through_the_keyed_digest_and_in_admin_search():
    user = UserFactory(phone=PHONE, real_name="孙七")
    UserFactory(phone="13700000000")
    assert User.objects.get(phone_digest=crypto.field_digest(PHONE)) == user
    assert PHONE not in user.phone_digest
    operator = make_operator()
    operator.is_staff = operator.is_superuser = True
    operator.save()
    client = Client()
    client.force_login(operator)
    response = client.get(reverse("admin:accounts_user_changelist"), {"q": PHONE})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1 and "孙七" in response.content.decode()


def test_audit_records_hold_a_digest_not_the_confidential_text():
    need = _need()
    record = AuditLog.objects.filter(action="needs.need.create", target_id=str(need.pk)).get()
    text = str(record.before) + str(record.after)
    assert SECRET_DETAIL not in text and "8123456" not in text and "王工" not in text
    assert record.after["confidential_detail"].startswith("〔加密内容 ")


def test_dumpdata_keeps_ciphertext_and_loading_it_restores_the_plaintext():
    need = _need()
    dumped = serializers.serialize("json", [Need.objects.unscoped().get(pk=need.pk)])
    assert SECRET_DETAIL not in dumped and "8123456" not in dumped
    Need.objects.unscoped().filter(pk=need.pk).update(confidential_detail="", contact_phone="")
    for obj in serializers.deserialize("json", dumped):
        obj.save()
    restored = Need.objects.unscoped().get(pk=need.pk)
    assert restored.confidential_detail == SECRET_DETAIL and restored.contact_phone == "0539-8123456"


def test_rotation_old_key_readable_until_rotated_then_only_the_new_key_is_needed(settings):
    settings.FIELD_ENCRYPTION_KEYS = [KEY_OLD]
    need = _need()
    expert = _expert()
    old_raw = _raw(Need, need.pk, "confidential_detail")

    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW, KEY_OLD]  # new key first, old one kept
    assert Need.objects.unscoped().get(pk=need.pk).confidential_detail == SECRET_DETAIL
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", "--check", stdout=io.StringIO())

    out = io.StringIO()
    call_command("rotate_field_keys", stdout=out)
    assert "needs.Need" in out.getvalue()
    assert _raw(Need, need.pk, "confidential_detail") != old_raw
    call_command("rotate_field_keys", "--check", stdout=io.StringIO())  # nothing left on the old key
    assert AuditLog.objects.filter(action="core.field_keys.rotate").exists()

    settings.FIELD_ENCRYPTION_KEYS = [KEY_NEW]  # old key removed
    assert Need.objects.unscoped().get(pk=need.pk).confidential_detail == SECRET_DETAIL
    assert Expert.objects.unscoped().get(pk=expert.pk).phone == PHONE

    settings.FIELD_ENCRYPTION_KEYS = [KEY_OLD]  # the retired key alone reads nothing any more
    with pytest.raises(ImproperlyConfigured):
        Need.objects.unscoped().get(pk=need.pk)


def test_the_migration_encrypts_rows_written_in_clear_before_encryption():
    need = _need()
    user = UserFactory(phone="")
    _set_raw(Need, need.pk, "contact_phone", "0539-7654321")  # a row as it was before the migration
    _set_raw(User, user.pk, "phone", PHONE)
    assert Need.objects.unscoped().get(pk=need.pk).contact_phone == "0539-7654321"  # read as it is
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", "--check", stdout=io.StringIO())

    editor = types.SimpleNamespace(connection=connection)
    crypto.encrypt_existing_rows(
        "needs", "need", ["confidential_detail", "contact_name", "contact_phone"]
    ).code(apps, editor)
    crypto.encrypt_existing_rows("accounts", "user", ["phone"], digests={"phone_digest": "phone"}).code(
        apps, editor
    )

    assert _raw(Need, need.pk, "contact_phone").startswith(crypto.PREFIX)
    assert _raw(Need, need.pk, "confidential_detail").startswith(crypto.PREFIX)
    assert Need.objects.unscoped().get(pk=need.pk).contact_phone == "0539-7654321"
    assert User.objects.get(phone_digest=crypto.field_digest(PHONE)) == user
    call_command("rotate_field_keys", "--check", stdout=io.StringIO())
