from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.utils.translation import gettext_lazy as _

from techmarket.audit.admin import AuditedModelAdmin
from techmarket.audit.services import audit_record
from techmarket.core.crypto import field_digest

from .models import ApiToken, User

# Only a superuser may grant or take away these: a staff operator who could set them would make
# themselves (or an accomplice) all-powerful, outside the platform's role model.
PRIVILEGE_FIELDS = ["is_superuser", "is_staff", "groups", "user_permissions"]


@admin.register(User)
class UserAdmin(AuditedModelAdmin, BaseUserAdmin):
    list_display = ["username", "real_name", "email", "email_verified_at", "is_active", "locked_until"]
    # The phone number is encrypted: a search term that is a whole number finds it through its digest.
    search_fields = ["username", "real_name", "email"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        (_("平台信息"), {"fields": ["real_name", "phone", "email_verified_at", "locked_until"]}),
    )

    def get_search_results(self, request: Any, queryset: Any, search_term: str) -> tuple[Any, bool]:
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        digest = field_digest(search_term)
        if digest:
            found = found | queryset.filter(phone_digest=digest)
        return found, may_have_duplicates

    def get_readonly_fields(self, request: Any, obj: Any = None) -> list[str]:
        fields = list(super().get_readonly_fields(request, obj))
        if not request.user.is_superuser:
            fields += PRIVILEGE_FIELDS + ["last_login", "date_joined"]
        return fields

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        # A staff operator must not take over a superuser's account (e-mail, password).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def user_change_password(self, request: Any, id: str, form_url: str = "") -> Any:
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            target = User.objects.filter(pk=id).first()
            audit_record(actor=request.user, action="admin.user.set_password", target=target, request=request)
        return response


@admin.register(ApiToken)
class ApiTokenAdmin(AuditedModelAdmin):
    """Read-only: tokens are created and revoked by their owners (or revoked by a superuser's delete)."""

    list_display = ["name", "user", "key_prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    readonly_fields = ["user", "name", "key_prefix", "created_at", "last_used_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]

    def has_add_permission(self, request: Any) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)


admin.site.unregister(Group)


@admin.register(Group)
class AuditedGroupAdmin(AuditedModelAdmin, BaseGroupAdmin):
    """Groups carry admin permissions: only a superuser edits them, and every change is audited."""

    def has_add_permission(self, request: Any) -> bool:
        return bool(request.user.is_superuser)

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return bool(request.user.is_superuser)
