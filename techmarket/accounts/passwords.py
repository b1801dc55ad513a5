"""Password policy: complexity (character classes) and an optional maximum age.

PASSWORD_MIN_CHARACTER_CLASSES of lower case, upper case, digits and symbols (default 3) on top of
Django's length, similarity, common-password and all-digit checks; PASSWORD_MAX_AGE_DAYS (0 = never)
sends a user whose password is older to the change-password page before anything else.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _

CLASSES = (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())


class CharacterClassValidator:
    def __init__(self, min_classes: int | None = None) -> None:
        self.min_classes = min_classes

    @property
    def required(self) -> int:
        return self.min_classes or settings.PASSWORD_MIN_CHARACTER_CLASSES

    def validate(self, password: str, user: Any = None) -> None:
        present = sum(any(test(c) for c in password) for test in CLASSES)
        if present < self.required:
            raise ValidationError(
                _("密码须包含小写字母、大写字母、数字、符号中的至少 %(n)d 类。") % {"n": self.required},
                code="password_too_simple",
            )

    def get_help_text(self) -> str:
        return _("至少包含小写字母、大写字母、数字、符号中的 %(n)d 类。") % {"n": self.required}


def password_expired(user: Any) -> bool:
    days = settings.PASSWORD_MAX_AGE_DAYS
    if not days or not getattr(user, "is_authenticated", False):
        return False
    changed = user.password_changed_at or user.date_joined
    return changed < timezone.now() - timedelta(days=days)


class PasswordExpiryMiddleware:
    ALLOWED = ("/accounts/password/", "/accounts/logout/", "/accounts/2fa/", "/static/", "/i18n/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and password_expired(user)
            and not request.path.startswith(self.ALLOWED)
            and not request.path.startswith("/api/")
        ):
            return redirect("accounts:password_change")
        return self.get_response(request)
