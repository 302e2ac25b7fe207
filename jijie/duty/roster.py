"""The roster optimiser: propose members for the open places of a street's or a
community's shifts.

Every line respects every rule of `rules` (the same code that judges a claim). Among
such plans, in this strict order: the fewest places short of the shifts' minimums; then
the least travel from home (the great-circle distance between the offices of the
community a member lives in and the community of the shift, `mobilization.AreaLocation`);
then hours spread among equally near members (the fewest hours on the busiest member).
CP-SAT solves it with a time limit, one model per group of shifts that share candidates
(communities whose members never serve elsewhere are independent), started from the
greedy plan (`greedy`); a group whose solver runs out of time before matching that plan
keeps the greedy one, so a proposal is never worse than the baseline.

To keep the model small, each place considers its nearest eligible members only
(`candidates_per_place` per missing person). The model forbids every pair of shifts a
member may not hold together; a run of three or more short shifts each pair of which
is allowed is caught by checking every proposed line again with the rules, in time
order, so that every proposal is feasible. Each shift left short is explained.
"""

from __future__ import annotations

import time as clock
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ortools.sat.python import cp_model

from jijie.areas.models import Area
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


@dataclass(frozen=True)
class Slot:
    """An open shift: `need` people short of its minimum, `room` short of its maximum."""

    key: int
    post: rules.Post
    need: int
    room: int
    location: tuple[float, float] | None


@dataclass(frozen=True)
class Person:
    key: int
    candidate: rules.Candidate
    busy: tuple[rules.Interval, ...]
    home: tuple[float, float] | None
    hours: float = 0.0  # already held in the period


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


def travel(person: Person, slot: Slot) -> int:
    metres = distance_m(person.home, slot.location)
    return UNKNOWN_DISTANCE_M if metres is None else metres


def slot_hours(slot: Slot) -> float:
    return (slot.post.ends_at - slot.post.starts_at).total_seconds() / 3600


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
    limits = rules.Limits.now()
    result: dict[int, list[Person]] = {}
    why: dict[int, str] = {}
    for slot in slots:
        pool = pools.get(slot.post.community_path, [])
        found = [
            person
            for person in pool
            if rules.may_hold(person.candidate, slot.post)
            and rules.fits_in_time(list(person.busy), slot.post, limits)
        ]
        result[slot.key] = found
        if not found:
            reasons: dict[str, int] = defaultdict(int)
            for person in pool:
                refusal = rules.refusal(person.candidate, slot.post, list(person.busy), labels)
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


def _conflict(a: rules.Post, b: rules.Post) -> bool:
    """Whether one member may not hold both shifts."""
    if a.starts_at < b.ends_at and b.starts_at < a.ends_at:
        return True
    return rules.run_hours([(a.starts_at, a.ends_at)], b) > rules.max_hours_in_a_row()


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
        if rules.refusal(person.candidate, slot.post, held[person_key], labels) is not None:
            continue
        held[person_key].append((slot.post.starts_at, slot.post.ends_at))
        taken[slot_key] += 1
        kept.append((person_key, slot_key))
    return kept, len(pairs) - len(kept)


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


def _score(
    pairs: list[tuple[int, int]],
    group: list[Slot],
    people: dict[int, Person],
    hours_before: dict[int, float],
) -> tuple[int, int, float]:
    """What the optimiser minimises, in its order: places short, metres of travel,
    the hours of the busiest member."""
    slots = {s.key: s for s in group}
    count: dict[int, int] = defaultdict(int)
    load: dict[int, float] = defaultdict(float)
    distance = 0
    for person_key, slot_key in pairs:
        slot = slots[slot_key]
        count[slot_key] += 1
        load[person_key] += slot_hours(slot)
        distance += travel(people[person_key], slot)
    short = sum(max(0, s.need - count[s.key]) for s in group)
    longest = max((hours_before.get(k, 0) + h for k, h in load.items()), default=0.0)
    return short, distance, longest


def _solve_group(
    group: list[Slot],
    options: dict[int, list[Person]],
    hours_before: dict[int, float],
    hint: set[tuple[int, int]],
    time_limit: float,
    workers: int,
) -> tuple[list[tuple[int, int]], str]:
    """One CP-SAT model for a group of slots, started from `hint` (the greedy plan).
    The weights make the order strict: one place short outweighs any travel, one metre
    outweighs any change in the busiest member's hours."""
    model = cp_model.CpModel()
    x: dict[tuple[int, int], cp_model.IntVar] = {}
    by_person: dict[int, list[Slot]] = defaultdict(list)
    shortfall = []
    distance_terms = []
    worst_travel = 0
    for slot in group:
        chosen = []
        for person in options[slot.key]:
            var = model.new_bool_var(f"x{person.key}_{slot.key}")
            x[(person.key, slot.key)] = var
            chosen.append(var)
            by_person[person.key].append(slot)
            metres = travel(person, slot)
            worst_travel = max(worst_travel, metres)
            if metres:
                distance_terms.append(metres * var)
        model.add(sum(chosen) <= slot.room)
        short = model.new_int_var(0, slot.need, f"short{slot.key}")
        model.add(short >= slot.need - sum(chosen))
        shortfall.append(short)
    reach = _reach()
    bound = 0
    loads = []
    for person_key, held in by_person.items():
        held.sort(key=lambda s: s.post.starts_at)
        for i, a in enumerate(held):
            for b in held[i + 1 :]:
                if b.post.starts_at >= a.post.ends_at + reach:
                    break
                if _conflict(a.post, b.post):
                    model.add_bool_or([x[(person_key, a.key)].Not(), x[(person_key, b.key)].Not()])
        before = round(hours_before.get(person_key, 0))
        hours = [round(slot_hours(s)) for s in held]
        bound = max(bound, before + sum(hours))
        loads.append((before, hours, person_key, held))
    longest = model.new_int_var(0, bound, "longest")
    for before, hours, person_key, held in loads:
        model.add(
            longest
            >= before + sum(h * x[(person_key, s.key)] for h, s in zip(hours, held, strict=True))
        )
    metre_weight = bound + 1
    short_weight = metre_weight * (worst_travel * sum(s.room for s in group) + 1) + bound + 1
    model.minimize(short_weight * sum(shortfall) + metre_weight * sum(distance_terms) + longest)
    for key, var in x.items():
        model.add_hint(var, key in hint)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, time_limit)
    solver.parameters.num_workers = workers
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return [], solver.status_name(status)
    pairs = [key for key, var in x.items() if solver.boolean_value(var)]
    return pairs, solver.status_name(status)


