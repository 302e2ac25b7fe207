"""bench/roster.py — the roster optimiser at the scale of issue 5: 3,321 members
deployed to 36 communities, 4 post types, 14 days of two 12-hour shifts (4,032 shifts),
solved by `jijie.duty.roster.solve` next to the greedy baseline (`roster.greedy`) on
the same data in the same run. Goal: at least greedy's fill, at most its distance, in
≤ 10 s.

The members and shifts are built as the optimiser's plain values (what
`roster_propose` reads from the database), with a fixed seed; the database is not
part of what is timed.

    make bench   # or: python -m bench.roster
"""

from __future__ import annotations

import random
import statistics
import time
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


def figures(plan, slots) -> dict[str, float | int]:
    hours = [h for h in plan.hours.values() if h]
    return {
        "seconds": round(plan.seconds, 2),
        "shifts": len(slots),
        "shifts_filled": plan.filled_slots,
        "places_needed": sum(s.need for s in slots),
        "places_short": plan.places_short,
        "lines": len(plan.pairs),
        "distance_km": round(plan.distance_m / 1000, 1),
        "members_serving": len(hours),
        "hours_max": max(hours, default=0),
        "hours_min": min(hours, default=0),
        "hours_stdev": round(statistics.pstdev(hours), 2) if hours else 0,
    }


def main() -> None:
    setup_django()
    from jijie.duty import roster

    slots, people = build(random.Random(5))
    started = time.perf_counter()
    greedy = roster.greedy(slots, people)
    greedy_s = time.perf_counter() - started
    plan = roster.solve(slots, people, time_limit=TIME_LIMIT_S)
    g, s = figures(greedy, slots), figures(plan, slots)
    g["seconds"] = round(greedy_s, 2)
    s["status"] = plan.status
    open_slots = [x for x in slots if x.need > 0]
    found, _why = roster.eligible(open_slots, people, {})
    # Places no plan can fill: shifts nobody may take at all (the night shift of the
    # last day ends after the members' deployments).
    s["places_nobody_may_take"] = sum(x.need for x in open_slots if not found[x.key])
    s["dropped_by_rules"] = plan.dropped
    goal = {
        "fill_at_least_greedy": s["shifts_filled"] >= g["shifts_filled"],
        "distance_at_most_greedy": s["distance_km"] <= g["distance_km"],
        "within_10_s": s["seconds"] <= TIME_LIMIT_S,
    }
    data = {"machine": machine(), "optimiser": s, "greedy": g, "goal": goal}
    rows = [
        ("solve time (s)", "seconds"),
        ("shifts filled to their minimum", "shifts_filled"),
        ("places short", "places_short"),
        ("total travel (km)", "distance_km"),
        ("members serving", "members_serving"),
        ("hours max / min", None),
        ("hours std dev", "hours_stdev"),
    ]
    lines = [
        "# Roster optimiser (bench/roster.py)",
        "",
        f"{MEMBERS} members, {COMMUNITIES} communities, {len(POSTS)} post types, {DAYS} days "
        f"× 2 shifts = {len(slots)} shifts, {s['places_needed']} places to their minimum.",
        "",
        "| | optimiser (CP-SAT) | greedy baseline |",
        "|---|---|---|",
    ]
    for label, field in rows:
        if field is None:
            lines.append(
                f"| {label} | {s['hours_max']} / {s['hours_min']} | {g['hours_max']} / {g['hours_min']} |"
            )
        else:
            lines.append(f"| {label} | {s[field]} | {g[field]} |")
    lines += [
        "",
        f"Places no plan can fill (shifts nobody may take): {s['places_nobody_may_take']}.",
        f"Solver status per group {s['status']} (+GREEDY: the group kept the greedy plan); "
        f"lines dropped by the rules afterwards: {s['dropped_by_rules']}.",
        f"Goal: fill ≥ greedy {goal['fill_at_least_greedy']}, distance ≤ greedy "
        f"{goal['distance_at_most_greedy']}, ≤ 10 s {goal['within_10_s']}.",
        "",
    ]
    write("roster", data, "\n".join(lines))


if __name__ == "__main__":
    main()
