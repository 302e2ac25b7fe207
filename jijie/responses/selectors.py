"""Which responses a user works under: those over their area or above it (a district's
response covers its communities), and those inside their area."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
