"""Security review regressions: registration (which sends an e-mail each time) is rate limited per IP."""

import pytest
from django.core import mail
from django.urls import reverse

from techmarket.accounts.models import User
from techmarket.orgs.validators import make_uscc

pytestmark = pytest.mark.django_db
PASSWORD = "Qv3!ridge-harbour-lamp"


def _data(n):
    return {
        "username": f"flood{n}",
        "real_name": "孙七",
        "email": f"flood{n}@example.com",
        "phone": "13800000000",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "mode": "create",
        "org_name": f"临沂注册限流测试有限公司{n}",
        "org_kind": "enterprise",
        "org_uscc": make_uscc(f"91371302MA3C5{n:04d}"),
        "org_region": "371302",
        "agree": "on",
    }


def test_registration_is_refused_after_ten_an_hour_from_one_address(client):
    for n in range(10):
        assert client.post(reverse("accounts:register"), _data(n)).status_code == 302, n
    sent = len(mail.outbox)
    response = client.post(reverse("accounts:register"), _data(10))
    assert response.status_code == 200
    assert "注册请求过于频繁" in response.content.decode()
    assert not User.objects.filter(username="flood10").exists()
    assert len(mail.outbox) == sent
