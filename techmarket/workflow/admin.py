from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import HolidayDate


@admin.register(HolidayDate)
class HolidayDateAdmin(AuditedModelAdmin):
    """Operators enter the State Council's arrangement for a year the chinese-calendar package lacks."""

    list_display = ["date", "kind", "name"]
    list_filter = ["kind"]
    date_hierarchy = "date"
    search_fields = ["name"]
