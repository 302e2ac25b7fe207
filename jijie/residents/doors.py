"""Doors as people read them: 101, 102 … 1001, never as text (where "1001" comes before
"101"), and a building drawn as its floors × doors (楼栋户图).

A door number's floor is read from its last run of digits, as Chinese buildings number
their doors: "502" is floor 5, door 02; "1203" floor 12; "2单元1502" floor 15; "B103"
floor 1. A number of one or two digits ("3", "12"), or one with no digits ("商铺甲"),
names no floor: such doors (shops, bungalows) are drawn on a row of their own.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")

_RUNS = re.compile(r"\d+|\D+")
_LAST_DIGITS = re.compile(r"(\d+)\D*$")


def door_key(door: str) -> tuple[tuple[int, int, str], ...]:
    """A sort key that orders door numbers as people read them: runs of digits by their
    value, other runs as text ("2单元101" after "1单元1201", "101" before "1001")."""
    return tuple(
        (0, int(run), "") if run.isdigit() else (1, 0, run) for run in _RUNS.findall(door.strip())
    )


SORT_LENGTH = 255
_DIGITS = 12


def door_sort(door: str) -> str:
    """`door_key` as text that sorts the same byte by byte (stored beside the door, so
    that a database orders doors as people read them): each run of digits as 12 ASCII
    digits, each other run marked with "~" (after every digit), runs joined by a space
    (before everything)."""
    runs = _RUNS.findall(door.strip())
    return " ".join(str(int(run)).zfill(_DIGITS) if run.isdigit() else f"~{run}" for run in runs)[
        :SORT_LENGTH
    ]


def floor_of(door: str) -> int | None:
    """The floor a door number names (its last run of digits less the last two), or
    None where it names none."""
    found = _LAST_DIGITS.search(door.strip())
    if found is None or len(found.group(1)) < 3:
        return None
    return int(found.group(1)[:-2])


@dataclass(frozen=True)
class Floor(Generic[T]):
    number: int | None  # None: the doors that name no floor
    doors: list[T]


def floor_plan(items: Iterable[T], door: Callable[[T], str]) -> list[Floor[T]]:
    """`items` drawn as a building: floors from the top down, as the building stands,
    each floor's doors in reading order; the doors that name no floor last."""
    floors: dict[int | None, list[T]] = {}
    for item in items:
        floors.setdefault(floor_of(door(item)), []).append(item)
    numbers = sorted((n for n in floors if n is not None), reverse=True)
    ordered = [*numbers, None] if None in floors else numbers
    return [
        Floor(number, sorted(floors[number], key=lambda item: door_key(door(item))))
        for number in ordered
    ]
