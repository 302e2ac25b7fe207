"""What the mobilization pages share."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.mobilization import access as mobilization_access
from jijie.mobilization import services
from jijie.mobilization.models import CallUp


def communities_under(path: str) -> QuerySet[Area]:
    return Area.objects.filter(path__startswith=path, kind__in=COMMUNITY_KINDS).order_by("path")


def sees_call_ups(request: HttpRequest) -> bool:
    """Whether the user sees call-ups at all: through an area role or a unit's."""
    user = request.user
    return bool(
        access.scope_paths(user, Action.MOBILIZATION_VIEW)
        or mobilization_access.organisation_paths(user, Action.MOBILIZATION_VIEW)
    )


def may_manage(request: HttpRequest, call_up: CallUp) -> bool:
    organisation = call_up.organisation
    return mobilization_access.may_organisation(
        request.user,
        Action.MOBILIZATION_MANAGE,
        path=organisation.path,
        area_path=organisation.area_path,
    )


def member_data(
    data: dict[str, Any], communities: QuerySet[Area], **extra: Any
) -> services.MemberData:
    """A member form's cleaned data as the services take it."""
    residence = communities.filter(code=data["residence"]).first() if data["residence"] else None
    return services.MemberData(
        name=data["name"],
        kind=data["kind"],
        residence=residence,
        skills=data["skills"],
        fitness=data["fitness"],
        availability=data["availability"],
        **extra,
    )
