"""Households counted by building (`BuildingHouseholds`), kept as they are registered.

The ledger shows how many households its scope holds. Counted row by row that is a
read of every household of a district (39 ms at seed scale, on every page of the
district's ledger); summed over the scope's buildings it is a read of their counts.
Every registration goes through `registered`, in the registering transaction;
`rebuild` recounts from the households themselves (`manage.py households_recount`, to
check or repair; the migration that made the table counted the same way).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import Count, QuerySet, Sum

from jijie.areas.models import Area
from jijie.residents import signals
from jijie.residents.models import BuildingHouseholds, Household

_CHUNK = 300  # buildings an upsert: 900 parameters, under any SQLite's limit


def registered(counts: Mapping[int, int]) -> None:
    """Households just registered (`counts`: how many, by building id), in the
    registering transaction: added to the buildings' kept counts, then told to the apps
    above (`signals.households_added`). Every way in calls this: the registry's form,
    the import (a slice at a time), the demo's bulk load."""
    _add(counts)
    signals.households_added.send(Household, counts=dict(counts))


def _add(counts: Mapping[int, int]) -> None:
    """Added, not recounted, so two registrations at once each add their own: one
    upsert a few hundred buildings (an import's slice names thousands), in one order of
    buildings for every caller."""
    if not counts:
        return
    table = connection.ops.quote_name(BuildingHouseholds._meta.db_table)
    buildings = sorted(counts)
    for start in range(0, len(buildings), _CHUNK):
        chunk = buildings[start : start + _CHUNK]
        paths = dict(Area.objects.filter(pk__in=chunk).values_list("pk", "path"))
        rows = [(pk, paths[pk], counts[pk]) for pk in chunk]
        marks = ", ".join(["(%s, %s, %s)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (building_id, area_path, households) VALUES {marks}"  # noqa: S608
                f" ON CONFLICT (building_id) DO UPDATE"
                f" SET households = {table}.households + excluded.households",
                [value for row in rows for value in row],
            )


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
