"""What gates offer on a household's page and a building's: the building's passes, to
issue, print or look at as its floor plan."""

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
from jijie.residents.actions import offers_for_household

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def passes_for(user: User, household: Household) -> list[Offer]:
    if not access.may_path(user, Action.PASS_ISSUE, household.area_path):
        return []
    here = "?" + urlencode({"building": household.building.code})
    return [
        Offer(
            label=_("发放通行证"),
            url=reverse("gates:passes") + here,
            note=_("按楼栋发放、打印"),
            key="passes",
            order=20,
        )
    ]


@offers_for_area
def building_passes(user: User, area: Area) -> list[Offer]:
    if area.kind != AreaKind.BUILDING or not access.may(user, Action.GATE_VIEW, area):
        return []
    url = reverse("gates:passes") + "?" + urlencode({"building": area.code})
    return [Offer(label=_("通行证"), url=url, key="passes", order=20)]
