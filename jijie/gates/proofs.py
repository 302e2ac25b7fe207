"""A negative test result on the ledger, for a gate whose rule asks for one within N
hours (核酸证明, seed 004's 48 hours).

A pass is a household's, so the ledger answers for the household: how many of its
members must show a result, how many have a negative one taken within the hours, how
many were sampled and wait for theirs. When every member has one, the person coming in
needs no paper: the ledger vouches. Otherwise the guard checks the person's own proof
and ticks it, as before there was a ledger.

The gates sit below the testing rounds, so testing registers the source in its
`AppConfig.ready` (`register`); with none registered the ledger knows nothing and every
passage asks for the guard's check. The guard sees a standing, never a result: a member
in a positive tube counts as one without a valid result, like one never tested.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.gates.models import Direction, GateRule, Standing

if TYPE_CHECKING:
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.models import QuerySet


@dataclass(frozen=True)
class Proof:
    """What the ledger says of a household at an instant, for a number of hours."""

    hours: int
    members: int  # who must show a result (the excused left out)
    valid: int  # a negative result, sampled within the hours
    pending: int  # sampled within the hours, no result yet

    @property
    def standing(self) -> str:
        if self.members and self.valid >= self.members:
            return Standing.VALID
        if self.valid:
            return Standing.PARTIAL
        if self.pending:
            return Standing.PENDING
        return Standing.NONE

    @property
    def is_valid(self) -> bool:
        return self.standing == Standing.VALID

    def sentence(self) -> str:
        """The standing as the guard reads it: counts, never whose result is what."""
        if self.is_valid:
            return _("核酸:全户 %(n)s 人 %(hours)s 小时内阴性。") % {
                "n": self.members,
                "hours": self.hours,
            }
        if not self.members:
            return _("核酸:台账无本户须检测人员的记录。")
        text = _("核酸:全户 %(n)s 人中 %(valid)s 人 %(hours)s 小时内阴性") % {
            "n": self.members,
            "valid": self.valid,
            "hours": self.hours,
        }
        if self.pending:
            text += _(",%(pending)s 人结果未出") % {"pending": self.pending}
        return text + _("。")


# Given a household's id, an instant and a number of hours, the ledger's query of one row
# per member who must show a result: (a swab taken within the hours with a negative
# result by the instant, one with a positive result, one waiting for its result), each
# anything true where there is one. A query, not its answer, so that the scan lane runs
# it on its own connection as Django runs it on its own.
Row = tuple[Any, Any, Any]
Source = Callable[[int, datetime, int], "QuerySet[Any, Row]"]
_sources: list[Source] = []


def register(source: Source) -> None:
    """Install the ledger's query. One source."""
    if _sources and _sources[0] is not source:
        raise RuntimeError("a second source of test results")
    _sources[:] = [source]
    _statements.clear()


def has_source() -> bool:
    return bool(_sources)


def hours_asked(rule: GateRule | None, direction: str) -> int | None:
    """Within how many hours a passage under `rule` must show a negative result, or
    None: only on the way in, and only where the rule asks."""
    if rule is None or direction != Direction.IN:
        return None
    return rule.certificate_hours or None


def query(household_id: int, at: datetime, hours: int) -> QuerySet[Any, Row]:
    """The registered source's query (`has_source` first)."""
    return _sources[0](household_id, at, hours)


# Values no scan brings, to find where each input lands among a compiled statement's
# parameters.
_HOUSEHOLD = 2_000_000_011
_AT = datetime(2001, 2, 3, 4, 5, 6, 789_012, tzinfo=UTC)


@dataclass(frozen=True)
class Statement:
    """The source's query compiled once for a number of hours: its SQL, and for each of
    its parameters the input it takes ("household", "at", "since" (the instant less the
    hours), "day" (the instant's local date)) or, for a constant, "" and the value."""

    sql: str
    slots: tuple[tuple[str, Any], ...]

    def params(self, household_id: int, at: datetime, hours: int) -> list[Any]:
        inputs = {
            "household": household_id,
            "at": at,
            "since": at - timedelta(hours=hours),
            "day": timezone.localdate(at),
        }
        return [inputs[slot] if slot else value for slot, value in self.slots]


_statements: dict[tuple[str, int], Statement | None] = {}


def _compiled(connection: BaseDatabaseWrapper, hours: int) -> Statement | None:
    sql, params = query(_HOUSEHOLD, _AT, hours).query.get_compiler(connection=connection).as_sql()
    inputs: list[tuple[str, Any]] = [
        ("household", _HOUSEHOLD),
        ("at", _AT),
        ("since", _AT - timedelta(hours=hours)),
        ("day", timezone.localdate(_AT)),
    ]
    slots = []
    for value in params:
        slot = next(
            (name for name, given in inputs if type(value) is type(given) and value == given), ""
        )
        slots.append((slot, None if slot else value))
    found = {slot for slot, _value in slots}
    if not {"household", "at"} <= found:
        return None  # a source whose inputs cannot be told apart: compiled each time
    return Statement(sql, tuple(slots))


def bound(
    connection: BaseDatabaseWrapper, household_id: int, at: datetime, hours: int
) -> tuple[str, list[Any]]:
    """The source's query for a household as SQL and parameters, for the scan lane to run
    on its own connection. Compiled once a number of hours (the ORM builds and compiles
    it in about 3 ms, measured: more than the rest of a scan's work in the lane), then
    only its parameters are set."""
    key = (connection.vendor, hours)
    if key not in _statements:
        _statements[key] = _compiled(connection, hours)
    statement = _statements[key]
    if statement is None:
        sql, params = (
            query(household_id, at, hours).query.get_compiler(connection=connection).as_sql()
        )
        return sql, list(params)
    return statement.sql, statement.params(household_id, at, hours)


def from_rows(hours: int, rows: Iterable[Row]) -> Proof:
    """The standing from the query's rows: a positive tube voids a negative one."""
    members = valid = pending = 0
    for negative, positive, waiting in rows:
        members += 1
        if positive:
            continue
        if negative:
            valid += 1
        elif waiting:
            pending += 1
    return Proof(hours=hours, members=members, valid=valid, pending=pending)


def proof_for(household_id: int, at: datetime, hours: int) -> Proof | None:
    """The ledger's word on the household, or None with no ledger."""
    if not _sources:
        return None
    return from_rows(hours, query(household_id, at, hours))
