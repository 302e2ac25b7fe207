"""Reads for accounts: the audit log in the reader's scope, a user's tokens."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from jijie.accounts.models import ApiToken, AuditEvent, RoleAssignment, User
from jijie.areas import access


def audit_list(
    *, actor: User | AnonymousUser, action: str = "", username: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.filter(access.audit_filter(actor)).select_related("actor")
    if action:
        events = events.filter(action__startswith=action)
    if username:
        events = events.filter(actor_label=username)
    return events.order_by("-seq")


def token_list(*, user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created_at")


def people_list(*, actor: User | AnonymousUser) -> QuerySet[RoleAssignment]:
    """Role assignments in the areas where `actor` may grant roles."""
    return (
        RoleAssignment.objects.filter(
            access.path_filter(actor, access.Action.ROLE_GRANT, path_field="area__path")
        )
        .select_related("user", "area")
        .order_by("area__path", "user__username", "role")
    )
