"""The roster optimiser on plain values: every proposal passes every rule, it fills as
many places as a brute force finds on tiny cases, at least as many as the greedy
baseline, and explains the shifts it leaves short."""

from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from jijie.duty import roster, rules

T0 = timezone.make_aware(datetime(2030, 3, 2, 8, 0))
HERE = "0001000100010001"
THERE = "0001000100010002"


def post(start_h: int, hours: int, *, path: str = HERE, skills=()) -> rules.Post:
    start = T0 + timedelta(hours=start_h)
    return rules.Post(path, start, start + timedelta(hours=hours), frozenset(skills), frozenset())


def person(
    key: int, *, skills=(), path: str = HERE, home=(23.74, 114.70), busy=()
) -> roster.Person:
    candidate = rules.Candidate(
        kind="party_member",
        skills=frozenset(skills),
        fitness="fit",
        residence_path="",
        deployments=((path, T0.date() - timedelta(days=1), T0.date() + timedelta(days=30)),),
    )
    return roster.Person(key, candidate, tuple(busy), home)


def slot(key: int, p: rules.Post, need: int = 1, room: int | None = None) -> roster.Slot:
    return roster.Slot(key, p, need, need if room is None else room, (23.74, 114.70))


def assert_feasible(plan: roster.Plan, slots, people) -> None:
    by_slot = {s.key: s for s in slots}
    by_person = {p.key: p for p in people}
    kept, dropped = roster.verify(plan.pairs, by_slot, by_person, {})
    assert dropped == 0
    assert sorted(kept) == sorted(plan.pairs)
    for s in slots:
        assert sum(1 for _p, k in plan.pairs if k == s.key) <= s.room


def brute_force_short(slots, people) -> int:
    """The fewest places short over every subset of the allowed pairs."""
    found, _why = roster.eligible(slots, people, {})
    pairs = [(p.key, s.key) for s in slots for p in found[s.key]]
    by_slot = {s.key: s for s in slots}
    by_person = {p.key: p for p in people}
    best: int = sum(s.need for s in slots)
    for n in range(len(pairs) + 1):
        for subset in itertools.combinations(pairs, n):
            _kept, dropped = roster.verify(list(subset), by_slot, by_person, {})
            if dropped:
                continue
            count = {s.key: 0 for s in slots}
            for _p, k in subset:
                count[k] += 1
            best = min(best, sum(max(0, s.need - count[s.key]) for s in slots))
    return best


def test_day_and_night_shifts_go_to_different_members():
    slots = [slot(1, post(0, 12)), slot(2, post(12, 12)), slot(3, post(24, 12))]
    people = [person(1), person(2)]
    plan = roster.solve(slots, people, time_limit=2)
    assert plan.places_short == 0
    assert_feasible(plan, slots, people)
    # Day and night are back to back: two different members.
    assert {p for p, k in plan.pairs if k in (1, 2)} == {1, 2}


def test_a_shift_nobody_may_take_is_explained():
    slots = [slot(1, post(0, 12, skills=["driving"])), slot(2, post(0, 12, path=THERE))]
    people = [person(1), person(2)]
    plan = roster.solve(slots, people, labels={"driving": "驾驶"}, time_limit=2)
    assert plan.pairs == []
    assert "驾驶" in plan.unfilled[1]
    assert "没有下沉到或居住在本社区的队员" in plan.unfilled[2]


def test_a_shift_whose_members_are_all_taken_is_explained():
    slots = [slot(1, post(0, 12)), slot(2, post(0, 12))]
    plan = roster.solve(slots, [person(1)], time_limit=2)
    assert plan.places_short == 1
    assert "已有班次或需要休息" in next(iter(plan.unfilled.values()))


def test_hours_are_shared_before_travel_and_the_nearer_goes_among_equals():
    slots = [slot(1, post(0, 12)), slot(2, post(24, 12))]
    near = person(1, home=(23.74, 114.70))
    far = person(2, home=(23.90, 114.90))
    plan = roster.solve(slots, [near, far], time_limit=2)
    assert plan.places_short == 0
    # Sharing hours comes before travel: the far member takes one of the two days.
    assert sorted(p for p, _k in plan.pairs) == [1, 2]
    # Two members as near as each other share the days; the far one stays home.
    plan = roster.solve(slots, [near, person(3, home=(23.74, 114.70)), far], time_limit=2)
    assert sorted(p for p, _k in plan.pairs) == [1, 3]
    assert {g.status for g in plan.groups} == {"OPTIMAL"}


