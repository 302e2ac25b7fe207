"""Appointment windows per building (分楼栋预约时段), so that a site's queue stays short:
the buildings a site serves are called in one after another, in the order a worker
walks them, each given the window its people fill at the site's pace. Pure: given the
buildings and how many of each are still to come, the site's hours, lanes and pace, it
answers the windows and what did not fit in the day.

The day is cut into slots of `slot_minutes`; a slot takes at most lanes × pace × minutes
/ 60 people. A building's people go into the slot in hand and spill into the next ones,
so no slot is ever given more than it takes, and a building's window runs from the
start of its first slot to the end of its last. Once the day is full, every building
left is reported, in order, for another day or another site: a later building is never
slipped in before an earlier one, which would break the walking order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Window:
    building: int
    starts_at: datetime
    ends_at: datetime
    people: int


@dataclass(frozen=True)
class Plan:
    windows: list[Window]
    left: list[int]  # buildings with people still to come that the day could not take
    per_slot: int  # how many people a slot takes


def slot_capacity(*, lanes: int, per_lane_hour: int, slot_minutes: int) -> int:
    return max(1, lanes * per_lane_hour * slot_minutes // 60)


def plan(
    buildings: Sequence[tuple[int, int]],
    *,
    opens: datetime,
    closes: datetime,
    lanes: int,
    per_lane_hour: int,
    slot_minutes: int,
) -> Plan:
    """Windows for `buildings` ((id, people still to come), in walking order) between
    `opens` and `closes`. A building with no one to come gets no window."""
    per_slot = slot_capacity(lanes=lanes, per_lane_hour=per_lane_hour, slot_minutes=slot_minutes)
    step = timedelta(minutes=slot_minutes)
    slots = int((closes - opens) / step)
    windows: list[Window] = []
    left: list[int] = []
    slot = 0  # the slot in hand
    room = per_slot  # what it still takes
    for building, people in buildings:
        if people <= 0:
            continue
        if left or slot >= slots:
            left.append(building)
            continue
        first, need = slot, people
        at, free = slot, room
        while need > free and at < slots:
            need -= free
            at, free = at + 1, per_slot
        if at >= slots:  # the day ends before this building does
            left.append(building)
            continue
        slot, room = at, free - need
        windows.append(Window(building, opens + first * step, opens + (at + 1) * step, people))
        if room == 0:
            slot, room = slot + 1, per_slot
    return Plan(windows, left, per_slot)
