"""Level 3: operators, brokers, bureau users and /admin/ need a second factor (TOTP) after the password;
recovery codes work once; ordinary users are not asked."""

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from factories import DEFAULT_PASSWORD, UserFactory, make_broker, make_bureau, make_operator

from techmarket.audit.models import AuditLog

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _two_factor_on(settings):
    settings.TWO_FACTOR_REQUIRED = True


def _login(user):
    client = Client()
    assert (
        client.post(
            reverse("accounts:login"), {"username": user.username, "password": DEFAULT_PASSWORD}
        ).status_code
        == 302
    )
    return client


def _code(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_operator_must_set_up_totp_then_gets_in_with_recovery_codes():
    operator = make_operator()
    client = _login(operator)
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302 and reverse("accounts:two_factor_setup") in response["Location"]
    assert client.get("/audit/").status_code == 302
    client.get(reverse("accounts:two_factor_setup"))
    device = TOTPDevice.objects.get(user=operator, confirmed=False)
    wrong = client.post(
        reverse("accounts:two_factor_setup"), {"code": "000000" if _code(device) != "000000" else "111111"}
    )
    assert "验证码不正确" in wrong.content.decode()
    # django-otp throttles after a failure (1 s, 2 s, 4 s ...): a person waits, the test resets it.
    TOTPDevice.objects.filter(pk=device.pk).update(
        throttling_failure_count=0, throttling_failure_timestamp=None
    )
    done = client.post(reverse("accounts:two_factor_setup"), {"code": _code(device)})
    codes = done.context["codes"]
    assert len(codes) == 10
    assert client.get("/audit/").status_code == 200
    assert AuditLog.objects.filter(action="accounts.two_factor.enable").exists()


def _enrolled(user):
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    from techmarket.accounts.twofactor import recovery_codes_renew

    return device, recovery_codes_renew(user=user)


def test_a_bureau_user_without_a_device_is_sent_to_set_one_up():
    client = _login(make_bureau())
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302 and reverse("accounts:two_factor_setup") in response["Location"]


def test_broker_with_a_device_is_asked_for_the_code_at_each_login():
    broker = make_broker()
    device, _codes = _enrolled(broker)
    client = _login(broker)
    response = client.get(reverse("core:workspace"))
    assert reverse("accounts:two_factor_verify") in response["Location"]
    assert client.post(reverse("accounts:two_factor_verify"), {"code": _code(device)}).status_code == 302
    assert client.get(reverse("core:workspace")).status_code == 200


def test_a_recovery_code_works_once():
    operator = make_operator()
    _device, codes = _enrolled(operator)
    first = _login(operator)
    assert first.post(reverse("accounts:two_factor_verify"), {"code": codes[0]}).status_code == 302
    assert first.get(reverse("core:workspace")).status_code == 200
    second = _login(operator)
    again = second.post(reverse("accounts:two_factor_verify"), {"code": codes[0]})
    assert again.status_code == 200 and "不正确" in again.content.decode()


def test_admin_needs_the_second_factor_too():
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client = _login(superuser)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/accounts/2fa/" in response["Location"]


def test_session_api_calls_of_an_unverified_operator_are_refused():
    client = _login(make_operator())
    response = client.get("/api/accounts/me")
    assert response.status_code == 403 and response.json()["error"]["code"] == "two_factor_required"


def test_ordinary_users_log_in_with_the_password_alone():
    client = _login(UserFactory())
    assert client.get(reverse("core:workspace")).status_code == 200


def test_admin_never_shows_a_devices_secret_or_qr_code():
    owner = make_broker()
    device, _codes = _enrolled(owner)
    admin = UserFactory(is_staff=True, is_superuser=True)
    admin_device, _codes = _enrolled(admin)
    client = _login(admin)
    client.post(reverse("accounts:two_factor_verify"), {"code": _code(admin_device)})
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    for view in ("otp_totp_totpdevice_config", "otp_totp_totpdevice_qrcode"):
        assert client.get(reverse(f"admin:{view}", args=[device.pk])).status_code == 403
        assert client.get(reverse(f"admin:{view}", args=[device.pk + 1000])).status_code == 403  # not 500


def test_the_setup_and_verify_pages_show_only_the_logo_and_logout():
    """Every other page sends an unverified operator back here: the full menu would lead nowhere."""
    operator = make_operator()
    client = _login(operator)
    setup = client.get(reverse("accounts:two_factor_setup")).content.decode()
    assert 'id="totp-secret"' in setup and "退出登录" in setup and reverse("accounts:logout") in setup
    for elsewhere in ("needs:list", "contracts:list", "core:workspace", "notifications:list", "audit:log"):
        assert f'href="{reverse(elsewhere)}"' not in setup, elsewhere
    assert "政策与金融" not in setup and 'id="mainNav"' not in setup
    device = TOTPDevice.objects.get(user=operator)
    device.confirmed = True
    device.save()
    verify = _login(operator).get(reverse("accounts:two_factor_verify")).content.decode()
    assert "退出登录" in verify and 'id="mainNav"' not in verify
    # once verified, the full menu is back
    client.post(reverse("accounts:two_factor_verify"), {"code": _code(device)})
    assert 'id="mainNav"' in client.get(reverse("needs:list")).content.decode()
