"""The roster optimiser: propose members for the open places of a street's or a
community's shifts.

Every line keeps every rule of `rules` (the same code that judges a claim), the rest
rules of the response over the shift's community included. Among such plans, in this
strict order:

1. the fewest places short of the shifts' minimums;
2. hours shared: the least sum, over every member eligible for a shift of the group,
   of the square of their hours (those they already hold in the period read, plus the
   plan's). The cost of a member's next shift grows with the hours they hold, so a shift
   always goes to the one holding fewer hours, however far they live;
3. the least travel from home (the great-circle distance between the offices of the
   community a member lives in and the community of the shift,
   `mobilization.AreaLocation`), counted in steps of 100 m.

The exchange rate between hours and kilometres is therefore none at the margin: the
weights are set so that one unit of the hours cost (a quarter-hour squared) outweighs
all the travel the group could have, and kilometres only choose between plans that
share hours equally well (members holding the same hours: the nearer one goes).

CP-SAT solves one model per group of shifts that share candidates (communities whose
members never serve elsewhere are independent), started from the greedy plan
(`greedy`: shifts in time order, each to the members holding the fewest hours whom
the rules still allow); a group whose solver runs out of time before matching that
plan keeps the greedy one, so a proposal is never worse than the baseline. Each group's
status is kept (`Plan.groups`): OPTIMAL, or FEASIBLE when its time ran out.

The model holds the rules of time (`_add_time_rules`): overlapping shifts exclude each
other; every chain of shifts that would make too long a run of duty is forbidden as a
clause (exact); at most the 7-day limit of hours in every 7-day window that starts when
a shift starts or ends when one ends (exact); and the weekly rest as a free calendar day
in every 7 consecutive days (conservative: such a day is a 24-hour rest). Every proposed
line is still checked again with the rules in time order, so every proposal is
feasible. Each shift left short is explained.
"""

from __future__ import annotations

import functools
import math
import time as clock
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

from jijie.areas.models import Area
from jijie.audit.actors import Actor
from jijie.duty import rules, selectors, services
from jijie.duty.models import (
    DemandStatus,
    Participation,
    ParticipationSource,
    Shift,
)
from jijie.duty.services import require_manage
from jijie.mobilization.models import Member, Skill
from jijie.mobilization.proposal import area_locations, distance_m

if TYPE_CHECKING:
    from jijie.accounts.models import User

# A place with no known distance costs as much as this many metres.
UNKNOWN_DISTANCE_M = 20_000
# Travel is counted in steps of this many metres in the model.
TRAVEL_STEP_M = 100
# The hours cost is counted in steps of this many minutes (exactly, when shifts are
# whole quarters of an hour).
HOURS_STEP_MIN = 15
# A group's solver presolves its model when it has at least this long (seconds).
PRESOLVE_FROM_S = 1.0


@dataclass(frozen=True)
class Slot:
    """An open shift: `need` people short of its minimum, `room` short of its maximum;
    `limits` are the rest rules over it (None: the defaults of the settings)."""

    key: int
    post: rules.Post
    need: int
    room: int
    location: tuple[float, float] | None
    limits: rules.Limits | None = None


@dataclass(frozen=True)
class Person:
    key: int
    candidate: rules.Candidate
    busy: tuple[rules.Interval, ...]
    home: tuple[float, float] | None
    hours: float = 0.0  # already held in the period


@dataclass(frozen=True)
class Group:
    """One model: its shifts, the members it considered, how it ended."""

    slots: int
    people: int
    status: str
    seconds: float


@dataclass
class Plan:
    pairs: list[tuple[int, int]]  # (person key, slot key)
    unfilled: dict[int, str]  # slot key -> why it stays short of its minimum
    places_short: int
    distance_m: int
    hours: dict[int, float]  # person key -> hours after the plan
    seconds: float
    status: str = ""
    dropped: int = 0  # lines the model proposed that the rules refused afterwards
    filled_slots: int = 0  # shifts brought up to their minimum
    groups: list[Group] = field(default_factory=list)


def travel(person: Person, slot: Slot) -> int:
    return _metres(person.home, slot.location)


@functools.lru_cache(maxsize=65_536)
def _metres(home: tuple[float, float] | None, location: tuple[float, float] | None) -> int:
    """Homes and shifts are at a few community offices: each distance is worked out
    once."""
    metres = distance_m(home, location)
    return UNKNOWN_DISTANCE_M if metres is None else metres


def slot_hours(slot: Slot) -> float:
    return (slot.post.ends_at - slot.post.starts_at).total_seconds() / 3600


