from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import Achievement, AchievementIP


class AchievementIPInline(admin.TabularInline):
    model = AchievementIP
    extra = 0
    fields = ["sort_order", "ip_type", "number", "title", "legal_status", "expiry_date"]


@admin.register(Achievement)
class AchievementAdmin(AuditedModelAdmin):
    list_display = ["title", "owner", "trl", "stage", "status", "visibility", "published_at", "expires_at"]
    list_filter = ["status", "visibility", "stage", "trl"]
    search_fields = ["title", "summary", "owner__name", "external_key"]
    autocomplete_fields = ["owner", "discipline", "region", "industries"]
    raw_id_fields = ["team"]
    readonly_fields = ["created_by", "submitted_at", "published_at", "created_at", "updated_at"]
    inlines = [AchievementIPInline]
