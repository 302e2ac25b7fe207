"""The admin site: a window on the data for the system administrator, not a way round the
services.

Everything it shows is read-only but two writes, which nothing else offers: switching an
account off (`User.is_active`) and lifting a sign-in pause (deleting an axes attempt).
Tokens, roles, the audit log and personal data are never written here: a token moved
to another user, or a role given here, would let a superuser act as anyone unchecked.
Every ModelAdmin of the site derives from `AuditedAdmin` (the tests hold that line),
so whatever write remains, or is added later, lands in the audit chain.
"""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin as BaseTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from jijie.accounts.models import ApiToken, RoleAssignment, User
from jijie.audit.admin import AuditedAdmin, ReadOnlyAdmin


class RoleAssignmentInline(admin.TabularInline[RoleAssignment, User]):
    model = RoleAssignment
    fk_name = "user"
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(AuditedAdmin, BaseUserAdmin[User]):
    """Accounts are opened on the People page, by sign-up or by `createsuperuser`; here
    an account can only be switched off or on. Superuser and staff flags, groups and
    permissions, names and passwords stay as their own paths set them: a password set
    here would let whoever sets it sign in as that person."""

    fieldsets = (
        (None, {"fields": ["username", "full_name", "email"]}),
        (_("状态"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
        (_("时间"), {"fields": ["last_login", "date_joined"]}),
    )
    readonly_fields = [
        "username",
        "full_name",
        "email",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    ]
    list_display = ["username", "full_name", "is_active", "last_login"]
    list_filter = ["is_active", "is_superuser"]
    inlines = [RoleAssignmentInline]

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # audit rows and records name their users

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        raise PermissionDenied


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "prefix", "created_at", "expires_at", "revoked_at"]
    exclude = ["key_hash"]


# The other apps' admins, each made to derive from AuditedAdmin. Roles are role
# assignments, never Django groups (`User`), so groups are not offered at all.
admin.site.unregister(Group)
for _model in (AccessAttempt, AccessLog, AccessFailureLog, DBTaskResult):
    admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AuditedAdmin, AxesAccessAttemptAdmin):  # type: ignore[misc]
    """Deleting an attempt lifts the pause of its username on its address (audited);
    the attempt itself is evidence, never edited."""

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyAdmin, AxesAccessLogAdmin):  # type: ignore[misc]
    pass


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(ReadOnlyAdmin, AxesAccessFailureLogAdmin):  # type: ignore[misc]
    pass


@admin.register(DBTaskResult)
class TaskResultAdmin(ReadOnlyAdmin, BaseTaskResultAdmin):
    pass