def _with_limits(slots: list[Slot]) -> list[Slot]:
    """The slots with the defaults' limits written in where they have none (read once)."""
    default = rules.Limits.default()
    return [s if s.limits is not None else replace(s, limits=default) for s in slots]


def limits_of(slot: Slot) -> rules.Limits:
    return slot.limits if slot.limits is not None else rules.Limits.default()


def _pools(slots: list[Slot], people: list[Person]) -> dict[str, list[Person]]:
    """Members who may serve in each community: deployed to it or living in it."""
    paths = {s.post.community_path for s in slots}
    pools: dict[str, list[Person]] = defaultdict(list)
    for person in people:
        deployed = {path for path, _start, _end in person.candidate.deployments}
        for path in paths:
            residence = person.candidate.residence_path
            if path in deployed or (residence and residence.startswith(path)):
                pools[path].append(person)
    return pools


def eligible(
    slots: list[Slot], people: list[Person], labels: dict[str, str]
) -> tuple[dict[int, list[Person]], dict[int, str]]:
    """Per slot, the members the rules let through against what they already hold;
    and for slots with nobody, why (the sentences are written for those slots only)."""
    pools = _pools(slots, people)
    result: dict[int, list[Person]] = {}
    why: dict[int, str] = {}
    for slot in slots:
        limits = limits_of(slot)
        pool = pools.get(slot.post.community_path, [])
        found = [
            person
            for person in pool
            if rules.may_hold(person.candidate, slot.post)
            and rules.fits_in_time(person.busy, slot.post, limits)
        ]
        result[slot.key] = found
        if not found:
            reasons: dict[str, int] = defaultdict(int)
            for person in pool:
                refusal = rules.refusal(person.candidate, slot.post, person.busy, labels, limits)
                if refusal is not None:
                    reasons[refusal] += 1
            why[slot.key] = _explain_nobody(reasons)
    return result, why


def _explain_nobody(reasons: dict[str, int]) -> str:
    if not reasons:
        return _("没有下沉到或居住在本社区的队员。")
    parts = [
        _("%(n)s 人:%(reason)s") % {"n": n, "reason": reason}
        for reason, n in sorted(reasons.items(), key=lambda item: -item[1])[:3]
    ]
    return _("没有符合条件的队员。") + " ".join(parts)


def verify(
    pairs: list[tuple[int, int]],
    slots: dict[int, Slot],
    people: dict[int, Person],
    labels: dict[str, str],
) -> tuple[list[tuple[int, int]], int]:
    """The pairs the rules allow taken in time order, each against the member's shifts
    and the pairs kept before it; and how many were dropped."""
    held: dict[int, list[rules.Interval]] = {k: list(p.busy) for k, p in people.items()}
    taken: dict[int, int] = defaultdict(int)
    kept: list[tuple[int, int]] = []
    for person_key, slot_key in sorted(pairs, key=lambda ps: (slots[ps[1]].post.starts_at, ps)):
        slot, person = slots[slot_key], people[person_key]
        if taken[slot_key] >= slot.room:
            continue
        reason = rules.refusal(
            person.candidate, slot.post, held[person_key], labels, limits_of(slot)
        )
        if reason is not None:
            continue
        held[person_key].append((slot.post.starts_at, slot.post.ends_at))
        taken[slot_key] += 1
        kept.append((person_key, slot_key))
    return kept, len(pairs) - len(kept)


def check_plan(
    pairs: Sequence[tuple[int, int]],
    slots: Sequence[Slot],
    people: Sequence[Person],
    labels: dict[str, str] | None = None,
) -> list[tuple[int, int, str]]:
    """Every breach of a rule in a whole plan, as (person key, slot key, sentence):
    each member's lines judged by `rules.breaches` against everything they would hold
    with the plan, and each shift's maximum."""
    slot_by_key = {s.key: s for s in slots}
    person_by_key = {p.key: p for p in people}
    lines: dict[int, list[Slot]] = defaultdict(list)
    count: dict[int, int] = defaultdict(int)
    found = []
    for person_key, slot_key in pairs:
        lines[person_key].append(slot_by_key[slot_key])
        count[slot_key] += 1
    for slot_key, n in count.items():
        slot = slot_by_key[slot_key]
        if n > slot.room:
            found.append((0, slot_key, _("该班次已满(最多 %(max)s 人)。") % {"max": slot.room}))
    for person_key, held in lines.items():
        person = person_by_key[person_key]
        new = [(s.post, limits_of(s)) for s in held]
        refused = rules.breaches(person.candidate, person.busy, new, labels or {})
        for post, reason in refused:
            slot = next(s for s in held if s.post is post)
            found.append((person_key, slot.key, reason))
    return found


