"""What screening offers on a household's page (recording a visit for each sweep running
today that holds it) and on an area's (the sweep's coverage there; a building's doors)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area, AreaKind
from jijie.areas.offers import offers_for_area
from jijie.core.offers import Offer
from jijie.residents.actions import offers_for_household
from jijie.screening import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household

SHOWN = 3


@offers_for_household
def visits_for(user: User, household: Household) -> list[Offer]:
    if not access.may_path(user, Action.SCREENING_VISIT, household.area_path):
        return []
    running = selectors.campaigns_holding(
        actor=user, path=household.area_path, day=timezone.localdate()
    )
    return [
        Offer(
            label=_("登记排查"),
            url=reverse("screening:visit", args=[campaign.pk, household.pk]),
            note=campaign.name,
            key="visit",
            order=5,
        )
        for campaign in running[:SHOWN]
    ]


@offers_for_area
def sweeps_in(user: User, area: Area) -> list[Offer]:
    if not access.may(user, Action.SCREENING_VIEW, area):
        return []
    running = selectors.campaigns_holding(actor=user, path=area.path, day=timezone.localdate())
    knocks = area.kind == AreaKind.BUILDING and access.may(user, Action.SCREENING_VISIT, area)
    offers = []
    for campaign in running[:SHOWN]:
        if knocks:
            url = reverse("screening:doors", args=[campaign.pk, area.code])
            label = _("入户排查")
        else:
            url = reverse("screening:coverage", args=[campaign.pk]) + f"?area={area.code}"
            label = _("排查覆盖")
        offers.append(Offer(label=label, url=url, note=campaign.name, key="sweep", order=10))
    return offers
