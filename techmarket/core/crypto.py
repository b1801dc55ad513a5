"""Encryption at rest of confidential details and personal contact data (等保 2.0 level 3, PIPL).

Values are encrypted with Fernet (AES-128-CBC + HMAC-SHA256, the ``cryptography`` package) under
MultiFernet: FIELD_ENCRYPTION_KEYS lists the keys newest first; new writes use the first key, reads try
every key. Rotation: put a new key first, run ``manage.py rotate_field_keys`` (re-encrypts every row with
the newest key), check with ``manage.py rotate_field_keys --check``, then drop the old key.

A stored value is ``enc1:`` + a Fernet token; the empty string stays empty (so "has no phone" can be
filtered). A value without the prefix is a plaintext row written before encryption was switched on:
it is read as it is and encrypted by the next write or the rotation command.

Encrypted columns cannot be searched: any lookup other than isnull and equality with "" raises
FieldError. Where an exact match is needed, keep a keyed digest next to the value (``field_digest``,
HMAC-SHA256 under FIELD_HASH_KEY, which rotation leaves alone).

Production settings refuse to start without both keys; the other modes fall back to the fixed,
public DEV keys below, which protect nothing and must never hold real data.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import models
from django.db.models import lookups

PREFIX = "enc1:"

# Development and test only: derived from a public string, so anyone can read data encrypted with it.
DEV_ENCRYPTION_KEY = base64.urlsafe_b64encode(
    hashlib.sha256(b"techmarket DEVELOPMENT-ONLY field encryption key, public, never for real data").digest()
).decode()
DEV_HASH_KEY = "techmarket DEVELOPMENT-ONLY field digest key, public, never for real data"


def parse_keys(keys: list[str] | tuple[str, ...], *, setting: str = "FIELD_ENCRYPTION_KEYS") -> list[Fernet]:
    """Fernet objects for the keys, newest first; a malformed key is a configuration error naming the setting."""
    fernets = []
    for position, key in enumerate(keys, start=1):
        try:
            fernets.append(Fernet(key.encode() if isinstance(key, str) else key))
        except (ValueError, TypeError) as exc:
            raise ImproperlyConfigured(
                f"{setting}: key {position} is not a Fernet key (32 bytes, url-safe base64; create one with "
                f"`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)."
            ) from exc
    return fernets


@lru_cache(maxsize=8)
def _multifernet(keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet(parse_keys(keys))


def configured_keys() -> tuple[str, ...]:
    keys = tuple(getattr(settings, "FIELD_ENCRYPTION_KEYS", None) or ())
    return keys or (DEV_ENCRYPTION_KEY,)


def cipher() -> MultiFernet:
    return _multifernet(configured_keys())


def newest_cipher() -> Fernet:
    return parse_keys(configured_keys()[:1])[0]


def encrypt(plaintext: str) -> str:
    if plaintext == "":
        return ""
    return PREFIX + cipher().encrypt(plaintext.encode("utf-8")).decode("ascii")


def is_encrypted(stored: Any) -> bool:
    return isinstance(stored, str) and stored.startswith(PREFIX)


def decrypt(stored: str) -> str:
    """The plaintext of a stored value; a legacy plaintext value (no prefix) comes back as it is."""
    if not is_encrypted(stored):
        return stored
    try:
        return cipher().decrypt(stored[len(PREFIX) :].encode("ascii")).decode("utf-8")
    except InvalidToken as exc:
        raise ImproperlyConfigured(
            "A stored value cannot be decrypted with any key in FIELD_ENCRYPTION_KEYS: a key still in use "
            "was removed before `manage.py rotate_field_keys` re-encrypted the data."
        ) from exc


def on_newest_key(stored: str) -> bool:
    """Whether a stored value is readable with the newest key alone (what rotation achieves)."""
    if stored == "":
        return True
    if not is_encrypted(stored):
        return False
    try:
        newest_cipher().decrypt(stored[len(PREFIX) :].encode("ascii"))
    except InvalidToken:
        return False
    return True


def field_digest(value: str) -> str:
    """A keyed digest of a normalised value for exact-match lookups ("" for an empty value)."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    key = (getattr(settings, "FIELD_HASH_KEY", "") or DEV_HASH_KEY).encode("utf-8")
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).hexdigest()


