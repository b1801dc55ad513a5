from typing import Any

from django.contrib import admin

from .models import Document, DocumentVersion


class VersionInline(admin.TabularInline):
    model = DocumentVersion
    extra = 0
    fields = ("number", "original_name", "kind", "size", "sha256", "note", "uploaded_by", "created_at")
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only overview: files are uploaded and downloaded through the permission-checked, audited views."""

    list_display = ["title", "content_type", "object_id", "is_confidential", "created_by", "updated_at"]
    list_filter = ["content_type", "is_confidential"]
    search_fields = ["title"]
    inlines = [VersionInline]
    readonly_fields = ["content_type", "object_id", "title", "is_confidential", "created_by"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False
