"""Operators configure the points (groups, indicators, weights, caps) here; every change is audited and
recomputes the points of every enterprise after the commit (finance.signals)."""

from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import FinanceProduct, Indicator, IndicatorGroup


class IndicatorInline(admin.TabularInline):
    model = Indicator
    extra = 0
    fields = ["label", "source", "points_per_unit", "cap", "is_active", "sort_order"]


@admin.register(IndicatorGroup)
class IndicatorGroupAdmin(AuditedModelAdmin):
    list_display = ["name", "cap", "sort_order"]
    inlines = [IndicatorInline]


@admin.register(Indicator)
class IndicatorAdmin(AuditedModelAdmin):
    list_display = ["label", "group", "source", "points_per_unit", "cap", "is_active"]
    list_filter = ["group", "is_active"]


@admin.register(FinanceProduct)
class FinanceProductAdmin(AuditedModelAdmin):
    list_display = ["name", "provider", "kind", "status", "min_amount", "max_amount"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "provider__name"]
    raw_id_fields = ["provider", "created_by"]
    readonly_fields = ["status"]
