"""Level 3 (PIPL): a person downloads their personal data and deletes their account."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from factories import DEFAULT_PASSWORD, MembershipFactory, OrganizationFactory, UserFactory

from techmarket.accounts.models import User
from techmarket.audit.models import AuditLog
from techmarket.experts.models import Expert
from techmarket.orgs.models import Organization

pytestmark = pytest.mark.django_db


def test_a_person_downloads_their_data(client):
    user = UserFactory(real_name="张三", phone="13800000000")
    MembershipFactory(user=user, organization=OrganizationFactory(name="临沂某公司"))
    client.force_login(user)
    response = client.get(reverse("accounts:my_data"), {"download": "1"})
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert (
        data["account"]["phone"] == "13800000000" and data["memberships"][0]["organization"] == "临沂某公司"
    )
    assert user.password not in response.content.decode()  # never the password hash
    assert AuditLog.objects.filter(action="accounts.user.export_data").exists()


def test_a_person_deletes_their_account_and_personal_data():
    user = UserFactory(real_name="李四", phone="13900000000", email="lisi@example.com")
    org = OrganizationFactory(kind=Organization.Kind.INSTITUTE)
    expert = Expert.objects.create(
        name="李四",
        affiliation=org,
        research_fields="材料",
        user=user,
        email="lisi@example.com",
        phone="13900000000",
    )
    client = Client()
    client.post(reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert client.post(reverse("accounts:delete_account"), {"confirm": "wrong"}).status_code == 302
    assert User.objects.get(pk=user.pk).is_active
    client.post(reverse("accounts:delete_account"), {"confirm": user.username})
    user.refresh_from_db()
    expert.refresh_from_db()
    assert (
        not user.is_active and user.email.endswith("@invalid") and user.phone == "" and user.real_name == ""
    )
    assert expert.email == "" and expert.phone == "" and expert.user_id is None
    assert Client().login(username="lisi@example.com", password=DEFAULT_PASSWORD) is False
    assert AuditLog.objects.filter(action="accounts.user.delete").exists()
