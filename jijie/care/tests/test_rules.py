"""Day counting, due slots and fever on plain values."""

from datetime import date, timedelta
from decimal import Decimal

from django.test import override_settings

from jijie.care import rules
from jijie.care.rules import Period, SlotState
from jijie.care.tests.fixtures import local

START = date(2026, 3, 1)


def test_the_start_date_is_day_one_and_the_last_day_closes_the_count():
    period = Period(START, 14)
    assert period.day_number(START) == 1
    assert period.day_number(date(2026, 3, 14)) == 14
    assert period.last_day == date(2026, 3, 14)
    assert period.days_left(date(2026, 3, 14)) == 0
    assert period.day_number(START - timedelta(days=1)) == 0


def test_an_extension_adds_its_days_to_the_period():
    period = Period(START, 14 + 7)
    assert period.last_day == date(2026, 3, 21)
    assert period.contains(date(2026, 3, 20))
    assert not period.is_past_due(date(2026, 3, 21))
    assert period.is_past_due(date(2026, 3, 22))


def test_the_end_stops_the_due_days_before_the_last_day():
    period = Period(START, 14, ended_on=date(2026, 3, 5))
    assert period.final_day == date(2026, 3, 5)
    assert period.contains(date(2026, 3, 5))
    assert not period.contains(date(2026, 3, 6))
    assert not period.is_past_due(date(2026, 3, 20))


def test_before_the_start_nothing_is_due():
    assert not Period(START, 14).contains(START - timedelta(days=1))


def slot_at(at, checks_per_day: int, **kwargs) -> rules.Slot:
    slot = rules.slot_for(at, checks_per_day, **kwargs)
    assert slot is not None
    return slot


def test_a_follow_up_counts_for_the_first_slot_still_open():
    # twice a day: due 8:00 and 15:00, three hours of grace
    assert slot_at(local(START, 7), 2).index == 0
    assert slot_at(local(START, 10, 59), 2).index == 0
    assert slot_at(local(START, 11), 2).index == 1
    assert slot_at(local(START, 23, 30), 2).index == 1


def test_a_slot_is_local_to_shanghai_across_midnight_utc():
    # 00:30 in Shanghai is 16:30 UTC the day before: the slot is the Shanghai day's
    slot = slot_at(local(START, 0, 30), 1)
    assert slot.day == START
    assert slot.due_at == local(START, 9)


def test_slot_states_through_the_day():
    slot = rules.slots_of(START, 1)[0]
    assert rules.slot_state(slot, done=False, now=local(START, 8)) == SlotState.UPCOMING
    assert rules.slot_state(slot, done=False, now=local(START, 10)) == SlotState.DUE
    assert rules.slot_state(slot, done=False, now=local(START, 12)) == SlotState.MISSED
    assert rules.slot_state(slot, done=True, now=local(START, 12)) == SlotState.DONE


def test_the_fever_threshold_comes_from_the_setting():
    assert rules.is_fever(Decimal("37.3"))
    assert not rules.is_fever(Decimal("37.2"))
    assert not rules.is_fever(None)
    with override_settings(CARE_FEVER_C="38.0"):
        assert not rules.is_fever(Decimal("37.5"))


def test_slots_whose_deadline_passed_before_the_case_was_registered_are_left_out():
    slots = rules.slots_of(START, 2, opened_at=local(START, 12))
    assert [s.index for s in slots] == [1]  # 8:00 + 3 h had passed; 15:00 had not
    assert rules.slots_of(START, 2, opened_at=local(START, 23)) == []


def test_a_follow_up_of_a_day_whose_slots_were_never_due_is_in_none():
    # registered at 14:00: 9:00 + 3 h had passed, so nothing was due that day
    assert rules.slot_for(local(START, 15), 1, opened_at=local(START, 14)) is None
    # twice a day, registered at 12:00: the 15:00 slot is due, and a late one counts for it
    assert slot_at(local(START, 19), 2, opened_at=local(START, 12)).index == 1


def test_the_days_state_says_outside_nothing_due_or_slots():
    period = Period(START, 14)
    due = rules.slots_of(START, 1, opened_at=local(START, 14))
    assert rules.day_state(period, START, due) == rules.DayState.NONE_DUE
    assert rules.day_state(period, START, rules.slots_of(START, 1)) == rules.DayState.SLOTS
    before = START - timedelta(days=1)
    assert rules.day_state(period, before, []) == rules.DayState.OUTSIDE
