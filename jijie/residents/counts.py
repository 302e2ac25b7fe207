"""Households counted by building (`BuildingHouseholds`), kept as they are registered.

The ledger shows how many households its scope holds. Counted row by row that is a
read of every household of a district (39 ms at seed scale, on every page of the
district's ledger); summed over the scope's buildings it is a read of their counts.
Every registration goes through `signals.households_added` (the registry's form and
the import send it in the registering transaction), which `added` follows; `rebuild`
recounts from the households themselves (the migration that made the table, the demo's
bulk load, and `manage.py households_recount` to check or repair).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, QuerySet, Sum

from jijie.areas.models import Area
from jijie.residents.models import BuildingHouseholds, Household


def added(counts: Mapping[int, int]) -> None:
    """Add `counts` (households just registered, by building id) to the buildings'
    counts, in the caller's transaction. Added, not recounted, in one order of
    buildings for every caller: two registrations at once each add their own."""
    missing = set(counts) - set(
        BuildingHouseholds.objects.filter(pk__in=list(counts)).values_list("pk", flat=True)
    )
    if missing:
        paths = dict(Area.objects.filter(pk__in=missing).values_list("pk", "path"))
        BuildingHouseholds.objects.bulk_create(
            [BuildingHouseholds(building_id=pk, area_path=paths[pk]) for pk in sorted(missing)],
            ignore_conflicts=True,  # made meanwhile by another registration: added to below
        )
    for building_id, n in sorted(counts.items()):
        BuildingHouseholds.objects.filter(pk=building_id).update(households=F("households") + n)


def total(buildings: QuerySet[BuildingHouseholds]) -> int:
    """The households of these buildings' counts (scoped and filtered by the caller)."""
    return buildings.aggregate(n=Sum("households"))["n"] or 0


def recounted() -> dict[int, tuple[str, int]]:
    """{building id: (path, households)} counted from the households themselves."""
    rows: Any = (
        Household.objects.values("building_id", "area_path").annotate(n=Count("id")).order_by()
    )
    return {row["building_id"]: (row["area_path"], row["n"]) for row in rows}


def rebuild() -> int:
    """Recount every building's households; returns how many counts were wrong."""
    counted = recounted()
    kept = dict(BuildingHouseholds.objects.values_list("pk", "households"))
    wrong = sum(1 for pk, (_p, n) in counted.items() if kept.get(pk) != n)
    wrong += sum(1 for pk, n in kept.items() if pk not in counted and n)
    BuildingHouseholds.objects.all().delete()
    BuildingHouseholds.objects.bulk_create(
        [
            BuildingHouseholds(building_id=pk, area_path=path, households=n)
            for pk, (path, n) in sorted(counted.items())
        ],
        batch_size=5000,
    )
    return wrong
