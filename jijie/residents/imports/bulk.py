"""A first load into an empty registry: the registry's tables written without their
secondary indexes and (on PostgreSQL) key checks, which are rebuilt once at the end.

A new deployment's first import holds a whole district, hundreds of thousands of
people. Written into indexed tables, every row updates eight indexes at random places
and queues a foreign-key check for the commit; an index built once over the loaded rows
is a sort, several times cheaper, and a foreign key added over them is one join.

The price is a lock: dropping an index takes the table's ACCESS EXCLUSIVE lock, which
stops every other reader and writer of households, people and name pieces — every
district — until the import commits. So this path is chosen only when the registry
holds no household and no person at all, which no other district's work can then
need; a district's first load into a registry others already use takes the ordinary
path. The lock is taken in a savepoint and released at once if someone has stored a
household meanwhile. On SQLite the import's transaction holds the database's write
lock anyway, so the same path costs no more there; only the indexes made by their own
statement can be dropped. Everything here runs in the import's transaction: a failure
rolls the drops back with the rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import connection, transaction

from jijie.residents.models import Household, NameGram, Person

TABLES = tuple(m._meta.db_table for m in (Household, Person, NameGram))
# Memory for sorting each index as it is built (one at a time).
SORT_MEMORY = "256MB"


class _NotEmptyError(Exception):
    pass


def _empty() -> bool:
    return not (Household.objects.exists() or Person.objects.exists())


def claim_empty_registry() -> bool:
    """Whether the registry is empty and now locked for a bulk load; must run inside the
    import's transaction, which keeps the lock until it ends. On SQLite that transaction
    holds the database's one write lock from its start (IMMEDIATE) and readers go on with
    what was committed (WAL), so dropping indexes in it costs nobody anything more."""
    if connection.vendor not in ("postgresql", "sqlite") or not _empty():
        return False
    if connection.vendor == "sqlite":
        return True
    try:
        with transaction.atomic():  # a savepoint: rolled back, it releases the lock
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE")
            if not _empty():
                raise _NotEmptyError
    except _NotEmptyError:
        return False
    return True


@dataclass
class _SetAside:
    """What was dropped, as the statements that make it again, in order."""

    indexes: list[str] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # primary and unique
    foreign: list[str] = field(default_factory=list)


def _set_aside_sqlite() -> _SetAside:
    """SQLite: the indexes made by their own statement (a key declared in the table,
    the name pieces' primary key among them, cannot be dropped without rebuilding the
    table, and stays)."""
    aside = _SetAside()
    marks = ", ".join(["%s"] * len(TABLES))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
            f" AND tbl_name IN ({marks}) ORDER BY name",
            list(TABLES),
        )
        for name, statement in cursor.fetchall():
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
            aside.indexes.append(statement)
    return aside


def _set_aside() -> _SetAside:
    """Drop the secondary indexes and unique keys of the registry's tables, the foreign
    keys between them, and the primary keys nothing else refers to (the name pieces'),
    remembering each. Keys to other tables (a household's building) stay: dropping one
    would lock the areas too."""
    aside = _SetAside()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.conrelid::regclass::text, c.conname, c.contype,"
            " pg_get_constraintdef(c.oid)"
            " FROM pg_constraint c WHERE c.conrelid = ANY(%s::regclass[])"
            " AND (c.contype = 'u' OR (c.contype = 'f' AND c.confrelid = ANY(%s::regclass[]))"
            " OR (c.contype = 'p' AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.confrelid = c.conrelid)))"
            " ORDER BY c.contype DESC, c.conname",
            [list(TABLES), list(TABLES)],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i"
            " WHERE i.indrelid = ANY(%s::regclass[]) AND NOT EXISTS ("
            "  SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid"
            "  AND c.conrelid = i.indrelid)"
            " ORDER BY 1",
            [list(TABLES)],
        )
        indexes = cursor.fetchall()
        quote = connection.ops.quote_name
        for table, name, kind, definition in constraints:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")
            made = f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}"
            (aside.foreign if kind == "f" else aside.keys).append(made)
        for name, definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
            aside.indexes.append(definition)
    return aside


def _restore(aside: _SetAside) -> None:
    """Build every index and key again over the loaded rows; the foreign keys are
    checked set-wise as they are added (one join each), the unique ones as built."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in aside.indexes:
                cursor.execute(statement)
        return
    with connection.cursor() as cursor:
        # A table with key checks still queued (the households' buildings) cannot be
        # altered: run them now, then let the rest of the transaction defer as before
        # (every deferrable key here is deferred from the start).
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute(f"SET LOCAL maintenance_work_mem = '{SORT_MEMORY}'")
        for statement in [*aside.keys, *aside.indexes, *aside.foreign]:
            cursor.execute(statement)
        for table in TABLES:
            cursor.execute(f"ANALYZE {table}")


@contextmanager
def indexes_set_aside() -> Iterator[None]:
    """Within this block the registry's tables have no secondary index and no key
    check; they are all rebuilt, and checked, when it ends without an error (with an
    error, the transaction's rollback restores them)."""
    aside = _set_aside_sqlite() if connection.vendor == "sqlite" else _set_aside()
    yield
    _restore(aside)
