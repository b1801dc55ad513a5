"""Where uploaded import files live: a private directory outside MEDIA_ROOT, with no URL.

Uploads carry confidential details and contacts; they are read back only by the import itself and
downloaded only through the permission-checked job views, then deleted when the import ends.
"""

import uuid
from typing import Any

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.deconstruct import deconstructible


@deconstructible
class PrivateImportStorage(FileSystemStorage):
    """File system storage under IMPORT_FILES_ROOT that refuses to build public URLs."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("location", str(settings.IMPORT_FILES_ROOT))
        kwargs.setdefault("file_permissions_mode", 0o600)
        kwargs.setdefault("directory_permissions_mode", 0o700)
        super().__init__(**kwargs)

    def url(self, name: str | None) -> str:
        raise ValueError("Import files have no public URL; use the job's download view.")


def private_import_storage() -> PrivateImportStorage:
    return PrivateImportStorage()


def upload_name(instance: Any, filename: str) -> str:
    """A random name: nobody can guess a file from the uploader's file name."""
    return f"{instance.spec_key}/{uuid.uuid4().hex}.xlsx"


def error_file_name(instance: Any, filename: str) -> str:
    return f"{instance.spec_key}/{uuid.uuid4().hex}-errors.xlsx"
