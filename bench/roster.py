"""bench/roster.py — the roster optimiser at the scale of issue 5: 3,321 members
deployed to 36 communities, 4 post types, 14 days of two 12-hour shifts (4,032 shifts),
solved by `jijie.duty.roster.solve` next to the greedy baseline (`roster.greedy`: the
same rest rules, least hours first) on the same data in the same run. Goal: at least
greedy's fill; at most its travel, its busiest member's hours and its spread of hours
over every eligible member (those at 0 h included); no breach of a rule in the whole
plan (`roster.check_plan`); ≤ 10 s.

The members and shifts are built as the optimiser's plain values (what
`roster_propose` reads from the database), with a fixed seed; the database is not
part of what is timed.

    make bench   # or: python -m bench.roster
"""

from __future__ import annotations

import random
import statistics
import time
from collections import Counter
from datetime import date, datetime, timedelta

from bench.common import machine, setup_django, write

COMMUNITIES = 36
MEMBERS = 3_321
DAYS = 14
TIME_LIMIT_S = 10.0
# (code, required skill, min, max per shift)
POSTS = [
    ("checkpoint", None, 2, 3),
    ("isolation", "medical", 1, 2),
    ("publicity", None, 1, 2),
    ("transport", "driving", 1, 1),
]
SKILL_SHARE = {"medical": 0.12, "driving": 0.25}


def build(rng: random.Random):
    from django.utils import timezone

    from jijie.duty import roster, rules

    paths = [f"00010001000100{n:02d}" for n in range(1, COMMUNITIES + 1)]
    # Community offices scattered over about 20 km around 源城区.
    where = {p: (23.74 + rng.uniform(-0.1, 0.1), 114.70 + rng.uniform(-0.1, 0.1)) for p in paths}
    first = date(2030, 3, 2)
    people = []
    for key in range(1, MEMBERS + 1):
        community = paths[key % COMMUNITIES]
        home = community if rng.random() < 0.4 else rng.choice(paths)
        skills = frozenset(s for s, share in SKILL_SHARE.items() if rng.random() < share)
        candidate = rules.Candidate(
            kind="party_member",
            skills=skills,
            fitness="fit",
            residence_path="",
            deployments=((community, first, first + timedelta(days=DAYS - 1)),),
        )
        people.append(roster.Person(key, candidate, (), where[home]))
    slots = []
    key = 0
    for path in paths:
        for _code, skill, low, high in POSTS:
            for day in range(DAYS):
                for half in range(2):
                    start = timezone.make_aware(
                        datetime.combine(first + timedelta(days=day), datetime.min.time())
                    ) + timedelta(hours=8 + 12 * half)
                    key += 1
                    post = rules.Post(
                        path,
                        start,
                        start + timedelta(hours=12),
                        frozenset({skill} if skill else set()),
                        frozenset(),
                    )
                    slots.append(roster.Slot(key, post, low, high, where[path]))
    return slots, people


def figures(plan, slots, people, eligible_keys) -> dict[str, float | int]:
    from jijie.duty import roster

    after = {p.key: p.hours for p in people}
    after.update(plan.hours)
    hours = [after.get(k, 0.0) for k in sorted(eligible_keys)]
    serving = [h for h in plan.hours.values() if h]
    return {
        "seconds": round(plan.seconds, 2),
        "shifts": len(slots),
        "shifts_filled": plan.filled_slots,
        "places_needed": sum(s.need for s in slots),
        "places_short": plan.places_short,
        "lines": len(plan.pairs),
        "distance_km": round(plan.distance_m / 1000, 1),
        "members_eligible": len(hours),
        "members_serving": len(serving),
        "hours_max": max(hours, default=0),
        "hours_min": min(hours, default=0),
        "hours_stdev": round(statistics.pstdev(hours), 2) if hours else 0,
        "breaches": len(roster.check_plan(plan.pairs, slots, people)),
    }