def _components(slots: list[Slot], options: dict[int, list[Person]]) -> list[list[Slot]]:
    """Groups of slots linked by a shared candidate (union-find)."""
    parent = {s.key: s.key for s in slots}

    def find(k: int) -> int:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    first_slot_of: dict[int, int] = {}
    for slot in slots:
        for person in options[slot.key]:
            other = first_slot_of.setdefault(person.key, slot.key)
            parent[find(slot.key)] = find(other)
    groups: dict[int, list[Slot]] = defaultdict(list)
    for slot in slots:
        groups[find(slot.key)].append(slot)
    return list(groups.values())


# The model --------------------------------------------------------------------------

# The most clauses one member's runs of duty may add before the rest is left to the
# check after solving (only many short shifts close together come near it).
CHAIN_CLAUSES_MAX = 5_000
_INFINITY = 2**62


class _Proto:
    """A CP-SAT model written straight into its protocol buffer: several times faster
    to build than through `CpModel`'s variables and expressions, and a street's
    model has tens of thousands of variables."""

    def __init__(self) -> None:
        self.model = cp_model.CpModel()
        self.proto = self.model.proto
        self.variables = self.proto.variables
        self.constraints = self.proto.constraints
        # Each variable's value in the plan the search starts from: a complete hint
        # is taken as a first solution, a partial one only guides the search.
        self.hint: list[int] = []

    def var(self, low: int, high: int, hint: int) -> int:
        index = len(self.hint)
        self.variables.add().domain.extend((low, high))
        self.hint.append(hint)
        return index

    def clause(self, literals: Sequence[int]) -> None:
        """At least one of `literals` (a variable's index, or `~index` for its negation)."""
        # `~index` is `-index - 1`, the protocol's own negation.
        self.constraints.add().bool_or.literals.extend(literals)

    def linear(self, variables: Sequence[int], coeffs: Sequence[int], low: int, high: int) -> None:
        linear = self.constraints.add().linear
        linear.vars.extend(variables)
        linear.coeffs.extend(coeffs)
        linear.domain.extend((low, high))


@dataclass(frozen=True)
class _TimeRules:
    """The rules of time over one member's possible shifts (`times`, in time order), as
    constraints on their indices; computed once for all members with the same shifts,
    the same busy times and the same limits."""

    overlaps: tuple[tuple[int, int], ...]
    chains: tuple[tuple[int, ...], ...]  # not all of them: a run too long
    days: tuple[tuple[int, ...], ...]  # a calendar day each: the shifts touching it
    day_windows: tuple[tuple[tuple[int, ...], int], ...]  # (days, at most this many)
    windows: tuple[tuple[tuple[int, ...], tuple[int, ...], int], ...]  # minutes ≤ bound
    complete: bool  # every chain is in `chains`


