"""What duty offers on a community's page: its duty board."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import COMMUNITY_KINDS, Area
from jijie.areas.offers import offers_for_area
from jijie.core.offers import Offer

if TYPE_CHECKING:
    from jijie.accounts.models import User


@offers_for_area
def duty_board(user: User, area: Area) -> list[Offer]:
    if area.kind not in COMMUNITY_KINDS or not access.may(user, Action.DUTY_VIEW, area):
        return []
    url = reverse("duty:board", args=[area.code])
    return [Offer(label=_("值守看板"), url=url, key="duty-board", order=40)]