class _EncryptedExact(lookups.Exact):
    """field="" (or None) works; equality with a value cannot, since every encryption differs."""

    def get_prep_lookup(self) -> Any:
        if self.rhs not in ("", None):
            raise FieldError(
                f"{self.lhs.target.name} is encrypted and cannot be searched by value; use a digest column."
            )
        return ""

    def get_db_prep_lookup(self, value: Any, connection: Any) -> Any:
        return ("%s", [""])


if TYPE_CHECKING:
    _FieldBase = models.Field[Any, Any]
else:
    _FieldBase = object


class EncryptedMixin(_FieldBase):
    """Encrypts on the way to the database and decrypts on the way back; stored as text of any length."""

    def get_internal_type(self) -> str:
        return "TextField"

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        return value if value is None else decrypt(value)

    def to_python(self, value: Any) -> Any:
        if is_encrypted(value):  # fixtures and backups made by dumpdata hold the ciphertext
            value = decrypt(value)
        return super().to_python(value)

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return None
        return encrypt(str(value))

    def value_to_string(self, obj: models.Model) -> str:
        # dumpdata (and the JSON backup) keeps the ciphertext, never the plaintext
        return encrypt(str(self.value_from_object(obj) or ""))

    def get_lookup(self, lookup_name: str) -> Any:
        if lookup_name == "exact":
            return _EncryptedExact
        if lookup_name == "isnull":
            return super().get_lookup(lookup_name)
        return None  # Django then raises FieldError: unsupported lookup

    def get_transform(self, lookup_name: str) -> Any:
        return None


class EncryptedCharField(EncryptedMixin, models.CharField):
    """A CharField whose max_length checks the plaintext; the column is text holding the ciphertext."""


class EncryptedEmailField(EncryptedMixin, models.EmailField):
    pass


class EncryptedTextField(EncryptedMixin, models.TextField):
    pass


def encrypted_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [f for f in model._meta.concrete_fields if isinstance(f, EncryptedMixin)]


def models_with_encrypted_fields() -> list[tuple[type[models.Model], list[models.Field[Any, Any]]]]:
    from django.apps import apps

    found = []
    for model in apps.get_models():
        if model._meta.proxy or not model._meta.managed:
            continue
        fields = encrypted_fields(model)
        if fields:
            found.append((model, fields))
    return found


def encrypt_existing_rows(
    app_label: str, model_name: str, fields: list[str], digests: dict[str, str] | None = None
) -> Any:
    """A migration operation that encrypts the rows written before these fields were encrypted (and
    fills digest columns, {digest field: source field}); backwards, it writes the plaintext back."""
    from django.db import migrations

    def forwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        manager = model._base_manager.using(schema_editor.connection.alias)
        for pk, *values in manager.values_list("pk", *fields).iterator(chunk_size=500):
            changes: dict[str, Any] = {f: v for f, v in zip(fields, values, strict=True) if v is not None}
            for digest, source in (digests or {}).items():
                changes[digest] = field_digest(changes.get(source, ""))
            manager.filter(pk=pk).update(**changes)

    def backwards(apps: Any, schema_editor: Any) -> None:
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        manager = model._base_manager.using(connection.alias)
        table = connection.ops.quote_name(model._meta.db_table)
        pk_column = connection.ops.quote_name(model._meta.pk.column)
        with connection.cursor() as cursor:
            for pk, *values in manager.values_list("pk", *fields).iterator(chunk_size=500):
                for field, value in zip(fields, values, strict=True):
                    column = connection.ops.quote_name(model._meta.get_field(field).column)
                    cursor.execute(
                        f"UPDATE {table} SET {column} = %s WHERE {pk_column} = %s",  # noqa: S608 - quoted names
                        [value, pk],
                    )

    return migrations.RunPython(forwards, backwards, elidable=False)
