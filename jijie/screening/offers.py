"""What screening offers on a household's page: recording a visit for each sweep running
today that holds it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.residents.actions import HouseholdAction, offers_for_household
from jijie.screening import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def visits_for(user: User, household: Household) -> list[HouseholdAction]:
    if not access.may_path(user, Action.SCREENING_VISIT, household.area_path):
        return []
    running = selectors.campaigns_holding(actor=user, household=household, day=timezone.localdate())
    return [
        HouseholdAction(
            label=_("登记排查"),
            url=reverse("screening:visit", args=[campaign.pk, household.pk]),
            note=campaign.name,
            key="visit",
            order=5,
        )
        for campaign in running[:3]
    ]
