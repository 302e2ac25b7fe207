"""What may be done for a household, registered by the apps above the registry (care,
gates, screening): the household's page lists, for the signed-in user, a link to each
(record a visit, open an isolation case, issue a pass, register an errand), each
arriving on its form with the household already chosen. See `core.offers`."""

from __future__ import annotations

from jijie.core.offers import Offers
from jijie.residents.models import Household

HOUSEHOLD: Offers[Household] = Offers()
offers_for_household = HOUSEHOLD.register
actions_for = HOUSEHOLD.for_user
