from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import ContactPermission, Expert


@admin.register(Expert)
class ExpertAdmin(AuditedModelAdmin):
    list_display = ["name", "affiliation", "title", "panel_eligible", "is_active", "updated_at"]
    list_filter = ["panel_eligible", "is_active"]
    search_fields = ["name", "research_fields", "affiliation__name", "external_key"]
    autocomplete_fields = ["user", "affiliation", "disciplines", "industries"]
    filter_horizontal = ["related_organizations", "related_experts"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(ContactPermission)
class ContactPermissionAdmin(AuditedModelAdmin):
    list_display = ["expert", "user", "status", "created_at", "decided_at"]
    list_filter = ["status"]
    search_fields = ["expert__name", "user__username"]
    autocomplete_fields = ["expert", "user"]
    readonly_fields = ["created_at", "updated_at"]
