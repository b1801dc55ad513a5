"""Operators configure the stage checklists and the brokers' fields here (every edit audited)."""

from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import BrokerFields, ChecklistItem


@admin.register(ChecklistItem)
class ChecklistItemAdmin(AuditedModelAdmin):
    """Required items must be done before an engagement leaves their stage (engagements.workflow)."""

    list_display = ["stage", "label", "required", "sort_order", "is_active"]
    list_filter = ["stage", "required", "is_active"]
    list_editable = ["required", "sort_order", "is_active"]
    search_fields = ["label"]


@admin.register(BrokerFields)
class BrokerFieldsAdmin(AuditedModelAdmin):
    """The needs a broker may claim: industries, disciplines and regions (a code covers its sub-codes)."""

    list_display = ["broker", "updated_at"]
    search_fields = ["broker__username", "broker__real_name"]
    autocomplete_fields = ["broker"]
    filter_horizontal = ["industries", "disciplines", "regions"]
