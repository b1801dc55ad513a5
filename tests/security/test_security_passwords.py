"""Level 3: password complexity (character classes) and a configurable maximum password age."""

from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from factories import DEFAULT_PASSWORD, UserFactory

from techmarket.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("weak", ["onlylowercaseletters", "lower-and-symbols!", "ABCDEFGHIJ123"])
def test_passwords_need_three_character_classes(weak):
    with pytest.raises(ValidationError, match="至少 3 类"):
        validate_password(weak)


def test_the_number_of_classes_is_configurable(settings):
    settings.PASSWORD_MIN_CHARACTER_CLASSES = 4
    with pytest.raises(ValidationError):
        validate_password("lower-and-digits-123")
    validate_password("Lower-And-Digits-123")


def test_an_expired_password_must_be_changed_first(client, settings):
    settings.PASSWORD_MAX_AGE_DAYS = 90
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=91))
    client.force_login(user)
    response = client.get(reverse("core:workspace"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:password_change")
    new = "Fresh-River-2027!"
    changed = client.post(
        reverse("accounts:password_change"),
        {"old_password": DEFAULT_PASSWORD, "new_password1": new, "new_password2": new},
    )
    assert changed.status_code == 302
    assert client.get(reverse("core:workspace")).status_code == 200


def test_passwords_do_not_expire_by_default(client):
    user = UserFactory()
    User.objects.filter(pk=user.pk).update(password_changed_at=timezone.now() - timedelta(days=3650))
    client.force_login(user)
    assert client.get(reverse("core:workspace")).status_code == 200
