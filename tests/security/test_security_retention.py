"""Level 3 (PIPL): personal data is kept only for PERSONAL_DATA_RETENTION_DAYS; audit records stay."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from factories import MembershipFactory, OrganizationFactory, UserFactory, make_operator

from techmarket.accounts.models import LoginFailure, User, UserSession
from techmarket.accounts.personal_data import personal_data_retention
from techmarket.audit.models import AuditLog
from techmarket.audit.services import audit_record
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


def _aged(days, **kwargs):
    user = UserFactory(**kwargs)
    then = timezone.now() - timedelta(days=days)
    User.objects.filter(pk=user.pk).update(last_login=then, date_joined=then)
    return User.objects.get(pk=user.pk)


def test_accounts_unused_past_the_retention_period_are_anonymised_and_their_audit_records_kept(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    stale = _aged(400, real_name="周八", phone="13811112222")
    MembershipFactory(user=stale, organization=OrganizationFactory())
    expert = Expert.objects.create(
        name="周八",
        affiliation=OrganizationFactory(kind=Organization.Kind.INSTITUTE),
        research_fields="化工",
        user=stale,
        email="zhou@example.cn",
        phone="13811112222",
    )
    recent = _aged(30, real_name="吴九", phone="13833334444")
    never_logged_in_recently_joined = UserFactory(real_name="郑十")
    operator = make_operator()
    User.objects.filter(pk=operator.pk).update(last_login=timezone.now() - timedelta(days=900), is_staff=True)
    audit_record(actor=stale, action="accounts.user.login", target=stale)
    audit_count = AuditLog.objects.filter(actor=stale).count()

    done = personal_data_retention()

    stale.refresh_from_db()
    expert.refresh_from_db()
    assert done["accounts"] == 1
    assert not stale.is_active and stale.username == f"deleted-{stale.pk}"
    assert (
        stale.real_name == stale.phone == "" and stale.email.endswith("@invalid") and stale.phone_digest == ""
    )
    assert not stale.memberships.exists() and not stale.has_usable_password()
    assert expert.email == expert.phone == "" and expert.user_id is None
    for kept in (recent, never_logged_in_recently_joined):
        kept.refresh_from_db()
        assert kept.is_active and kept.real_name
    assert User.objects.get(pk=operator.pk).is_active  # operators' accounts are the operator's business
    # the audit trail of the anonymised account is kept (it follows AUDIT_RETENTION_DAYS, not this setting)
    assert AuditLog.objects.filter(actor=stale).count() >= audit_count
    assert AuditLog.objects.filter(action="accounts.user.delete", target_id=str(stale.pk)).exists()
    assert AuditLog.objects.filter(action="core.personal_data.retention").exists()
    # running again finds nothing new
    assert personal_data_retention()["accounts"] == 0


def test_old_sessions_and_failed_logins_are_deleted(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 180
    user = UserFactory()
    old = timezone.now() - timedelta(days=200)
    UserSession.objects.create(user=user, session_key="a" * 32, ip_address="10.0.0.1", last_seen_at=old)
    UserSession.objects.create(user=user, session_key="b" * 32, ip_address="10.0.0.2")
    LoginFailure.objects.create(user=user, ip_address="10.0.0.3", failures=2)
    LoginFailure.objects.filter(user=user).update(updated_at=old)
    LoginFailure.objects.create(user=user, ip_address="10.0.0.4", failures=1)

    done = personal_data_retention()

    assert done["sessions"] == 1 and done["login_failures"] == 1
    assert list(UserSession.objects.values_list("ip_address", flat=True)) == ["10.0.0.2"]
    assert list(LoginFailure.objects.values_list("ip_address", flat=True)) == ["10.0.0.4"]


def test_zero_switches_retention_off_and_the_command_and_periodic_task_exist(settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 0
    stale = _aged(5000)
    out = io.StringIO()
    call_command("personal_data_retention", stdout=out)
    assert User.objects.get(pk=stale.pk).is_active and "不清理" in out.getvalue()

    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    call_command("personal_data_retention", stdout=out)
    assert not User.objects.get(pk=stale.pk).is_active and "已匿名化 1 个账户" in out.getvalue()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "techmarket.accounts.tasks.apply_personal_data_retention" in tasks
