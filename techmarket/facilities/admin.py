"""Admin pages for operators (outside the guard). States are read-only here: they move through the workflow."""

from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import Booking, Facility, Project


@admin.register(Facility)
class FacilityAdmin(AuditedModelAdmin):
    list_display = ["name", "kind", "owner", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["name", "owner__name"]
    raw_id_fields = ["owner", "region"]
    filter_horizontal = ["industries", "disciplines", "chain_nodes"]
    readonly_fields = [
        "status",
        "status_note",
        "recognised_at",
        "revoked_at",
        "created_by",
        "created_at",
        "updated_at",
    ]


@admin.register(Booking)
class BookingAdmin(AuditedModelAdmin):
    list_display = ["service", "facility", "organization", "status", "starts_at"]
    list_filter = ["status"]
    raw_id_fields = ["facility", "organization", "requested_by", "decided_by", "engagement"]
    readonly_fields = ["status", "decided_at", "due_at", "created_at"]


@admin.register(Project)
class ProjectAdmin(AuditedModelAdmin):
    list_display = ["title", "facility", "status"]
    list_filter = ["status"]
    raw_id_fields = ["facility", "engagement", "booking"]
    readonly_fields = [
        "status",
        "status_note",
        "verified_at",
        "transferred_at",
        "created_by",
        "created_at",
        "updated_at",
    ]
