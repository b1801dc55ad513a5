from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import ChainNode, Discipline, Industry, IndustryChain, Region, TechnologyReadinessLevel


class ReadOnlyCodeAdmin(admin.ModelAdmin):
    """National code tables are facts: browse them here, change them with `load_reference`."""

    search_fields = ["code", "name"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Region)
class RegionAdmin(ReadOnlyCodeAdmin):
    list_display = ["code", "name", "level", "full_name"]
    list_filter = ["level"]


@admin.register(Industry)
class IndustryAdmin(ReadOnlyCodeAdmin):
    list_display = ["code", "name", "level", "section"]
    list_filter = ["level", "section"]


@admin.register(Discipline)
class DisciplineAdmin(ReadOnlyCodeAdmin):
    list_display = ["code", "name", "category"]


@admin.register(TechnologyReadinessLevel)
class TRLAdmin(AuditedModelAdmin):
    list_display = ["level", "name", "name_en"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


class ChainNodeInline(admin.TabularInline):
    model = ChainNode
    extra = 1
    fields = ["name", "parent", "sort_order"]


@admin.register(IndustryChain)
class IndustryChainAdmin(AuditedModelAdmin):
    list_display = ["name", "region", "sort_order", "is_active", "updated_at"]
    list_filter = ["is_active"]
    search_fields = ["name"]
    autocomplete_fields = ["region", "industries"]
    inlines = [ChainNodeInline]
