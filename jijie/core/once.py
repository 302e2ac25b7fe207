"""Stored once by the client's id: a record a phone sends (a door visit, a follow-up,
later whatever the offline queue holds) carries an id the phone made, `client_ref`,
unique in its table. Sent again, because the phone never heard the answer, it is found
and returned, not stored twice; sent twice at the same moment, the table's unique
constraint lets one in and the other finds it.

    client_ref = once.client_ref(data.client_ref)
    if (stored := once.sent_before(client_ref, find)) is not None:
        return stored
    ...check, build `record`...
    record, new = once.save_once(record, client_ref, find)
    if not new:
        return record

`find()` looks the record up by its client id (and may refuse one reused for another
record). The gates' scans keep their own form of the same rule, an `INSERT … ON
CONFLICT (client_id) DO NOTHING` with no savepoint, on the hot path (jijie/gates).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

M = TypeVar("M", bound=models.Model)

CLIENT_REF_LENGTH = 64


def client_ref(raw: str) -> str:
    """A client's id as stored: trimmed, at most `CLIENT_REF_LENGTH` characters; empty
    when the client sent none (then every send is a new record)."""
    return raw.strip()[:CLIENT_REF_LENGTH]


def sent_before(ref: str, find: Callable[[], M | None]) -> M | None:
    """The record stored by an earlier send of `ref`, if any."""
    return find() if ref else None


def save_once(record: M, ref: str, find: Callable[[], M | None]) -> tuple[M, bool]:
    """Save `record` and (record, True); or, when a send of the same `ref` stored its
    record first (the unique constraint refuses this one), (that record, False). Call
    it inside the write's transaction: the save takes a savepoint of its own, so the
    refusal leaves the transaction usable."""
    if not ref:
        record.save()
        return record, True
    try:
        with transaction.atomic():
            record.save()
    except IntegrityError:
        stored = find()
        if stored is None:
            raise  # refused for another reason than the client's id
        return stored, False
    return record, True
