"""Reads for accounts: the audit log in the reader's scope, a user's tokens."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from jijie.accounts.models import ApiToken, AuditEvent, User
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
