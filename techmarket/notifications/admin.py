from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import Notification, SavedSearch


@admin.register(SavedSearch)
class SavedSearchAdmin(AuditedModelAdmin):
    list_display = [
        "name",
        "user",
        "target",
        "notify_in_site",
        "notify_email",
        "last_emailed_at",
        "created_at",
    ]
    list_filter = ["target", "notify_email"]
    search_fields = ["name", "user__username"]
    raw_id_fields = ["user"]


@admin.register(Notification)
class NotificationAdmin(AuditedModelAdmin):
    list_display = ["title", "user", "kind", "read_at", "created_at"]
    list_filter = ["kind"]
    search_fields = ["title", "user__username"]
    raw_id_fields = ["user"]
