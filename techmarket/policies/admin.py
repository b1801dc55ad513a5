"""Admin pages for operators (outside the guard). States are read-only here: they move through the workflow."""

from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import Policy, PolicyApplication, PolicyPush, PolicyRule


class RuleInline(admin.TabularInline):
    model = PolicyRule
    extra = 0


@admin.register(Policy)
class PolicyAdmin(AuditedModelAdmin):
    list_display = ["title", "level", "support_type", "status", "version", "valid_until"]
    list_filter = ["level", "support_type", "status"]
    search_fields = ["title", "issuer"]
    raw_id_fields = ["region", "created_by"]
    readonly_fields = ["status", "status_note", "version", "published_at", "created_at", "updated_at"]
    inlines = [RuleInline]


@admin.register(PolicyPush)
class PolicyPushAdmin(AuditedModelAdmin):
    list_display = ["policy", "organization", "version", "eligible", "created_at"]
    readonly_fields = ["policy", "organization", "version", "eligible", "reasons", "created_at"]


@admin.register(PolicyApplication)
class PolicyApplicationAdmin(AuditedModelAdmin):
    list_display = ["policy", "organization", "status", "requested_amount", "approved_amount", "paid_amount"]
    list_filter = ["status"]
    raw_id_fields = ["policy", "organization", "requested_by", "decided_by", "paid_by"]
    readonly_fields = [
        "status",
        "approved_amount",
        "paid_amount",
        "paid_at",
        "decided_by",
        "decided_at",
        "paid_by",
    ]
