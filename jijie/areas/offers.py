"""What may be done in an area, registered by the apps above (the registry, screening,
gates, duty, care): an area's page lists, for the signed-in user, a link to each (its
households, its sweep's coverage, a building's passes or floor plan, a community's
boards). See `core.offers`."""

from __future__ import annotations

from jijie.areas.models import Area
from jijie.core.offers import Offers

AREA: Offers[Area] = Offers()
offers_for_area = AREA.register
offers_for = AREA.for_user
