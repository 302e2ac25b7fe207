"""What may be done for a household, registered by the apps above the registry (a lower
app lists them without importing them): the household's page shows, for the signed-in
user, a link to each (open an isolation case, issue a pass, register an errand, record a
visit), each arriving on its form with the household already chosen.

An app registers an offer in its `AppConfig.ready`; an offer answers with a few queries
and only with what the user may do for that household.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.utils.functional import Promise

    from jijie.residents.models import Household


@dataclass(frozen=True)
class HouseholdAction:
    label: str | Promise  # the link's words: 登记居家隔离
    url: str
    note: str | Promise = ""  # the state it follows from: 隔离中,第 3 天
    key: str = ""  # for the page's tests (data-testid)
    order: int = 100  # smaller first


Offer = Callable[[Any, "Household"], list[HouseholdAction]]
_OFFERS: list[Offer] = []


def offers_for_household(offer: Offer) -> Offer:
    """Register `offer(user, household) -> actions`; used as a decorator."""
    if offer not in _OFFERS:
        _OFFERS.append(offer)
    return offer


def actions_for(user: Any, household: Household) -> list[HouseholdAction]:
    """Every app's actions for `household` that `user` may take, in order."""
    return sorted((a for offer in _OFFERS for a in offer(user, household)), key=lambda a: a.order)
