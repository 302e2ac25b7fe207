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

from typing import Any

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.admin import AccessFailureLogAdmin as AxesAccessFailureLogAdmin
from axes.admin import AccessLogAdmin as AxesAccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext_lazy as _
from django_tasks_db.admin import DBTaskResultAdmin as BaseTaskResultAdmin
from django_tasks_db.models import DBTaskResult

from jijie.accounts.audit import audit_record
from jijie.accounts.models import ApiToken, AuditEvent, RoleAssignment, User

ChangeMessage = str | list[dict[str, Any]]


def _changed_fields(message: ChangeMessage) -> list[str]:
    """The names of the fields an admin change message lists, and nothing of the values
    or of the objects' names (the audit log holds no personal values)."""
    if isinstance(message, str):
        return []
    fields: list[str] = []
    for entry in message:
        for detail in entry.values():
            fields.extend(str(name) for name in detail.get("fields", []))
    return fields


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Writes an audit row for every write the admin makes.

    Django's admin reports each write it makes through `log_addition`, `log_change` and
    `log_deletions`, whichever view made it (the form, the list's inline edits, the bulk
    delete action, the user's password form), and inside the write's transaction: these
    hooks are the one place that sees them all, where `save_model` misses the password
    form and `delete_model` the bulk delete. An action of our own that writes something
    other than a deletion would bypass them, so none is offered (`actions`).
    """

    actions: Any = ()

    def _audit(self, request: HttpRequest, action: str, obj: Model, **data: Any) -> None:
        audit_record(
            actor=request.user if isinstance(request.user, User) else None,
            action=f"admin.{action}",
            target=obj,
            data=data,
            request=request,
        )

    def log_addition(self, request: HttpRequest, obj: Model, message: ChangeMessage) -> LogEntry:
        self._audit(request, "add", obj, fields=_changed_fields(message))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: ChangeMessage) -> LogEntry:
        self._audit(request, "change", obj, fields=_changed_fields(message))
        return super().log_change(request, obj, message)

    def log_deletions(
        self, request: HttpRequest, queryset: QuerySet[Any]
    ) -> list[LogEntry] | LogEntry:
        for obj in queryset:
            self._audit(request, "delete", obj)
        return super().log_deletions(request, queryset)

    def response_action(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        # The bulk delete logs, then deletes, outside the transaction the admin's other
        # views open: one here keeps its audit rows and its deletion together.
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)


class ReadOnlyAdmin(AuditedAdmin):
    """Shown, never written: writes go through services, which check and audit them
    (roles: the People page or `manage.py grant_role`; tokens: the account page)."""

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False


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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "action", "target_type", "target_id"]
    search_fields = ["action", "actor_label", "target_id"]


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