def main() -> None:
    setup_django()
    from jijie.duty import roster

    slots, people = build(random.Random(5))
    open_slots = [x for x in slots if x.need > 0]
    found, _why = roster.eligible(open_slots, people, {})
    eligible_keys = {p.key for x in open_slots for p in found[x.key]}
    started = time.perf_counter()
    greedy = roster.greedy(slots, people)
    greedy_s = time.perf_counter() - started
    plan = roster.solve(slots, people, time_limit=TIME_LIMIT_S)
    g = figures(greedy, slots, people, eligible_keys)
    s = figures(plan, slots, people, eligible_keys)
    g["seconds"] = round(greedy_s, 2)
    statuses = Counter(group.status for group in plan.groups)
    s["status"] = dict(sorted(statuses.items()))
    s["groups"] = len(plan.groups)
    s["groups_not_optimal"] = sum(n for status, n in statuses.items() if status != "OPTIMAL")
    # Places no plan can fill: shifts nobody may take at all (the night shift of the
    # last day ends after the members' deployments).
    s["places_nobody_may_take"] = sum(x.need for x in open_slots if not found[x.key])
    s["dropped_by_rules"] = plan.dropped
    goal = {
        "fill_at_least_greedy": s["shifts_filled"] >= g["shifts_filled"]
        and s["places_short"] <= g["places_short"],
        "travel_at_most_greedy": s["distance_km"] <= g["distance_km"],
        "hours_max_at_most_greedy": s["hours_max"] <= g["hours_max"],
        "spread_at_most_greedy": s["hours_stdev"] <= g["hours_stdev"],
        "no_breach": s["breaches"] == 0 and g["breaches"] == 0,
        "within_10_s": s["seconds"] <= TIME_LIMIT_S,
    }
    data = {"machine": machine(), "optimiser": s, "greedy": g, "goal": goal}
    rows = [
        ("solve time (s)", "seconds"),
        ("shifts filled to their minimum", "shifts_filled"),
        ("places short", "places_short"),
        ("total travel (km)", "distance_km"),
        ("members eligible / serving", None),
        ("hours max / min (every eligible member)", None),
        ("hours std dev (every eligible member)", "hours_stdev"),
        ("rule breaches in the whole plan", "breaches"),
    ]
    lines = [
        "# Roster optimiser (bench/roster.py)",
        "",
        f"{MEMBERS} members, {COMMUNITIES} communities, {len(POSTS)} post types, {DAYS} days "
        f"× 2 shifts = {len(slots)} shifts, {s['places_needed']} places to their minimum. "
        "Rest rules: the defaults (11 h between runs, runs ≤ 12 h, a 24 h rest in any "
        "7 days, ≤ 60 h in any 7 days).",
        "",
        "| | optimiser (CP-SAT) | greedy baseline |",
        "|---|---|---|",
    ]
    for label, field in rows:
        if field is None and label.startswith("members"):
            lines.append(
                f"| {label} | {s['members_eligible']} / {s['members_serving']} "
                f"| {g['members_eligible']} / {g['members_serving']} |"
            )
        elif field is None:
            lines.append(
                f"| {label} | {s['hours_max']} / {s['hours_min']} "
                f"| {g['hours_max']} / {g['hours_min']} |"
            )
        else:
            lines.append(f"| {label} | {s[field]} | {g[field]} |")
    status = ", ".join(f"{name} × {n}" for name, n in s["status"].items())
    lines += [
        "",
        f"Places no plan can fill (shifts nobody may take): {s['places_nobody_may_take']}.",
        f"Groups: {s['groups']}, not OPTIMAL: {s['groups_not_optimal']} ({status}; FEASIBLE: "
        "time ran out before optimality was proved; +GREEDY: the group kept the greedy "
        "plan; NOT_SOLVED: no time left to build its model). Lines dropped by the rules "
        f"afterwards: {s['dropped_by_rules']}.",
        "Goal: " + ", ".join(f"{name} {ok}" for name, ok in goal.items()) + ".",
        "",
    ]
    write("roster", data, "\n".join(lines))


if __name__ == "__main__":
    main()
