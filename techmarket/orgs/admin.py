from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import JoinRequest, Membership, Organization, OrganizationTag


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organization)
class OrganizationAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "uscc", "region", "status", "created_at"]
    list_filter = ["status", "kind", "tags"]
    search_fields = ["name", "short_name", "uscc"]
    autocomplete_fields = ["region", "industry"]
    readonly_fields = ["reviewed_by", "reviewed_at", "created_by", "created_at", "updated_at"]
    filter_horizontal = ["tags"]
    inlines = [MembershipInline]


@admin.register(OrganizationTag)
class OrganizationTagAdmin(AuditedModelAdmin):
    list_display = ["name", "sort_order"]


@admin.register(Membership)
class MembershipAdmin(AuditedModelAdmin):
    list_display = ["user", "organization", "role", "broker_level", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "organization__name", "certificate_number"]
    autocomplete_fields = ["user", "organization"]


@admin.register(JoinRequest)
class JoinRequestAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "status", "created_at"]
    list_filter = ["status", "role"]
