"""What the registry offers on an area's page: its households' ledger, and registering
a household at a building."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, AreaKind
from jijie.areas.offers import offers_for_area
from jijie.core.offers import Offer

if TYPE_CHECKING:
    from jijie.accounts.models import User


@offers_for_area
def households_in(user: User, area: Area) -> list[Offer]:
    if not access.may(user, Action.RESIDENT_VIEW, area):
        return []
    offers = [
        Offer(
            label=_("住户台账"),
            url=reverse("residents:list") + "?" + urlencode({"area": area.code}),
            key="households",
            order=5,
        )
    ]
    if area.kind == AreaKind.BUILDING and access.may(user, Action.RESIDENT_EDIT, area):
        offers.append(
            Offer(
                label=_("登记住户"),
                url=reverse("residents:household_new") + "?" + urlencode({"building": area.code}),
                key="household-new",
                order=6,
            )
        )
    return offers
