from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import (
    CertificationRecord,
    EnterpriseProfile,
    JoinRequest,
    Membership,
    Organization,
    OrganizationTag,
)


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
class JoinRequestAdmin(AuditedModelAdmin):
    list_display = ["user", "organization", "role", "status", "created_at"]
    list_filter = ["status", "role"]


@admin.register(EnterpriseProfile)
class EnterpriseProfileAdmin(AuditedModelAdmin):
    list_display = [
        "organization",
        "total_staff",
        "rd_staff_count",
        "annual_revenue_range",
        "rd_spending_ratio",
        "updated_at",
    ]
    list_filter = ["annual_revenue_range"]
    search_fields = ["organization__name", "main_products", "core_capabilities"]
    autocomplete_fields = ["organization"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(CertificationRecord)
class CertificationRecordAdmin(AuditedModelAdmin):
    list_display = ["organization", "tag", "certificate_number", "valid_until"]
    list_filter = ["tag"]
    search_fields = ["organization__name", "certificate_number"]
    autocomplete_fields = ["organization"]
