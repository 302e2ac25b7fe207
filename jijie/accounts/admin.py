from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from jijie.accounts.models import ApiToken, AuditEvent, RoleAssignment, User


class ReadOnlyMixin:
    """Shown, never written: writes go through services, which check and audit them
    (roles: the People page or `manage.py grant_role`)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


class RoleAssignmentInline(ReadOnlyMixin, admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin[User]):
    fieldsets = (*BaseUserAdmin.fieldsets, ("Jijie", {"fields": ["full_name"]}))  # type: ignore[misc]
    list_display = ["username", "full_name", "is_active", "last_login"]
    inlines = [RoleAssignmentInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin[ApiToken]):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyMixin, admin.ModelAdmin[AuditEvent]):
    list_display = ["seq", "at", "actor_label", "action", "target_type", "target_id"]
    search_fields = ["action", "actor_label", "target_id"]