def _minutes(length: timedelta) -> int:
    return int(length.total_seconds() // 60)


def _local_days(starts_at: datetime, ends_at: datetime) -> list[date]:
    first = timezone.localtime(starts_at).date()
    last = timezone.localtime(ends_at - timedelta(seconds=1)).date()
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _time_rules(
    times: tuple[rules.Interval, ...], busy: tuple[rules.Interval, ...], limits: rules.Limits
) -> _TimeRules:
    overlaps = []
    for i, (_start, end) in enumerate(times):
        for j in range(i + 1, len(times)):
            if times[j][0] >= end:
                break
            overlaps.append((i, j))
    chains, complete = _chains(times, busy, limits)
    days, day_windows = _free_days(times, busy)
    return _TimeRules(
        tuple(overlaps),
        chains,
        days,
        day_windows,
        _windows(times, busy, limits),
        complete,
    )


def _chains(
    times: tuple[rules.Interval, ...], busy: tuple[rules.Interval, ...], limits: rules.Limits
) -> tuple[tuple[tuple[int, ...], ...], bool]:
    """Every chain of shifts, each starting less than the minimum rest after the chain
    so far ends, that makes a run longer than the limit while the chain without its last
    shift does not: holding all of one is a breach, and every run too long holds one."""
    # (start, end, index among `times` or -1 for a shift already held)
    nodes = sorted([(s, e, i) for i, (s, e) in enumerate(times)] + [(s, e, -1) for s, e in busy])
    starts = [n[0] for n in nodes]
    rest = timedelta(hours=limits.rest_hours)
    cap = timedelta(hours=limits.hours_in_a_row)
    found: set[tuple[int, ...]] = set()
    complete = True

    def extend(chain: tuple[int, ...], first: datetime, last_end: datetime) -> None:
        nonlocal complete
        j = _bisect(starts, last_end)
        while j < len(nodes) and nodes[j][0] < last_end + rest:
            _s, e, index = nodes[j]
            j += 1
            longer = chain + ((index,) if index >= 0 else ())
            end = max(last_end, e)
            if end - first > cap:
                if longer:
                    if len(found) >= CHAIN_CLAUSES_MAX:
                        complete = False
                        return
                    found.add(tuple(sorted(set(longer))))
            else:
                extend(longer, first, end)

    for s, e, index in nodes:
        extend((index,) if index >= 0 else (), s, e)
    return tuple(sorted(found)), complete


def _bisect(values: list[datetime], value: datetime) -> int:
    low, high = 0, len(values)
    while low < high:
        middle = (low + high) // 2
        if values[middle] < value:
            low = middle + 1
        else:
            high = middle
    return low


def _free_days(
    times: tuple[rules.Interval, ...], busy: tuple[rules.Interval, ...]
) -> tuple[tuple[tuple[int, ...], ...], tuple[tuple[tuple[int, ...], int], ...]]:
    """The weekly rest, conservatively: a calendar day free of duty in every 7
    consecutive days (a free day is a rest of 24 hours, and no stretch of duty then
    spans more than 6 days, 144 hours)."""
    held_days = {day for s, e in busy for day in _local_days(s, e)}
    touching: dict[date, list[int]] = defaultdict(list)
    for i, (s, e) in enumerate(times):
        for day in _local_days(s, e):
            if day not in held_days:
                touching[day].append(i)
    days = sorted(touching)
    index = {day: n for n, day in enumerate(days)}
    windows = []
    if days:
        first = days[0] - timedelta(days=6)
        for n in range((days[-1] - first).days + 1):
            week = [first + timedelta(days=n + k) for k in range(7)]
            free = tuple(index[d] for d in week if d in index)
            held = sum(1 for d in week if d in held_days)
            if free and len(free) + held >= 7:
                windows.append((free, max(0, 6 - held)))
    return tuple(tuple(touching[d]) for d in days), tuple(windows)


def _windows(
    times: tuple[rules.Interval, ...], busy: tuple[rules.Interval, ...], limits: rules.Limits
) -> tuple[tuple[tuple[int, ...], tuple[int, ...], int], ...]:
    """At most `week_hours` in every 7-day window starting when a shift starts or
    ending when one ends (the busiest windows are among those), in minutes: exact."""
    cap = limits.week_hours * 60
    points = {s for s, _e in times} | {e - rules.WEEK for _s, e in times}
    points |= {s for s, _e in busy} | {e - rules.WEEK for _s, e in busy}
    longest = max((e - s for s, e in times), default=timedelta(0))
    starts = [s for s, _e in times]
    found = []
    for start in sorted(points):
        end = start + rules.WEEK
        indices, coeffs = [], []
        for i in range(_bisect(starts, start - longest), _bisect(starts, end)):
            s, e = times[i]
            if e > start:
                indices.append(i)
                coeffs.append(_minutes(min(e, end) - max(s, start)))
        if not indices:
            continue
        held = sum(_minutes(min(e, end) - max(s, start)) for s, e in busy if s < end and start < e)
        if sum(coeffs) + held > cap:
            found.append((tuple(indices), tuple(coeffs), max(0, cap - held)))
    return tuple(found)


def _score(
    pairs: list[tuple[int, int]], group: list[Slot], people: dict[int, Person]
) -> tuple[int, int, int]:
    """What the optimiser minimises, in its order: places short, the hours cost
    (minutes squared), the travel (in steps)."""
    slots = {s.key: s for s in group}
    count: dict[int, int] = defaultdict(int)
    added: dict[int, int] = defaultdict(int)
    steps = 0
    for person_key, slot_key in pairs:
        slot = slots[slot_key]
        count[slot_key] += 1
        added[person_key] += _minutes(slot.post.ends_at - slot.post.starts_at)
        steps += round(travel(people[person_key], slot) / TRAVEL_STEP_M)
    short = sum(max(0, s.need - count[s.key]) for s in group)
    cost = 0
    for person_key, minutes in added.items():
        before = round(people[person_key].hours * 60)
        cost += (before + minutes) ** 2 - before**2
    return short, cost, steps


@dataclass
class _Bundle:
    """Open shifts at the same times and place with the same candidates: one variable a
    member for all of them, since any of the members chosen may take any of them."""

    slots: list[Slot]
    options: list[Person]

    @property
    def post(self) -> rules.Post:
        return self.slots[0].post

    @property
    def need(self) -> int:
        return sum(s.need for s in self.slots)

    @property
    def room(self) -> int:
        return sum(s.room for s in self.slots)

    def share_out(self, chosen: list[int]) -> list[tuple[int, int]]:
        """The members chosen for the bundle, each on one of its shifts: every shift up
        to its minimum first, then up to its maximum."""
        pairs: list[tuple[int, int]] = []
        waiting = list(chosen)
        for full in (False, True):
            for slot in self.slots:
                already = sum(1 for _p, k in pairs if k == slot.key)
                while waiting and already < (slot.room if full else slot.need):
                    pairs.append((waiting.pop(0), slot.key))
                    already += 1
        return pairs


def _bundles(group: list[Slot], options: dict[int, list[Person]]) -> list[_Bundle]:
    found: dict[tuple[object, ...], _Bundle] = {}
    for slot in sorted(group, key=lambda s: s.key):
        key = (
            slot.post.starts_at,
            slot.post.ends_at,
            slot.post.community_path,
            slot.location,
            slot.limits,
            tuple(p.key for p in options[slot.key]),
        )
        if key in found:
            found[key].slots.append(slot)
        else:
            found[key] = _Bundle([slot], options[slot.key])
    return list(found.values())


def _solve_group(
    group: list[Slot],
    options: dict[int, list[Person]],
    people: dict[int, Person],
    hint: set[tuple[int, int]],
    time_limit: float,
    workers: int,
) -> tuple[list[tuple[int, int]], str, float]:
    """One CP-SAT model for a group of slots, started from `hint` (the greedy plan):
    the pairs, the solver's status and the seconds the model took to build. The
    weights make the order strict: one place short outweighs any hours cost and
    travel, one step of the hours cost outweighs all the group's travel."""
    started = clock.monotonic()
    model = _Proto()
    x: dict[tuple[int, int], int] = {}  # (person key, bundle index) -> variable
    bundles = _bundles(group, options)
    by_person: dict[int, list[int]] = defaultdict(list)
    shortfall: list[int] = []
    travel_vars: list[int] = []
    travel_coeffs: list[int] = []
    travel_bound = 0
    for index, bundle in enumerate(bundles):
        keys = {s.key for s in bundle.slots}
        chosen = []
        farthest = 0
        for person in bundle.options:
            hinted = any((person.key, k) in hint for k in keys)
            var = model.var(0, 1, int(hinted))
            x[(person.key, index)] = var
            chosen.append(var)
            by_person[person.key].append(index)
            steps = round(travel(person, bundle.slots[0]) / TRAVEL_STEP_M)
            farthest = max(farthest, steps)
            if steps:
                travel_vars.append(var)
                travel_coeffs.append(steps)
        model.linear(chosen, [1] * len(chosen), 0, bundle.room)
        taken = sum(model.hint[var] for var in chosen)
        short = model.var(0, bundle.need, max(0, bundle.need - taken))
        model.linear([*chosen, short], [1] * (len(chosen) + 1), bundle.need, _INFINITY)
        shortfall.append(short)
        travel_bound += farthest * bundle.room
    step = math.gcd(HOURS_STEP_MIN, *(_minutes(s.post.ends_at - s.post.starts_at) for s in group))
    cache: dict[tuple[object, ...], _TimeRules] = {}
    cost_vars: list[int] = []
    cost_bound = 0
    for person_key, held in by_person.items():
        person = people[person_key]
        limits = rules.Limits.strictest(limits_of(bundles[i].slots[0]) for i in held)
        blocks: dict[rules.Interval, list[int]] = defaultdict(list)
        for i in held:
            post = bundles[i].post
            blocks[(post.starts_at, post.ends_at)].append(x[(person_key, i)])
        times = tuple(sorted(blocks))
        signature = (times, person.busy, limits)
        if signature not in cache:
            cache[signature] = _time_rules(times, person.busy, limits)
        # One variable a block of shifts at the same times: the member holds one of them.
        held_at = []
        for interval in times:
            xs = blocks[interval]
            if len(xs) == 1:
                held_at.append(xs[0])
            else:
                y = model.var(0, 1, sum(model.hint[var] for var in xs))
                model.linear([*xs, y], [1] * len(xs) + [-1], 0, 0)
                held_at.append(y)
        _add_time_rules(model, held_at, cache[signature])
        cost, bound = _add_hours_cost(model, person, times, held_at, limits, step)
        cost_vars.append(cost)
        cost_bound += bound
    hours_weight = travel_bound + 1
    short_weight = hours_weight * cost_bound + travel_bound + 1
    objective = model.proto.objective
    objective.vars.extend([*shortfall, *cost_vars, *travel_vars])
    objective.coeffs.extend(
        [short_weight] * len(shortfall) + [hours_weight] * len(cost_vars) + travel_coeffs
    )
    model.proto.solution_hint.vars.extend(range(len(model.hint)))
    model.proto.solution_hint.values.extend(model.hint)
    solver = cp_model.CpSolver()
    built = clock.monotonic() - started
    left = time_limit - built
    solver.parameters.max_time_in_seconds = max(0.05, left)
    solver.parameters.num_workers = workers
    # Presolving a large model takes longer than a short share of the time: without it
    # the search starts at once from the greedy plan, and can still prove a small
    # model optimal.
    solver.parameters.cp_model_presolve = left >= PRESOLVE_FROM_S
    status = solver.solve(model.model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], solver.status_name(status), built
    solution = solver.response_proto.solution
    chosen_for: dict[int, list[int]] = defaultdict(list)
    for (person_key, index), var in x.items():
        if solution[var]:
            chosen_for[index].append(person_key)
    pairs = [pair for index, keys in chosen_for.items() for pair in bundles[index].share_out(keys)]
    return pairs, solver.status_name(status), built


def _add_time_rules(model: _Proto, held_at: list[int], time_rules: _TimeRules) -> None:
    for i, j in time_rules.overlaps:
        model.clause([~held_at[i], ~held_at[j]])
    for chain in time_rules.chains:
        model.clause([~held_at[i] for i in chain])
    day_vars = []
    for touching in time_rules.days:
        day = model.var(0, 1, max(model.hint[held_at[i]] for i in touching))
        for i in touching:
            model.clause([~held_at[i], day])
        day_vars.append(day)
    for days, most in time_rules.day_windows:
        model.linear([day_vars[d] for d in days], [1] * len(days), 0, most)
    for indices, coeffs, most in time_rules.windows:
        model.linear([held_at[i] for i in indices], list(coeffs), 0, most)


def _add_hours_cost(
    model: _Proto,
    person: Person,
    times: tuple[rules.Interval, ...],
    held_at: list[int],
    limits: rules.Limits,
    step: int,
) -> tuple[int, int]:
    """A variable at least the member's hours cost, (hours before + the plan's)² −
    (hours before)², in `step`-minute units, as the secants of the square between
    the counts of shifts' units they may reach (the cost is convex, so the secants
    give it exactly at every count); and its bound."""
    lengths = [_minutes(e - s) // step for s, e in times]
    unit = math.gcd(*lengths)
    span = times[-1][1] - times[0][0]
    weeks = math.ceil(span / rules.WEEK)
    most = min(sum(lengths), weeks * limits.week_hours * 60 // step) // unit
    before = round(person.hours * 60 / step)

    def square(count: int) -> int:
        return (before + count * unit) ** 2 - before**2

    per_shift = [n // unit for n in lengths]
    count = model.var(
        0, most, sum(n * model.hint[var] for n, var in zip(per_shift, held_at, strict=True))
    )
    model.linear([*held_at, count], [*per_shift, -1], 0, 0)
    cost = model.var(0, square(most), square(model.hint[count]))
    for k in range(most):
        slope = square(k + 1) - square(k)
        # cost ≥ square(k) + slope · (count − k)
        model.linear([cost, count], [1, -slope], square(k) - slope * k, _INFINITY)
    return cost, square(most)


def _greedy_pairs(open_slots: list[Slot], found: dict[int, list[Person]]) -> list[tuple[int, int]]:
    """Shifts in time order (the one with the fewest eligible members first among those
    at the same time), each filled to its minimum by the members holding the fewest
    hours (then the nearest) whom the rules still allow."""
    held: dict[int, list[rules.Interval]] = {}
    load: dict[int, float] = {}
    pairs: list[tuple[int, int]] = []
    for slot in sorted(open_slots, key=lambda s: (s.post.starts_at, len(found[s.key]), s.key)):
        limits = limits_of(slot)
        taken = 0
        ranked = sorted(
            found[slot.key], key=lambda p: (load.get(p.key, p.hours), travel(p, slot), p.key)
        )
        for person in ranked:
            if taken >= slot.need:
                break
            busy = held.setdefault(person.key, list(person.busy))
            if rules.fits_in_time(busy, slot.post, limits):
                busy.append((slot.post.starts_at, slot.post.ends_at))
                load[person.key] = load.get(person.key, person.hours) + slot_hours(slot)
                pairs.append((person.key, slot.key))
                taken += 1
    return pairs


def solve(
    slots: list[Slot],
    people: list[Person],
    *,
    labels: dict[str, str] | None = None,
    time_limit: float = 10.0,
    workers: int = 2,
) -> Plan:
    """Propose members for the open places of `slots` (see the module docstring).
    `time_limit` bounds the whole call, not only the solver."""
    started = clock.monotonic()
    labels = labels or {}
    slots = _with_limits(slots)
    open_slots = [s for s in slots if s.need > 0 and s.room > 0]
    found, nobody = eligible(open_slots, people, labels)
    baseline = _greedy_pairs(open_slots, found)
    hint = set(baseline)
    person_by_key = {p.key: p for p in people}
    groups = _components([s for s in open_slots if found[s.key]], found)

    def size(group: list[Slot]) -> int:
        return sum(len(found[s.key]) for s in group)

    remaining = sum(size(g) for g in groups)
    # What is left after the solver: checking every line again and the summary.
    reserve = min(0.5, time_limit * 0.05)
    # Seconds to build a model, per candidate line (measured as the groups go).
    build_rate = 20e-6
    pairs: list[tuple[int, int]] = []
    results: list[Group] = []
    # The smallest first: the time a group solved early leaves goes to the larger ones.
    for group in sorted(groups, key=size):
        group_started = clock.monotonic()
        left = time_limit - reserve - (group_started - started)
        building = build_rate * size(group)
        share = building + (left - build_rate * remaining) * size(group) / remaining
        remaining -= size(group)
        keys = {s.key for s in group}
        from_greedy = [pair for pair in baseline if pair[1] in keys]
        if left < building + 0.05:
            got, status = from_greedy, "NOT_SOLVED+GREEDY"
        else:
            got, status, built = _solve_group(group, found, person_by_key, hint, share, workers)
            build_rate = max(build_rate, built / size(group))
            if not got or _score(from_greedy, group, person_by_key) < _score(
                got, group, person_by_key
            ):
                # Out of time before the solver got back to the plan it was started from.
                got, status = from_greedy, f"{status}+GREEDY"
        pairs.extend(got)
        members = {p.key for s in group for p in found[s.key]}
        results.append(Group(len(group), len(members), status, clock.monotonic() - group_started))
    slot_by_key = {s.key: s for s in slots}
    kept, dropped = verify(pairs, slot_by_key, person_by_key, labels)
    plan = summarise(kept, open_slots, people, nobody, started)
    plan.status = "/".join(sorted({g.status for g in results})) or "EMPTY"
    plan.groups = results
    plan.dropped = dropped
    for slot_key, reason in list(plan.unfilled.items()):
        if not reason:
            plan.unfilled[slot_key] = _("符合条件的 %(n)s 名队员在该时段已有班次或需要休息。") % {
                "n": len(found[slot_key])
            }
    return plan


def summarise(
    pairs: list[tuple[int, int]],
    slots: list[Slot],
    people: list[Person],
    nobody: dict[int, str],
    started: float | None = None,
) -> Plan:
    """The figures of a set of pairs: places short, travel, hours per member."""
    slot_by_key = {s.key: s for s in slots}
    person_by_key = {p.key: p for p in people}
    count: dict[int, int] = defaultdict(int)
    hours = {p.key: p.hours for p in people}
    distance = 0
    for person_key, slot_key in pairs:
        slot = slot_by_key[slot_key]
        count[slot_key] += 1
        hours[person_key] += slot_hours(slot)
        distance += travel(person_by_key[person_key], slot)
    unfilled = {}
    short = 0
    filled = 0
    for slot in slots:
        missing = max(0, slot.need - count[slot.key])
        short += missing
        if missing:
            unfilled[slot.key] = nobody.get(slot.key, "")
        else:
            filled += 1
    return Plan(
        pairs=pairs,
        unfilled=unfilled,
        places_short=short,
        distance_m=distance,
        hours={k: v for k, v in hours.items() if v},
        seconds=clock.monotonic() - started if started is not None else 0.0,
        filled_slots=filled,
    )


def greedy(
    slots: list[Slot], people: list[Person], *, labels: dict[str, str] | None = None
) -> Plan:
    """The baseline: shifts in time order, each filled to its minimum by the members
    holding the fewest hours (then the nearest) whom the rules still allow."""
    started = clock.monotonic()
    open_slots = _with_limits([s for s in slots if s.need > 0 and s.room > 0])
    found, nobody = eligible(open_slots, people, labels or {})
    pairs = _greedy_pairs(open_slots, found)
    return summarise(pairs, open_slots, people, nobody, started)


# The database side -------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    shift: Shift
    member: Member
    distance_m: int | None


@dataclass(frozen=True)
class Proposal:
    lines: Sequence[Line]
    unfilled: Sequence[tuple[Shift, str]]
    plan: Plan


def roster_propose(
    *,
    actor: User,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    time_limit: float = 10.0,
) -> Proposal:
    """`do_roster_propose` for someone who may assign members under `area`."""
    require_manage(actor, area)
    return do_roster_propose(
        actor=actor, area=area, starts_at=starts_at, ends_at=ends_at, time_limit=time_limit
    )


def do_roster_propose(
    *,
    actor: Actor,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    time_limit: float = 10.0,
) -> Proposal:
    """Propose members for the open shifts under `area` (a street or a community)
    starting in [starts_at, ends_at). Nothing is written: the community accepts all,
    part or none of it with `roster_accept`."""
    shifts = list(
        Shift.objects.filter(
            community_path__startswith=area.path,
            demand__status=DemandStatus.OPEN,
            starts_at__gte=max(starts_at, timezone.now()),
            starts_at__lt=ends_at,
        )
        .select_related("demand__post_type", "demand__community")
        .annotate(held=selectors.held_places())
    )
    paths = {s.community_path for s in shifts}
    limits = selectors.limits_by_path(paths)
    # The shifts held that the rules of time can reach; the hours a member holds in
    # them count in sharing the hours.
    reach = selectors.busy_reach()
    pool = selectors.candidates(
        selectors.serving_pool(paths), busy_from=starts_at - reach, busy_to=ends_at + reach
    )
    members = {j.member.pk: j.member for j in pool}
    locations = area_locations(paths | {m.residence_path for m in members.values()})
    people = [
        Person(
            key=j.member.pk,
            candidate=j.candidate,
            busy=tuple(j.busy),
            home=locations.get(j.member.residence_path),
            hours=sum((b - a).total_seconds() for a, b in j.busy) / 3600,
        )
        for j in pool
    ]
    slots = [
        Slot(
            key=s.pk,
            post=selectors.post_of(s),
            need=max(0, s.min_people - s.held),
            room=max(0, s.max_people - s.held),
            location=locations.get(s.community_path),
            limits=limits[s.community_path],
        )
        for s in shifts
    ]
    labels = {str(k): str(v) for k, v in Skill.choices}
    plan = solve(slots, people, labels=labels, time_limit=time_limit)
    shift_by_pk = {s.pk: s for s in shifts}
    person_by_pk = {p.key: p for p in people}
    slot_by_pk = {s.key: s for s in slots}
    lines = [
        Line(
            shift_by_pk[slot_key],
            members[person_key],
            distance_m(person_by_pk[person_key].home, slot_by_pk[slot_key].location),
        )
        for person_key, slot_key in sorted(
            plan.pairs, key=lambda ps: (shift_by_pk[ps[1]].starts_at, ps)
        )
    ]
    unfilled = sorted(
        ((shift_by_pk[k], why) for k, why in plan.unfilled.items()),
        key=lambda pair: (pair[0].starts_at, pair[0].pk),
    )
    return Proposal(lines, unfilled, plan)


def ticked_lines(area: Area, ticked: list[tuple[int, int]]) -> list[tuple[Shift, Member]]:
    """The (shift, member) ids a community ticked on a proposal as records, in order:
    shifts under `area` only; ids found nowhere are dropped."""
    shifts = Shift.objects.filter(
        pk__in={s for s, _m in ticked}, community_path__startswith=area.path
    ).in_bulk()
    members = Member.objects.in_bulk({m for _s, m in ticked})
    return [(shifts[s], members[m]) for s, m in ticked if s in shifts and m in members]


def roster_accept(
    *, actor: User, lines: list[tuple[Shift, Member]]
) -> tuple[list[Participation], list[tuple[Shift, Member, str]]]:
    """Assign the lines of a proposal the community accepted (all, or the part it
    ticked). Each line is assigned under the rules of the moment: one refused since the
    proposal (someone claimed the place meanwhile) is returned with its reason."""
    assigned, refused = [], []
    for shift, member in lines:
        try:
            assigned.append(
                services.shift_assign(
                    actor=actor, shift=shift, member=member, source=ParticipationSource.PROPOSED
                )
            )
        except ValidationError as refusal:
            refused.append((shift, member, " ".join(refusal.messages)))
    return assigned, refused