def _reach() -> timedelta:
    return timedelta(hours=rules.min_rest_hours())


def _spread_key(person: Person, slot: Slot) -> int:
    """A tie-break that differs from slot to slot, so that equally near members are not
    always the same few and the model has room to spread hours."""
    return (person.key * 2_654_435_761 + slot.key * 40_503) % 4_294_967_296


def _prune(slot: Slot, found: list[Person], per_place: int) -> list[Person]:
    keep = max(per_place * max(slot.need, 1), slot.need + 2)
    return sorted(found, key=lambda p: (travel(p, slot), p.hours, _spread_key(p, slot)))[:keep]


def _greedy_pairs(open_slots: list[Slot], found: dict[int, list[Person]]) -> list[tuple[int, int]]:
    """Shifts in time order, each filled to its minimum by the nearest members the
    rules still allow."""
    limits = rules.Limits.now()
    held: dict[int, list[rules.Interval]] = {}
    pairs: list[tuple[int, int]] = []
    for slot in sorted(open_slots, key=lambda s: (s.post.starts_at, s.key)):
        taken = 0
        for person in sorted(found[slot.key], key=lambda p: (travel(p, slot), p.key)):
            if taken >= slot.need:
                break
            busy = held.setdefault(person.key, list(person.busy))
            if rules.fits_in_time(busy, slot.post, limits):
                busy.append((slot.post.starts_at, slot.post.ends_at))
                pairs.append((person.key, slot.key))
                taken += 1
    return pairs


def solve(
    slots: list[Slot],
    people: list[Person],
    *,
    labels: dict[str, str] | None = None,
    time_limit: float = 10.0,
    candidates_per_place: int = 4,
    workers: int = 2,
) -> Plan:
    """Propose members for the open places of `slots` (see the module docstring).
    `time_limit` bounds the whole call, not only the solver."""
    started = clock.monotonic()
    labels = labels or {}
    open_slots = [s for s in slots if s.need > 0 and s.room > 0]
    found, nobody = eligible(open_slots, people, labels)
    baseline = _greedy_pairs(open_slots, found)
    hint = set(baseline)
    options = {s.key: _prune(s, found[s.key], candidates_per_place) for s in open_slots}
    person_by_key = {p.key: p for p in people}
    for person_key, slot_key in baseline:
        if person_by_key[person_key] not in options[slot_key]:
            options[slot_key].append(person_by_key[person_key])
    hours_before = {p.key: p.hours for p in people}
    groups = _components([s for s in open_slots if options[s.key]], options)
    total = sum(len(g) for g in groups) or 1
    # What is left after the solver: checking every line again and the summary.
    reserve = min(0.5, time_limit * 0.05)
    pairs: list[tuple[int, int]] = []
    statuses = set()
    for group in sorted(groups, key=len, reverse=True):
        left = time_limit - reserve - (clock.monotonic() - started)
        share = left * len(group) / total
        total -= len(group)
        got, status = _solve_group(group, options, hours_before, hint, share, workers)
        keys = {s.key for s in group}
        from_greedy = [pair for pair in baseline if pair[1] in keys]
        if not got or _score(from_greedy, group, person_by_key, hours_before) < _score(
            got, group, person_by_key, hours_before
        ):
            # Out of time before the solver got back to the plan it was started from.
            got, status = from_greedy, f"{status}+GREEDY"
        pairs.extend(got)
        statuses.add(status)
    slot_by_key = {s.key: s for s in slots}
    kept, dropped = verify(pairs, slot_by_key, person_by_key, labels)
    plan = summarise(kept, open_slots, people, nobody, started)
    plan.status = "/".join(sorted(statuses)) or "EMPTY"
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
    """The baseline: shifts in time order, each filled to its minimum by the nearest
    members the rules still allow."""
    started = clock.monotonic()
    open_slots = [s for s in slots if s.need > 0 and s.room > 0]
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
    actor: User | None,
    area: Area,
    starts_at: datetime,
    ends_at: datetime,
    time_limit: float = 10.0,
) -> Proposal:
    """Propose members for the open shifts under `area` (a street or a community)
    starting in [starts_at, ends_at). Nothing is written: the community accepts all,
    part or none of it with `roster_accept`."""
    require_manage(actor, area)
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
    pool = services.candidates(
        services.serving_pool(paths),
        busy_from=starts_at - timedelta(days=1),
        busy_to=ends_at + timedelta(days=1),
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
            post=services.post_of(s),
            need=max(0, s.min_people - s.held),
            room=max(0, s.max_people - s.held),
            location=locations.get(s.community_path),
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
    *, actor: User | None, lines: list[tuple[Shift, Member]]
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
