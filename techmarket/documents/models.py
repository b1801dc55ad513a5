"""Versioned files attached to any object; their visibility follows the object (see documents.registry)."""

import uuid
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.files.storage import Storage, storages
from django.db import models
from django.utils.translation import gettext_lazy as _


def documents_storage() -> Storage:
    """The private store (STORAGES["documents"]): a directory no URL serves, or S3-compatible storage."""
    return storages["documents"]


def version_path(instance: "DocumentVersion", filename: str) -> str:
    # Never the uploader's file name in the path: the object's key and a random name with the checked extension.
    doc = instance.document
    return f"{doc.content_type.app_label}/{doc.content_type.model}/{doc.object_id}/{uuid.uuid4().hex}.{instance.kind}"


class Document(models.Model):
    """One attachment of an object (a need, an achievement, an engagement…); each upload is a version."""

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    obj = GenericForeignKey("content_type", "object_id")
    title = models.CharField(_("名称"), max_length=200)
    is_confidential = models.BooleanField(
        _("保密附件"), default=False, help_text=_("只有能查看保密详情的人可以看到和下载。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["content_type", "object_id", "title", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return self.title

    @property
    def latest(self) -> "DocumentVersion | None":
        versions = list(self.versions.all())
        return versions[0] if versions else None


class DocumentVersion(models.Model):
    """One uploaded file of a document, checked by content (magic bytes) and size."""

    document = models.ForeignKey(
        Document, verbose_name=_("附件"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveIntegerField(_("版本号"))
    file = models.FileField(_("文件"), storage=documents_storage, upload_to=version_path, max_length=300)
    original_name = models.CharField(_("原文件名"), max_length=255)
    kind = models.CharField(_("文件类型"), max_length=8)
    mime_type = models.CharField(_("MIME 类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    note = models.CharField(_("版本说明"), max_length=300, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["document", "-number"]
        verbose_name = _("附件版本")
        verbose_name_plural = _("附件版本")
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_version_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.document} v{self.number}"

    @property
    def size_label(self) -> Any:
        from django.template.defaultfilters import filesizeformat

        return filesizeformat(self.size)
