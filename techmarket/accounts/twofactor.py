"""Two-factor login (TOTP, django-otp) for operators, brokers, bureau users and /admin/ (staff).

After the password, such a user must prove a second factor in this session: a code from an
authenticator app (TOTP, RFC 6238) or one of ten single-use recovery codes. A user without a device
is sent to set one up first. TWO_FACTOR_REQUIRED switches the requirement (on in production).
"""

import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django_otp import devices_for_user, match_token, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from techmarket.audit.services import audit_record

from . import roles

RECOVERY_CODES = 10
ALLOWED_PREFIXES = ("/accounts/2fa/", "/accounts/logout/", "/static/", "/i18n/", "/media/")


def requires_two_factor(user: Any) -> bool:
    if not settings.TWO_FACTOR_REQUIRED or not getattr(user, "is_authenticated", False):
        return False
    return bool(
        user.is_staff
        or user.is_superuser
        or roles.is_operator(user)
        or roles.is_broker(user)
        or roles.is_bureau(user)
    )


def pending_totp_device(user: Any) -> TOTPDevice:
    """The unconfirmed device being set up (one per user), created on first call."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


def totp_confirm(*, request: HttpRequest, user: Any, code: str) -> list[str] | None:
    """Confirm the pending device with a code from the app; returns fresh recovery codes, or None."""
    device = pending_totp_device(user)
    if not device.verify_token(code.strip().replace(" ", "")):
        return None
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=True).delete()
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        codes = recovery_codes_renew(user=user)
        audit_record(actor=user, action="accounts.two_factor.enable", target=user, request=request)
    otp_login(request, device)
    return codes


def recovery_codes_renew(*, user: Any) -> list[str]:
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [f"{secrets.randbelow(10**10):010d}" for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def two_factor_verify(*, request: HttpRequest, user: Any, code: str) -> bool:
    """A TOTP code or an unused recovery code (used up by this call) completes the login."""
    device = match_token(user, code.strip().replace(" ", ""))
    if device is None:
        audit_record(actor=user, action="accounts.two_factor.fail", target=user, request=request)
        return False
    otp_login(request, device)
    audit_record(
        actor=user,
        action="accounts.two_factor.verify",
        target=user,
        request=request,
        note="recovery code" if isinstance(device, StaticDevice) else "",
    )
    return True


def has_device(user: Any) -> bool:
    return user_has_device(user, confirmed=True) and any(
        isinstance(d, TOTPDevice) for d in devices_for_user(user, confirmed=True)
    )


class TwoFactorMiddleware:
    """Sends a privileged user who has not passed the second factor in this session to /accounts/2fa/."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and requires_two_factor(user)
            and not user.is_verified()
            and not getattr(request, "api_token", None)
            and not request.path.startswith(ALLOWED_PREFIXES)
        ):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization", "").lower().startswith("bearer "):
                    return self.get_response(request)  # token clients are not session logins
                return JsonResponse(
                    {
                        "error": {
                            "code": "two_factor_required",
                            "message": "请先在网页上完成两步验证。",
                            "fields": {},
                        }
                    },
                    status=403,
                )
            target = "accounts:two_factor_verify" if has_device(user) else "accounts:two_factor_setup"
            return redirect(reverse(target) + "?next=" + request.get_full_path())
        return self.get_response(request)
