"""Writing what an import planned, fast: COPY on PostgreSQL, executemany elsewhere.

An import of a district writes hundreds of thousands of households, people and several
name pieces per person. Model instances and row-by-row INSERTs cost more than the rows
themselves, so a planned slice goes to the database as tuples in column order: ids are
taken from the table's sequence (PostgreSQL) or counted on from the highest id under
the transaction's write lock (SQLite), and the rows are copied in one statement a table.
Must run inside the import's transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from itertools import repeat
from typing import Any

from django.db import connection
from django.db.models import F, Model
from django.utils import timezone

from jijie.residents import counts, names
from jijie.residents.doors import door_sort
from jijie.residents.imports.plan import HouseholdKey, Planner, Slice
from jijie.residents.models import PERSON_DETAIL_FIELDS, Household, NameGram, Person

HOUSEHOLD_COLUMNS = ("id", "building_id", "area_path", "door_number", "door_sort", "kind",
                     "is_party_centre", "is_home_isolation", "is_hardship", "version",
                     "created_at", "updated_at")  # fmt: skip
PERSON_COLUMNS = ("id", "household_id", "area_path", *PERSON_DETAIL_FIELDS, "version",
                  "created_at", "updated_at")  # fmt: skip
GRAM_COLUMNS = ("person_id", "gram", "area_path")
DATED = {"created_at", "updated_at"}


def _table(model: type[Model]) -> str:
    return model._meta.db_table


def _new_ids(model: type[Model], count: int, *, locked: bool = False) -> list[int]:
    """`count` new ids for `model`'s table. `locked`: the import holds the table's
    exclusive lock (imports.bulk), so nobody else can take one and the block is taken
    at once."""
    if not count:
        return []
    table = _table(model)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and locked:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
                " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
                [table, table, count],
            )
            last = cursor.fetchone()[0]
            return list(range(last - count + 1, last + 1))
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [pk for (pk,) in cursor.fetchall()]
        # SQLite: the import's transaction holds the write lock (IMMEDIATE), so nobody
        # else can take these ids; AUTOINCREMENT carries on above them afterwards.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


def _insert(
    planner: Planner, model: type[Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    table = connection.ops.quote_name(_table(model))
    names_sql = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Binary COPY: nothing for the server to parse (bytea in hex, timestamps...).
            # The column types are asked once an import (132 slices of a district).
            types = planner.copy_types.get(table)
            if types is None:
                types = planner.copy_types[table] = _types(cursor, model, columns)
            with cursor.cursor.copy(
                f"COPY {table} ({names_sql}) FROM STDIN (FORMAT BINARY)"
            ) as copy:
                copy.set_types(types)
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(columns))
        dated = [i for i, c in enumerate(columns) if c in DATED]
        if dated:
            adapted: dict[date, Any] = {}  # every row of an import carries the same instant
            rows = (_adapt_dates(row, dated, adapted) for row in rows)
        cursor.executemany(f"INSERT INTO {table} ({names_sql}) VALUES ({marks})", list(rows))  # noqa: S608


def _adapt_dates(row: Sequence[Any], dated: list[int], adapted: dict[date, Any]) -> list[Any]:
    """Dates as the ORM would store them, for backends without native date types;
    `adapted` remembers each value's form."""
    values = list(row)
    for i in dated:
        value = values[i]
        if not isinstance(value, date):
            continue
        if value not in adapted:
            adapted[value] = (
                connection.ops.adapt_datetimefield_value(value)
                if isinstance(value, datetime)
                else connection.ops.adapt_datefield_value(value)
            )
        values[i] = adapted[value]
    return values


def _types(cursor: Any, model: type[Model], columns: Sequence[str]) -> list[str]:
    """The PostgreSQL type of each column, as binary COPY needs them."""
    cursor.execute(
        "SELECT attname, atttypid::regtype::text FROM pg_attribute"
        " WHERE attrelid = %s::regclass AND attnum > 0",
        [_table(model)],
    )
    types = dict(cursor.fetchall())
    return [types[c] for c in columns]


def write(work: Slice, planner: Planner, now: datetime | None = None) -> None:
    """Write one planned slice: its new households, new people and their name pieces,
    and its updates. What they add to the buildings' counts is tallied in `planner` and
    written by `finish`."""
    now = now or timezone.now()
    _households(work, planner, now)
    _creates(work, planner, now)
    _updates(work, planner)


def finish(planner: Planner) -> None:
    """After the last slice: the households and people the import added, counted into
    their buildings (`residents.counts`) in one pass over the buildings, not one a
    slice."""
    counts.added(
        households=planner.added_households, people=planner.added_people, paths=planner.paths
    )


def _households(work: Slice, planner: Planner, now: datetime) -> None:
    keys = list(work.households)
    ids = _new_ids(Household, len(keys), locked=planner.empty)
    _insert(
        planner,
        Household,
        HOUSEHOLD_COLUMNS,
        (
            (pk, building, path, door, door_sort(door), kind, False, False, False, 1, now, now)
            for pk, (building, door), (path, kind) in zip(
                ids, keys, work.households.values(), strict=True
            )
        ),
    )
    written: dict[HouseholdKey, int] = dict(zip(keys, ids, strict=True))
    planner.households_written(written)
    planner.added_households.update(b for b, _door in keys)


def _creates(work: Slice, planner: Planner, now: datetime) -> None:
    ids = _new_ids(Person, len(work.creates), locked=planner.empty)
    people: list[tuple[Any, ...]] = []
    grams: list[tuple[int, str, str]] = []
    households = planner.households
    for pk, row in zip(ids, work.creates, strict=True):
        path = row.building_path
        people.append((pk, households[row.key], path, *row.values, 1, now, now))
        pieces = row.grams
        grams.extend(zip(repeat(pk, len(pieces)), pieces, repeat(path)))
    _insert(planner, Person, PERSON_COLUMNS, people)
    _insert(planner, NameGram, GRAM_COLUMNS, grams)
    planner.added_people.update(row.key[0] for row in work.creates)


def _updates(work: Slice, planner: Planner) -> None:
    if not work.updates:
        return
    # A person the file puts in another building moves out of the one they were in.
    was = dict(
        Person.objects.filter(pk__in=[u.pk for u in work.updates]).values_list(
            "pk", "household__building_id"
        )
    )
    for update in work.updates:
        if was[update.pk] != update.key[0]:
            planner.added_people[update.key[0]] += 1
            planner.added_people[was[update.pk]] -= 1
    people = []
    for update in work.updates:
        person = Person(pk=update.pk, **update.details)
        person.household_id = planner.households[update.key]  # type: ignore[assignment]
        person.area_path = update.building_path
        person.version = F("version") + 1
        people.append(person)
    Person.objects.bulk_update(
        people,
        fields=["household", "area_path", "version", *PERSON_DETAIL_FIELDS],
        batch_size=1000,
    )
    names.reindex(people)