def test_a_member_holding_fewer_hours_gets_the_shift_however_far():
    # given a neighbour who already holds a shift that week and a member 25 km away
    # holding none
    held = (T0 - timedelta(hours=48), T0 - timedelta(hours=36))
    near = person(1, home=(23.74, 114.70), busy=[held])
    near = roster.Person(near.key, near.candidate, near.busy, near.home, hours=12)
    far = person(2, home=(23.90, 114.90))
    slots = [slot(1, post(0, 12))]
    # when
    plan = roster.solve(slots, [near, far], time_limit=2)
    # then the one with fewer hours goes, and the plan keeps every rule
    assert plan.pairs == [(2, 1)]
    assert roster.check_plan(plan.pairs, slots, [near, far]) == []
    assert [g.status for g in plan.groups] == ["OPTIMAL"]


def test_the_optimiser_shares_hours_where_greedy_does_not():
    # Four days, the second and fourth driving: greedy, in time order, gives the first
    # day to the nearest of two members with no hours, the driver, who must then take
    # both driving days too; the optimiser leaves the other days to the other member.
    slots = [
        slot(1, post(0, 12)),
        slot(2, post(24, 12, skills=["driving"])),
        slot(3, post(48, 12)),
        slot(4, post(72, 12, skills=["driving"])),
    ]
    driver = person(1, skills=["driving"], home=(23.74, 114.70))
    other = person(2, home=(23.80, 114.80))
    people = [driver, other]
    plan = roster.solve(slots, people, time_limit=2)
    baseline = roster.greedy(slots, people)
    hours = sorted(plan.hours.values())
    assert plan.places_short == baseline.places_short == 0
    # The driver must take both driving days; the other member both other days.
    assert hours == [24.0, 24.0]
    assert sorted(baseline.hours.values()) == [12.0, 36.0]
    assert roster.check_plan(plan.pairs, slots, people) == []


def test_the_proposal_is_never_worse_than_the_greedy_baseline():
    # Greedy takes the nearest for the first shift, the only driver, who may then not
    # take the driving shift that follows at once; the solver sends someone else to
    # the first and the driver to the second.
    slots = [slot(1, post(0, 12)), slot(2, post(12, 12, skills=["driving"]))]
    driver = person(1, skills=["driving"], home=(23.74, 114.70))
    other = person(2, home=(23.80, 114.80))
    baseline = roster.greedy(slots, [driver, other])
    assert baseline.places_short == 1
    plan = roster.solve(slots, [driver, other], time_limit=2)
    assert plan.places_short == 0
    assert sorted(plan.pairs) == [(1, 2), (2, 1)]


def test_fast_checks_agree_with_the_rules_sentences():
    rng = random.Random(7)
    limits = rules.Limits.default()
    for _ in range(400):
        p = post(
            rng.choice(range(0, 48, 2)),
            rng.choice([2, 4, 8, 12, 14]),
            skills=rng.choice([(), ("driving",)]),
        )
        busy = []
        for _b in range(rng.choice([0, 1, 2, 3])):
            start = T0 + timedelta(hours=rng.choice(range(-12, 60, 2)))
            busy.append((start, start + timedelta(hours=rng.choice([2, 4, 8, 12]))))
        who = person(1, skills=rng.choice([(), ("driving",)]), path=rng.choice([HERE, THERE]))
        slow = rules.refusal(who.candidate, p, busy, {}) is None
        fast = rules.may_hold(who.candidate, p) and rules.fits_in_time(busy, p, limits)
        assert fast == slow, (p, busy, who)


def test_existing_shifts_count_against_the_rules():
    slots = [slot(1, post(12, 12))]
    busy = person(1, busy=[(T0, T0 + timedelta(hours=12))])
    plan = roster.solve(slots, [busy], time_limit=2)
    assert plan.pairs == []


@pytest.mark.parametrize("seed", range(12))
def test_fills_as_many_places_as_a_brute_force_and_never_breaks_a_rule(seed):
    rng = random.Random(seed)
    slots = []
    for key in range(1, 4):
        hours = rng.choice([4, 6, 12])
        p = post(rng.choice([0, 4, 8, 12, 16]), hours, skills=rng.choice([(), ("driving",)]))
        slots.append(slot(key, p, need=rng.choice([1, 2])))
    people = [person(k, skills=rng.choice([(), ("driving",)])) for k in range(1, 4)]
    plan = roster.solve(slots, people, time_limit=2)
    assert_feasible(plan, slots, people)
    assert plan.places_short == brute_force_short(slots, people)
    baseline = roster.greedy(slots, people)
    assert_feasible(baseline, slots, people)
    assert plan.places_short <= baseline.places_short
