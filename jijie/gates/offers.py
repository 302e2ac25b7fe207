"""What gates offer on a household's page: its building's passes, to issue or print."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.residents.actions import HouseholdAction, offers_for_household

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def passes_for(user: User, household: Household) -> list[HouseholdAction]:
    if not access.may_path(user, Action.PASS_ISSUE, household.area_path):
        return []
    here = "?" + urlencode({"building": household.building.code})
    return [
        HouseholdAction(
            label=_("发放通行证"),
            url=reverse("gates:passes") + here,
            note=_("按楼栋发放、打印"),
            key="passes",
            order=20,
        )
    ]
