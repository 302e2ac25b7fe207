"""Households and people counted by building (`BuildingHouseholds`), kept as they are
registered, added and moved.

The ledger shows how many households its scope holds, and a testing round how many
people its scope must test. Counted row by row that is a read of every household, or
every person, of a district (39 ms for the households at seed scale, on every page of
the district's ledger); summed over the scope's buildings it is a
read of their counts. Every registration of a household goes through `registered`, and
every person added, imported or moved between buildings through `people_added`, in the
writing transaction; `rebuild` recounts from the rows themselves (`manage.py
households_recount`, to check or repair; the migrations that made the columns counted
the same way).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from django.db import connection
from django.db.models import CharField, Count, F, QuerySet, Sum
from django.db.models.functions import Substr

from jijie.areas.models import Area
from jijie.residents import signals
from jijie.residents.models import BuildingHouseholds, Household, Person

_CHUNK = 240  # buildings an upsert: 960 parameters, under any SQLite's limit


def registered(counts: Mapping[int, int]) -> None:
    """Households just registered (`counts`: how many, by building id), in the
    registering transaction: added to the buildings' kept counts, then told to the apps
    above (`signals.households_added`). Every way in calls this (the registry's form, the
    demo's bulk load) or `added` (the import)."""
    added(households=counts)


def people_added(counts: Mapping[int, int]) -> None:
    """People added to buildings (`counts`: how many, by building id; a person moved
    between buildings is -1 at the one they left), in the writing transaction."""
    added(people=counts)


def added(
    *,
    households: Mapping[int, int] | None = None,
    people: Mapping[int, int] | None = None,
    paths: Mapping[int, str] | None = None,
) -> None:
    """Households registered and people added (or moved: -1 where they left), by
    building id, in the writing transaction, both in one upsert a few hundred buildings:
    an import tallies its whole file and calls this once. The households are then told
    to the apps above (`signals.households_added`). `paths`: the buildings' area paths,
    when the caller has them (else they are read)."""
    households = {pk: n for pk, n in (households or {}).items() if n}
    people = {pk: n for pk, n in (people or {}).items() if n}
    _add(households, people, paths or {})
    if households:
        signals.households_added.send(Household, counts=households)


def _add(
    households: Mapping[int, int], people: Mapping[int, int], paths: Mapping[int, str]
) -> None:
    """Added, not recounted, so two registrations at once each add their own: one
    upsert a few hundred buildings (an import names thousands), in one order of
    buildings for every caller."""
    # A count taken away is an UPDATE: an upsert's proposed row is checked before its
    # conflict is found, and a negative count fails the column's check.
    grown: dict[str, dict[int, int]] = {}
    for column, counts in (("households", households), ("people", people)):
        taken: dict[int, list[int]] = defaultdict(list)
        for pk, n in sorted(counts.items()):
            if n < 0:
                taken[n].append(pk)
        for n, pks in sorted(taken.items()):
            less: dict[str, Any] = {column: F(column) + n}
            BuildingHouseholds.objects.filter(pk__in=pks).update(**less)
        grown[column] = {pk: n for pk, n in counts.items() if n > 0}
    buildings = sorted({*grown["households"], *grown["people"]})
    if not buildings:
        return
    table = connection.ops.quote_name(BuildingHouseholds._meta.db_table)
    for start in range(0, len(buildings), _CHUNK):
        chunk = buildings[start : start + _CHUNK]
        missing = [pk for pk in chunk if pk not in paths]
        found = (
            dict(Area.objects.filter(pk__in=missing).values_list("pk", "path")) if missing else {}
        )
        rows = [
            (
                pk,
                paths.get(pk) or found[pk],
                grown["households"].get(pk, 0),
                grown["people"].get(pk, 0),
            )
            for pk in chunk
        ]
        marks = ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (building_id, area_path, households, people)"  # noqa: S608
                f" VALUES {marks}"
                f" ON CONFLICT (building_id) DO UPDATE"
                f" SET households = {table}.households + excluded.households,"
                f" people = {table}.people + excluded.people",
                [value for row in rows for value in row],
            )


def total(buildings: QuerySet[BuildingHouseholds]) -> int:
    """The households of these buildings' counts (scoped and filtered by the caller)."""
    return buildings.aggregate(n=Sum("households"))["n"] or 0


def people_under(path: str, length: int) -> dict[str, int]:
    """{area path cut at `length`: people} for the buildings under `path`, from their
    kept counts."""
    unit = Substr("area_path", 1, length, output_field=CharField())
    rows = (
        BuildingHouseholds.objects.filter(area_path__startswith=path)
        .annotate(unit=unit)
        .values("unit")
        .annotate(n=Sum("people"))
        .values_list("unit", "n")
    )
    return {unit: n for unit, n in rows if n}


def recounted() -> dict[int, tuple[str, int, int]]:
    """{building id: (path, households, people)} counted from the rows themselves."""
    rows: Any = (
        Household.objects.values("building_id", "area_path").annotate(n=Count("id")).order_by()
    )
    people = dict(
        Person.objects.values("household__building_id")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("household__building_id", "n")
    )
    return {
        row["building_id"]: (row["area_path"], row["n"], people.get(row["building_id"], 0))
        for row in rows
    }


def rebuild() -> int:
    """Recount every building's households and people; returns how many buildings'
    counts were wrong."""
    counted = recounted()
    kept = {
        pk: (h, p)
        for pk, h, p in BuildingHouseholds.objects.values_list("pk", "households", "people")
    }
    wrong = sum(1 for pk, (_path, h, p) in counted.items() if kept.get(pk) != (h, p))
    wrong += sum(1 for pk, n in kept.items() if pk not in counted and any(n))
    BuildingHouseholds.objects.all().delete()
    BuildingHouseholds.objects.bulk_create(
        [
            BuildingHouseholds(building_id=pk, area_path=path, households=h, people=p)
            for pk, (path, h, p) in sorted(counted.items())
        ],
        batch_size=5000,
    )
    return wrong
