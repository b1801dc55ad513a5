"""Admin pages for operators (outside the guard). States are read-only here: they move through the workflow."""

from django.contrib import admin

from techmarket.audit.admin import AuditedModelAdmin

from .models import Event, MeetingRequest, ProjectInterest, Registration


@admin.register(Event)
class EventAdmin(AuditedModelAdmin):
    list_display = ["title", "kind", "organiser", "starts_at", "capacity", "status"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "summary", "organiser__name"]
    autocomplete_fields = ["organiser"]
    readonly_fields = ["status", "status_note", "published_at", "created_by", "created_at", "updated_at"]


@admin.register(Registration)
class RegistrationAdmin(AuditedModelAdmin):
    list_display = ["event", "user", "organization", "status", "checked_in_at", "created_at"]
    list_filter = ["status"]
    search_fields = ["event__title", "user__username", "organization__name", "checkin_code"]
    raw_id_fields = ["event", "user", "organization", "needs", "achievements"]
    readonly_fields = ["status", "status_note", "checkin_code", "checked_in_at", "decided_at", "created_at"]


@admin.register(MeetingRequest)
class MeetingRequestAdmin(AuditedModelAdmin):
    list_display = ["event", "requester", "invitee", "status", "slot", "table", "outcome"]
    list_filter = ["status", "outcome"]
    search_fields = ["event__title", "requester__user__username", "invitee__user__username"]
    raw_id_fields = ["event", "requested_by", "requester", "invitee", "decided_by", "outcome_by"]
    readonly_fields = ["status", "slot", "table", "decided_at", "created_at", "engagement_id"]


@admin.register(ProjectInterest)
class ProjectInterestAdmin(AuditedModelAdmin):
    list_display = ["presenter", "participant", "created_at"]
    raw_id_fields = ["presenter", "participant"]
    readonly_fields = ["created_at"]
