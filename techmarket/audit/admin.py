from typing import Any

from django.contrib import admin

from .models import AuditLog
from .services import audit_record, snapshot


def _label(obj: Any) -> str:
    return obj._meta.model_name


class AuditedModelAdmin(admin.ModelAdmin):
    """Admin whose saves and deletes — inline rows and bulk deletes included — leave an audit record
    with before and after, like every other write."""

    def save_model(self, request: Any, obj: Any, form: Any, change: bool) -> None:
        before = snapshot(type(obj).objects.get(pk=obj.pk)) if change and obj.pk else None
        super().save_model(request, obj, form, change)
        audit_record(
            actor=request.user,
            action=f"admin.{_label(obj)}.{'change' if change else 'add'}",
            target=obj,
            before=before,
            after=snapshot(obj),
            request=request,
        )

    def delete_model(self, request: Any, obj: Any) -> None:
        audit_record(
            actor=request.user,
            action=f"admin.{_label(obj)}.delete",
            target=obj,
            before=snapshot(obj),
            request=request,
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request: Any, queryset: Any) -> None:
        for obj in queryset:
            audit_record(
                actor=request.user,
                action=f"admin.{_label(obj)}.delete",
                target=obj,
                before=snapshot(obj),
                request=request,
            )
        super().delete_queryset(request, queryset)

    def save_formset(self, request: Any, form: Any, formset: Any, change: bool) -> None:
        """Inline rows (memberships of an organisation, IP rights of an achievement ...) are audited one by one."""
        befores = {
            f.instance.pk: snapshot(type(f.instance).objects.get(pk=f.instance.pk))
            for f in formset.initial_forms
            if f.instance.pk and f.has_changed()
        }
        deleted = [
            (obj, snapshot(obj))
            for obj in (
                f.instance
                for f in formset.initial_forms
                if formset.can_delete and formset._should_delete_form(f)
            )
        ]
        super().save_formset(request, form, formset, change)
        for obj, before in deleted:
            audit_record(
                actor=request.user,
                action=f"admin.{_label(obj)}.delete",
                target=None,
                before=before,
                note=str(obj)[:200],
                request=request,
            )
        for obj in formset.new_objects:
            audit_record(
                actor=request.user,
                action=f"admin.{_label(obj)}.add",
                target=obj,
                after=snapshot(obj),
                request=request,
            )
        for obj, _fields in formset.changed_objects:
            audit_record(
                actor=request.user,
                action=f"admin.{_label(obj)}.change",
                target=obj,
                before=befores.get(obj.pk),
                after=snapshot(obj),
                request=request,
            )


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
