"""What every write of mobilization shares: who may manage an organisation's call-ups,
and what a community is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.mobilization import access as mobilization_access
from jijie.mobilization.models import (
    CallUp,
    Organisation,
)

if TYPE_CHECKING:
    from jijie.accounts.models import User


# Ids per `pk IN (...)` of a bulk update: under SQLite's oldest limit on parameters.
UPDATE_CHUNK = 900


def area_of(organisation: Organisation) -> Area:
    return Area(path=organisation.area_path)


def require_manage(actor: User | None, organisation: Organisation) -> None:
    """The actor may call up, screen and deploy for `organisation` (None is the system)."""
    if actor is not None:
        mobilization_access.require_organisation(
            actor,
            Action.MOBILIZATION_MANAGE,
            path=organisation.path,
            area_path=organisation.area_path,
        )


def check_community(area: Area, field_name: str) -> None:
    if area.kind not in COMMUNITY_KINDS:
        raise ValidationError({field_name: _("“%(name)s”不是社区或村。") % {"name": area.name}})


def unit_of(call_up: CallUp, organisation: Organisation | None) -> Organisation | None:
    """The member's unit: their organisation's ancestor right under the calling
    committee (or the organisation itself if it is the committee or outside it)."""
    if organisation is None:
        return None
    root = call_up.organisation
    depth = root.depth + 1
    if organisation.path.startswith(root.path) and organisation.depth > depth:
        return Organisation.objects.get(path=organisation.path[: depth * Organisation.steplen])
    return organisation
