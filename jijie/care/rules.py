"""Day counting, due slots and fever on plain values, in local time (Asia/Shanghai), so
that services, selectors and the escalation count the same way.

A case runs from its official start date (day 1) for `days` days plus its extensions;
its last day is `starts_on + total - 1`. Each day of the period has one or two due
slots: a slot is due at its time of day and missed once its grace has passed with no
follow-up. A slot whose deadline had passed when the case was registered was never due
(nobody could have made it), so a case registered late in a day may have no slot left
that day. A follow-up belongs to the first due slot of its day whose deadline is still
ahead, or to the day's last due slot when all have passed (recorded late, still done);
on a day with no due slot it is an extra follow-up of that day, in no slot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils import timezone

# When the follow-ups of a day are due, by how many a day the case's rule asks for.
DEFAULT_SLOT_TIMES: dict[int, tuple[time, ...]] = {
    1: (time(9, 0),),
    2: (time(8, 0), time(15, 0)),
}


def slot_times(checks_per_day: int) -> tuple[time, ...]:
    """The due times of a day's slots (setting CARE_SLOT_TIMES, same shape)."""
    table: dict[int, tuple[time, ...]] = getattr(settings, "CARE_SLOT_TIMES", DEFAULT_SLOT_TIMES)
    return table[checks_per_day]


def grace() -> timedelta:
    """How long after its due time a slot with no follow-up counts as missed."""
    return timedelta(minutes=int(getattr(settings, "CARE_GRACE_MINUTES", 180)))


def fever_threshold() -> Decimal:
    """A temperature at or above this is a fever (setting CARE_FEVER_C, 37.3 ℃)."""
    return Decimal(str(getattr(settings, "CARE_FEVER_C", "37.3")))


def is_fever(celsius: Decimal | None) -> bool:
    return celsius is not None and celsius >= fever_threshold()


# Day counting ------------------------------------------------------------------------


def last_day(starts_on: date, total_days: int) -> date:
    """The last day of a period of `total_days` from `starts_on` (day 1)."""
    return starts_on + timedelta(days=total_days - 1)


def day_number(starts_on: date, day: date) -> int:
    """Which day of the period `day` is: 1 on the start date, 0 or less before it."""
    return (day - starts_on).days + 1


@dataclass(frozen=True)
class Period:
    """Where a case stands on a given day."""

    starts_on: date
    total_days: int
    ended_on: date | None = None

    @property
    def last_day(self) -> date:
        return last_day(self.starts_on, self.total_days)

    @property
    def final_day(self) -> date:
        """The last day slots are due: the period's last day, or the end if earlier."""
        if self.ended_on is not None:
            return min(self.last_day, self.ended_on)
        return self.last_day

    def day_number(self, day: date) -> int:
        return day_number(self.starts_on, day)

    def days_left(self, day: date) -> int:
        """Days after `day` still in the period (0 on the last day)."""
        return max(0, (self.last_day - day).days)

    def contains(self, day: date) -> bool:
        """Whether follow-ups are due on `day`."""
        return self.starts_on <= day <= self.final_day

    def is_past_due(self, day: date) -> bool:
        """Still open after its last day: the community should end it."""
        return self.ended_on is None and day > self.last_day


# Slots -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Slot:
    day: date
    index: int
    due_at: datetime

    @property
    def deadline(self) -> datetime:
        return self.due_at + grace()


def slots_of(day: date, checks_per_day: int, *, opened_at: datetime | None = None) -> list[Slot]:
    """The due slots of a local day, aware in the current time zone. With `opened_at`
    (when the case was registered, which may be after its official start), slots whose
    deadline had passed by then are left out: nobody could have made them."""
    tz = timezone.get_current_timezone()
    slots = [
        Slot(day, index, timezone.make_aware(datetime.combine(day, at), tz))
        for index, at in enumerate(slot_times(checks_per_day))
    ]
    if opened_at is None:
        return slots
    return [slot for slot in slots if slot.deadline > opened_at]


def slot_for(
    at: datetime, checks_per_day: int, *, opened_at: datetime | None = None
) -> Slot | None:
    """The slot a follow-up made at `at` counts for (see the module docstring); None
    when no slot of its day was due (the case was registered after the last deadline)."""
    slots = slots_of(timezone.localtime(at).date(), checks_per_day, opened_at=opened_at)
    for slot in slots:
        if at < slot.deadline:
            return slot
    return slots[-1] if slots else None


def is_missed(slot: Slot, *, done: bool, now: datetime) -> bool:
    return not done and now >= slot.deadline


class DayState:
    """What a case's card says of a day as a whole, before its slots."""

    OUTSIDE = "outside"  # the day is not in the period: nothing is due
    NONE_DUE = "none_due"  # in the period, but no slot is due any more (registered late)
    SLOTS = "slots"  # in the period, with due slots (each done, missed, due or upcoming)


def day_state(period: Period, day: date, slots: list[Slot]) -> str:
    if not period.contains(day):
        return DayState.OUTSIDE
    return DayState.SLOTS if slots else DayState.NONE_DUE


class SlotState:
    DONE = "done"
    MISSED = "missed"
    DUE = "due"  # due time reached, grace running
    UPCOMING = "upcoming"


def slot_state(slot: Slot, *, done: bool, now: datetime) -> str:
    if done:
        return SlotState.DONE
    if now >= slot.deadline:
        return SlotState.MISSED
    if now >= slot.due_at:
        return SlotState.DUE
    return SlotState.UPCOMING
