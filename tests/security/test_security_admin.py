"""Finding 7: in /admin/ a staff operator (not superuser) cannot grant superuser or staff status, cannot
move or edit API tokens, and every admin change, inline rows included, lands in the audit log."""

import pytest
from django.contrib.auth.models import Group, Permission
from factories import OrganizationFactory, UserFactory, make_operator

from techmarket.accounts.services import api_token_create
from techmarket.audit.models import AuditLog
from techmarket.orgs.models import Membership, Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_operator():
    """Like the demo operator: staff, in a group with every accounts/orgs/reference/audit permission."""
    user = make_operator()
    user.is_staff = True
    user.save()
    group = Group.objects.create(name="平台运营")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["accounts", "orgs", "reference", "audit"])
    )
    user.groups.add(group)
    return user


def _user_form(target, **overrides):
    data = {
        "username": target.username,
        "email": target.email,
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "real_name": target.real_name,
        "phone": "",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "08:00:00",
        "email_verified_at_0": "2026-01-01",
        "email_verified_at_1": "08:00:00",
    }
    data.update(overrides)
    return data


def test_staff_operator_cannot_make_anyone_superuser_or_staff(client, staff_operator):
    target = UserFactory()
    client.force_login(staff_operator)
    response = client.post(
        f"/admin/accounts/user/{target.pk}/change/",
        _user_form(target, is_superuser="on", is_staff="on", real_name="改名"),
    )
    assert response.status_code in (200, 302)
    target.refresh_from_db()
    assert not target.is_superuser and not target.is_staff
    staff_operator.refresh_from_db()
    assert not staff_operator.is_superuser


def test_staff_operator_cannot_edit_a_superuser_account(client, staff_operator):
    boss = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(staff_operator)
    response = client.post(
        f"/admin/accounts/user/{boss.pk}/change/", _user_form(boss, email="evil@example.com")
    )
    boss.refresh_from_db()
    assert boss.email != "evil@example.com"
    assert response.status_code in (302, 403)


def test_user_change_in_admin_is_audited_with_before_and_after(client, staff_operator):
    target = UserFactory(real_name="旧名")
    client.force_login(staff_operator)
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", _user_form(target, real_name="新名"))
    assert response.status_code == 302, response.content.decode()[:2000]
    record = AuditLog.objects.get(action="admin.user.change", target_id=str(target.pk))
    assert record.before["real_name"] == "旧名" and record.after["real_name"] == "新名"
    assert "password" not in record.after


def test_api_tokens_are_read_only_in_admin(client, staff_operator):
    owner, thief = UserFactory(), UserFactory()
    token, _secret = api_token_create(user=owner, name="同步")
    client.force_login(staff_operator)
    client.post(f"/admin/accounts/apitoken/{token.pk}/change/", {"user": thief.pk, "name": "同步"})
    token.refresh_from_db()
    assert token.user_id == owner.pk
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403


def test_membership_added_through_the_organisation_inline_is_audited(client, django_user_model):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    org = OrganizationFactory()
    newcomer = UserFactory()
    client.force_login(superuser)
    page = client.get(f"/admin/orgs/organization/{org.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if not isinstance(value, list | tuple)
    }
    data.update(
        {
            "region": org.region_id,
            "tags": [],
            "memberships-TOTAL_FORMS": "1",
            "memberships-INITIAL_FORMS": "0",
            "memberships-MIN_NUM_FORMS": "0",
            "memberships-MAX_NUM_FORMS": "1000",
            "memberships-0-user": newcomer.pk,
            "memberships-0-role": Role.ORG_ADMIN,
            "memberships-0-is_active": "on",
            "memberships-0-organization": org.pk,
        }
    )
    for key in [k for k, v in data.items() if v is True]:
        data[key] = "on"
    for key in [k for k, v in data.items() if v is False]:
        del data[key]
    response = client.post(f"/admin/orgs/organization/{org.pk}/change/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    assert Membership.objects.filter(user=newcomer, organization=org, role=Role.ORG_ADMIN).exists()
    record = AuditLog.objects.get(action="admin.membership.add")
    assert record.after["user_id"] == newcomer.pk and record.after["role"] == Role.ORG_ADMIN
