from django.contrib import admin

from .models import FinanceSeeking, Fund, Interest, Investment


@admin.register(Fund)
class FundAdmin(admin.ModelAdmin):
    list_display = ["name", "manager", "ticket_min", "ticket_max", "is_active"]
    search_fields = ["name", "manager__name"]
    filter_horizontal = ["industries", "chain_nodes", "regions"]


@admin.register(FinanceSeeking)
class FinanceSeekingAdmin(admin.ModelAdmin):
    list_display = ["title", "organization", "amount", "stage", "status"]
    search_fields = ["title", "organization__name"]
    raw_id_fields = ["organization", "created_by"]


@admin.register(Interest)
class InterestAdmin(admin.ModelAdmin):
    list_display = ["fund", "target", "kind", "status", "created_at"]
    list_filter = ["status", "kind"]
    raw_id_fields = ["fund", "achievement", "seeking", "target", "engagement", "event", "created_by"]
    readonly_fields = ["status"]


@admin.register(Investment)
class InvestmentAdmin(admin.ModelAdmin):
    list_display = ["fund", "target", "amount", "stage", "invested_on"]
    list_filter = ["stage"]
    raw_id_fields = ["interest", "fund", "target", "created_by"]
