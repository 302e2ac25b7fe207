"""What every write of mobilization shares: who may manage an organisation's call-ups
or keep its members, and what a community is."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.mobilization import access as mobilization_access
from jijie.mobilization.models import Organisation

if TYPE_CHECKING:
    from jijie.accounts.models import User


# Ids per `pk IN (...)` of a bulk update: under SQLite's oldest limit on parameters.
UPDATE_CHUNK = 900


def area_of(organisation: Organisation) -> Area:
    return Area(path=organisation.area_path)


def require_manage(actor: User, organisation: Organisation) -> None:
    """The actor may call up, screen and deploy for `organisation`: 404 out of sight,
    403 for a role that may not."""
    mobilization_access.require_organisation(
        actor,
        Action.MOBILIZATION_MANAGE,
        path=organisation.path,
        area_path=organisation.area_path,
    )


def require_member_edit(actor: User, organisation: Organisation) -> None:
    """The actor may keep the records of `organisation`'s members (its unit's admin,
    the committee)."""
    mobilization_access.require_organisation(
        actor, Action.MEMBER_EDIT, path=organisation.path, area_path=organisation.area_path
    )


def check_community(area: Area, field_name: str) -> None:
    if area.kind not in COMMUNITY_KINDS:
        raise ValidationError({field_name: _("“%(name)s”不是社区或村。") % {"name": area.name}})
