"""System checks of accounts that read the database (`Tags.database`): Django runs them
on every `migrate`, which then stops, and on `manage.py check --database default`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.checks import CheckMessage, Error, Tags, register
from django.db import connections


@register(Tags.database)
def superusers_are_not_auditors(
    *, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    """Accounts that are superusers and hold the auditor role: the model and the service
    refuse it, so one here was made round them (the shell, SQL)."""
    from jijie.accounts.models import RoleAssignment, User
    from jijie.areas.roles import Role

    problems: list[CheckMessage] = []
    for alias in databases or ():
        tables = connections[alias].introspection.table_names()
        if User._meta.db_table not in tables or RoleAssignment._meta.db_table not in tables:
            continue  # not migrated yet: nobody to check
        names = (
            User.objects.using(alias)
            .filter(is_superuser=True, role_assignments__role=Role.AUDITOR)
            .values_list("username", flat=True)
            .distinct()
            .order_by("username")
        )
        problems.extend(
            Error(
                f"Account {name!r} is a superuser and holds the auditor role.",
                hint="Revoke the auditor role (People page) or clear is_superuser; "
                "an auditor has an ordinary account of their own.",
                id="accounts.E001",
            )
            for name in names
        )
    return problems
