"""Which responses a user works under: those over their area or above it (a district's
response covers its communities), and those inside their area."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet
from django.http import Http404

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.responses.models import Response, ResponseStatus

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def _overlap(user: User | AnonymousUser) -> Q:
    paths = access.scope_paths(user, Action.AREA_VIEW)
    if not paths:
        return Q(pk__in=[])
    q = Q()
    for path in paths:
        ancestors = [path[:n] for n in range(Area.steplen, len(path) + 1, Area.steplen)]
        q |= Q(area_path__in=ancestors) | Q(area_path__startswith=path)
    return q


def in_force_over(paths: Iterable[str]) -> QuerySet[Response]:
    """The responses in force over any of the areas at `paths`: active, over the area
    or above it, newest first (ties: the later made first). The first is the one in
    force over an area; `in_force_over_sql` is the same rule in SQL."""
    above = {
        path[:end] for path in paths for end in range(Area.steplen, len(path) + 1, Area.steplen)
    }
    return Response.objects.filter(status=ResponseStatus.ACTIVE, area_path__in=above).order_by(
        "-started_at", "-pk"
    )


def in_force_over_sql(path: str) -> tuple[str, list[Any]]:
    """The id of the response `in_force_over([p]).first()` finds, where `p` is the SQL
    expression `path` (PostgreSQL), as a scalar subquery (its own alias: `in_force`), and its parameters. For a hot
    path that decides in the statement that reads its record (the scan lane)."""
    table = Response._meta.db_table
    column = Response._meta.get_field("area_path").column
    started = Response._meta.get_field("started_at").column
    status = Response._meta.get_field("status").column
    return (
        f"(SELECT in_force.id FROM {table} in_force WHERE in_force.{status} = %s"  # noqa: S608 - the model's names and the caller's expression
        f" AND substr({path}, 1, length(in_force.{column})) = in_force.{column}"
        f" ORDER BY in_force.{started} DESC, in_force.id DESC LIMIT 1)",
        [ResponseStatus.ACTIVE],
    )


def response_list(*, actor: User | AnonymousUser, active_only: bool = False) -> QuerySet[Response]:
    responses = Response.objects.filter(_overlap(actor)).select_related("area")
    if active_only:
        responses = responses.filter(status=ResponseStatus.ACTIVE)
    return responses.order_by("-started_at")


def response_for(*, actor: User | AnonymousUser, pk: int) -> Response:
    response = response_list(actor=actor).filter(pk=pk).first()
    if response is None:
        raise Http404
    return response
