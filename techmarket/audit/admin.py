from typing import Any

from django.contrib import admin

from .models import AuditLog
from .services import audit_record, snapshot


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin whose saves and deletes leave an audit record like every other write."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        label = obj._meta.model_name
        audit_record(actor=request.user, action=f"admin.{label}.{'change' if change else 'add'}", target=obj,
                     before=before, after=snapshot(obj), request=request)

    def delete_model(self, request: Any, obj: Any) -> None:
        audit_record(actor=request.user, action=f"admin.{obj._meta.model_name}.delete", target=obj,
                     before=snapshot(obj), request=request)
        super().delete_model(request, obj)


@admin.register(AuditLog)
class AuditLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "actor_label", "action", "target_type", "target_label", "ip_address"]
    list_filter = ["target_type"]
    search_fields = ["actor_label", "action", "target_label", "target_id"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False
