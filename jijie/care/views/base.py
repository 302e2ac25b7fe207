"""What the care pages share: the community of a record, a board's community, and the
household a form or a link names, each read through access (404 out of sight)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from jijie.accounts.models import User
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.areas.selectors import community_list
from jijie.residents import selectors as registry
from jijie.residents.models import Household

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def community_of(user: User | AnonymousUser, path: str) -> Area | None:
    """The community of a record, when the user may read its board."""
    return community_list(user, Action.CARE_VIEW).filter(path=path).first()


def board_community(user: User | AnonymousUser, code: str, action: Action) -> Area:
    """The community (or village) with `code` where the user may do `action`: 404 out of
    sight or not a community, 403 for a role too low."""
    area = access.area_for(user, code, action)
    if area.kind not in COMMUNITY_KINDS:
        raise Http404
    return area


def household_named(user: User | AnonymousUser, raw: str) -> Household | None:
    """The household whose id the form or the link names: 404 when out of the user's
    sight, like any record; None when none is named."""
    if not raw.strip():
        return None
    try:
        pk = int(raw)
    except ValueError:
        raise Http404 from None
    return registry.household_for(actor=user, pk=pk)
