"""bench/mobilization.py — seed-000's call-up on PostgreSQL: 10,240 sign-ups from 101
units screened (age, health declaration, fitness) and proposed into the 36 communities'
3,321 places, then the proposal accepted; each step next to the bare SQL that reads the
same rows in the same run. Goal (issue 4): the whole proposal in ≤ 5 s.

    make bench   # or: python -m bench.mobilization

The call-up is built once per bench database (the demo's seed step, without the
registry); every run puts its sign-ups back to "signed up" and times the three steps.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from datetime import timedelta
from functools import partial
from typing import Any

from bench.common import machine, setup_django, write

RUNS = 5
GOAL_S = 5.0


def _timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn()
    return (time.perf_counter() - start) * 1000, result


def _summary(samples: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(samples), 1), "max_ms": round(max(samples), 1)}


def main() -> None:
    setup_django()
    from django.db import connection
    from django.utils import timezone

    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.core.demo import DemoContext
    from jijie.mobilization import demo, proposal, services
    from jijie.mobilization.models import CallUp
    from jijie.responses.demo import NAME as RESPONSE
    from jijie.responses.models import Response
    from jijie.responses.services import response_activate

    Area.objects.filter(code=CITY[0]).first() or build("seed", 2020)
    district = Area.objects.get(code="441602")
    if not Response.objects.filter(area=district, name=RESPONSE).exists():
        response_activate(actor=None, area=district, name=RESPONSE, level="2")
    built_s = None
    call_up = CallUp.objects.filter(title=demo.CALL_UP).order_by("pk").first()
    if call_up is None:
        start = time.perf_counter()
        call_up = demo.build(DemoContext(scale="seed", seed=2020, out=print))
        built_s = round(time.perf_counter() - start, 1)
    with connection.cursor() as cursor:
        for table in ("signup", "member", "deployment", "proposalline"):
            cursor.execute(f"ANALYZE mobilization_{table}")

    def reset() -> None:
        """Back to the morning after the deadline: every sign-up waiting for screening."""
        with connection.cursor() as cursor:
            cursor.execute(
                "DELETE FROM mobilization_deployment WHERE sign_up_id IN "
                "(SELECT id FROM mobilization_signup WHERE call_up_id = %s)",
                [call_up.pk],
            )
            cursor.execute(
                "DELETE FROM mobilization_proposalline WHERE proposal_id IN "
                "(SELECT id FROM mobilization_proposal WHERE call_up_id = %s)",
                [call_up.pk],
            )
            cursor.execute("DELETE FROM mobilization_proposal WHERE call_up_id = %s", [call_up.pk])
            cursor.execute(
                "UPDATE mobilization_signup SET status = 'requested', reason = '' "
                "WHERE call_up_id = %s",
                [call_up.pk],
            )

    def bare_screening_read() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.health_declared, m.birth_date_cipher, m.kind, m.fitness "
                "FROM mobilization_signup s JOIN mobilization_member m ON m.id = s.member_id "
                "WHERE s.call_up_id = %s AND s.status = 'requested' ORDER BY s.id",
                [call_up.pk],
            )
            return len(cursor.fetchall())

    # The members serve as the demo's do: from the day the bench runs, for its days.
    starts_on = timezone.localdate()
    ends_on = starts_on + timedelta(days=demo.SERVES_DAYS - 1)

    def bare_proposal_read() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT s.id, s.member_id, m.residence_path "
                "FROM mobilization_signup s JOIN mobilization_member m ON m.id = s.member_id "
                "WHERE s.call_up_id = %s AND s.status = 'approved' ORDER BY s.created_at, s.id",
                [call_up.pk],
            )
            rows = len(cursor.fetchall())
            cursor.execute(
                "SELECT member_id FROM mobilization_deployment WHERE status = 'active' "
                "AND starts_on <= %s AND ends_on >= %s",
                [ends_on, starts_on],
            )
            cursor.fetchall()
            return rows

    steps: dict[str, list[float]] = {
        "screening": [],
        "screening_bare_read": [],
        "proposal": [],
        "proposal_bare_read": [],
        "accept": [],
        "whole": [],
    }
    counts: dict[str, int] = {}
    for _run in range(RUNS):
        reset()
        ms, read = _timed(bare_screening_read)
        steps["screening_bare_read"].append(ms)
        counts["screened"] = read
        screen_ms, screened = _timed(
            lambda: services.screening_apply(
                actor=None,
                call_up=call_up,
                rules=services.ScreeningRules(min_age=18, max_age=60),
                today=starts_on,
            )
        )
        steps["screening"].append(screen_ms)
        counts["approved"], counts["declined"] = screened.approved, screened.declined
        ms, read = _timed(bare_proposal_read)
        steps["proposal_bare_read"].append(ms)
        propose_ms, made = _timed(
            lambda: proposal.proposal_make(
                actor=None, call_up=call_up, starts_on=starts_on, ends_on=ends_on
            )
        )
        steps["proposal"].append(propose_ms)
        counts["proposed"] = made.lines.count()
        accept_ms, deployed = _timed(partial(proposal.proposal_accept, actor=None, proposal=made))
        steps["accept"].append(accept_ms)
        counts["deployed"] = deployed
        steps["whole"].append(screen_ms + propose_ms + accept_ms)

    communities = call_up.targets.count()
    units = call_up.sign_ups.values("unit").distinct().count()
    whole = _summary(steps["whole"])
    data: dict[str, Any] = {
        "machine": machine(),
        "sign_ups": counts["screened"],
        "units": units,
        "communities": communities,
        "places": call_up.quota,
        "counts": counts,
        "built_in_s": built_s,
        "runs": RUNS,
        "steps": {name: _summary(samples) for name, samples in steps.items()},
        "goal_s": GOAL_S,
        "goal_met": whole["max_ms"] <= GOAL_S * 1000,
    }
    m = data["machine"]
    lines = [
        "# bench/mobilization.py",
        "",
        f"{m['when']} · {m['database']} · {m['cpus']} CPUs",
        "",
        f"Call-up: {counts['screened']:,} sign-ups from {units} units; {counts['approved']:,} "
        f"approved, {counts['declined']:,} declined; {counts['deployed']:,} deployed to "
        f"{communities} communities ({call_up.quota:,} places). {RUNS} runs"
        + (f"; built in {built_s} s" if built_s else "")
        + ".",
        "",
        "| step | Jijie median / max ms | bare SQL reading the same rows, median ms |",
        "|---|---|---|",
    ]
    s = data["steps"]
    lines += [
        f"| screening (read, decide, write {counts['screened']:,} rows) | "
        f"{s['screening']['median_ms']} / {s['screening']['max_ms']} | "
        f"{s['screening_bare_read']['median_ms']} |",
        f"| proposal (read, min-cost flow, write {counts['proposed']:,} lines) | "
        f"{s['proposal']['median_ms']} / {s['proposal']['max_ms']} | "
        f"{s['proposal_bare_read']['median_ms']} |",
        f"| accept (checks, {counts['deployed']:,} deployments) | "
        f"{s['accept']['median_ms']} / {s['accept']['max_ms']} | — |",
        f"| **whole: screen + propose + accept** | **{whole['median_ms']} / {whole['max_ms']}** | "
        f"goal ≤ {GOAL_S * 1000:.0f}: {'met' if data['goal_met'] else 'NOT met'} |",
    ]
    write("mobilization", data, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
