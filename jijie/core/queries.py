"""Small helpers for the ORM where the hot paths need them."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeVar, cast

from django.db import models

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.utils import CursorWrapper
    from django.db.models import Field

M = TypeVar("M", bound=models.Model)


def unique_or_none(queryset: models.QuerySet[M]) -> M | None:
    """The one row of a query filtered on a unique key (a primary key, a token's hash),
    or None. `first()` would order by the primary key, and compiling that ORDER BY is a
    fifth to a third of the Python time of such a query (the scan API makes three of
    them a request); `get()` would raise."""
    return next(iter(queryset[:1]), None)


def fits_key(value: int, model: type[models.Model], connection: BaseDatabaseWrapper) -> bool:
    """Whether `value` can be a primary key of `model`: a number the ORM would answer
    "none" for, a hand-written statement must not send (SQLite raises on it)."""
    assert model._meta.pk is not None
    low, high = connection.ops.integer_field_range(model._meta.pk.get_internal_type())
    return (low is None or value >= low) and (high is None or value <= high)


class RowReader(Generic[M]):
    """Reads instances of `model` out of the columns of a hand-written statement, as the
    ORM would: each value through the database's and the field's own converters (SQLite
    gives times, datetimes and decimals as text and booleans as integers). For the few
    hot paths that read several tables in one statement of their own."""

    def __init__(self, model: type[M], names: Sequence[str]) -> None:
        self.model = model
        self.fields = [cast("Field[Any, Any]", model._meta.get_field(name)) for name in names]
        self.attnames = [field.attname for field in self.fields]
        self._converters: dict[str, list[tuple[list[Any], Any]]] = {}

    def columns(self, alias: str) -> str:
        """The SELECT list for these fields of the table named `alias` in the statement."""
        return ", ".join(f"{alias}.{field.column}" for field in self.fields)

    def _for(self, connection: BaseDatabaseWrapper) -> list[tuple[list[Any], Any]]:
        converters = self._converters.get(connection.vendor)
        if converters is None:
            converters = []
            for field in self.fields:
                col = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(col) + field.get_db_converters(connection)  # type: ignore[attr-defined]
                converters.append((found, col))
            self._converters[connection.vendor] = converters
        return converters

    def read(self, values: Sequence[Any], connection: BaseDatabaseWrapper) -> M | None:
        """The instance whose fields are `values`, or None when the first (its key) is
        NULL: a LEFT JOIN that found none."""
        if values[0] is None:
            return None
        converted = []
        for value, (converters, col) in zip(values, self._for(connection), strict=True):
            for converter in converters:
                value = converter(value, col, connection)
            converted.append(value)
        return self.model.from_db(connection.alias, self.attnames, converted)

    def take(self, columns: Iterator[Any], connection: BaseDatabaseWrapper) -> M | None:
        """`read` the next of a row's columns that are this reader's."""
        return self.read([next(columns) for _ in self.fields], connection)


@contextmanager
def prepared_cursor(connection: BaseDatabaseWrapper) -> Iterator[CursorWrapper]:
    """A cursor for a hot path's own statements, which PostgreSQL prepares once per
    connection and then only runs (the scan insert of the API's views, which an offline
    batch runs once a scan): parsing and planning the scan's read took 0.7 ms, running
    it 0.1 ms. It is the connection's ordinary cursor (connected, health-checked, logged
    like any other) bound on the server; on other databases, or with prepared statements
    turned off (`DB_PREPARED_STATEMENTS`), simply the ordinary cursor."""
    with connection.cursor() as cursor:
        raw = connection.connection
        if (
            connection.vendor == "postgresql"
            and getattr(raw, "prepare_threshold", None) is not None  # psycopg 3, turned on
        ):
            cursor.cursor.close()
            cursor.cursor = _preparing_cursor()(raw)
        yield cursor


@cache
def _preparing_cursor() -> type:
    from django.db.backends.postgresql import base

    class PreparingCursor(base.ServerBindingCursor):  # type: ignore[name-defined,misc]
        """Binds on the server and prepares every statement it runs."""

        def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
            return super().execute(query, params, prepare=True)

    return PreparingCursor
