"""Writes of attachments: upload a new document or a new version; every download is audited."""

import hashlib
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from techmarket.audit.services import audit_record, snapshot
from techmarket.catalog.text import reject_html

from .content import check_upload
from .models import Document, DocumentVersion
from .selectors import may_upload

VERSION_AUDIT = ["document_id", "number", "original_name", "kind", "size", "sha256", "note"]


def _sha256(upload: Any) -> str:
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def document_upload(
    *,
    obj: Any,
    acting_user: Any,
    upload: Any,
    title: str = "",
    note: str = "",
    document: Document | None = None,
    is_confidential: bool = False,
    request: Any = None,
) -> DocumentVersion:
    """Attach ``upload`` to ``obj`` as a new document, or as the next version of ``document``."""
    if not may_upload(acting_user, obj):
        raise PermissionDenied(_("您无权为该条目上传附件。"))
    if document is not None and (
        document.content_type_id != ContentType.objects.get_for_model(obj).pk or document.object_id != obj.pk
    ):
        raise ValidationError({"document": _("该附件不属于此条目。")})
    kind, mime = check_upload(upload)
    name = str(upload.name).replace("\\", "/").rsplit("/", 1)[-1][:255]
    title = reject_html(str(title or "").strip(), _("名称"))[:200] or name.rsplit(".", 1)[0][:200]
    note = reject_html(str(note or "").strip(), _("版本说明"))[:300]
    with transaction.atomic():
        if document is None:
            document = Document.objects.create(
                content_type=ContentType.objects.get_for_model(obj),
                object_id=obj.pk,
                title=title,
                created_by=acting_user,
                is_confidential=is_confidential,
            )
        else:
            document = Document.objects.select_for_update().get(pk=document.pk)
            document.save(update_fields=["updated_at"])
        number = (document.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = DocumentVersion(
            document=document,
            number=number,
            original_name=name,
            kind=kind,
            mime_type=mime,
            size=upload.size,
            sha256=_sha256(upload),
            note=note,
            uploaded_by=acting_user,
        )
        version.file.save(name, upload, save=False)
        try:
            version.save()
            audit_record(
                actor=acting_user,
                action="documents.document.upload",
                target=document,
                after=snapshot(version, VERSION_AUDIT),
                note=note[:200],
                request=request,
            )
        except Exception:
            version.file.delete(save=False)  # no orphan file in the store when the row is not written
            raise
    return version


def document_download(*, version: DocumentVersion, acting_user: Any, request: Any = None) -> Any:
    """Open a version for download (the caller has it from selectors.version_get_visible); audited."""
    audit_record(
        actor=acting_user,
        action="documents.document.download",
        target=version.document,
        after={"version": version.number, "sha256": version.sha256},
        request=request,
    )
    return version.file.open("rb")
