"""The admin's one rule, for every app's admin: whatever it writes lands in the audit
chain (`AuditedAdmin`), and what it only shows is never written (`ReadOnlyAdmin`). The
site's own admins and the chain's rows are registered in the accounts app and here."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.db import router, transaction
from django.db.models import Model, QuerySet
from django.http import HttpRequest

from jijie.audit.actors import NOBODY
from jijie.audit.models import AuditEvent
from jijie.audit.services import audit_record

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
            actor=request.user if request.user.is_authenticated else NOBODY,
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


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["seq", "at", "actor_label", "action", "target_type", "target_id"]
    search_fields = ["action", "actor_label", "target_id"]
