"""bench/coverage.py — the seed-scale district (361,876 households) with one full sweep of
visits on PostgreSQL: time of the city-level and community-level coverage pages and of
saving one visit, next to their floor in the same run: the hand-written SQL for the same
figures over the building counters the product keeps, asserted equal to the selector's.
Goal (issue 6): coverage page ≤ 200 ms at city level, saving a visit ≤ 20 ms.

The visits are loaded with COPY and counted by the counters' own rebuild (the code of
`manage.py screening_rebuild`), not one request per visit.

    make bench   # or: python -m bench.coverage [--reload]
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from datetime import datetime, timedelta

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_cov")
CAMPAIGN = "全区扫楼(基准测试)"
SWEEP_DAYS = 10
FAILED_SHARE = {"no_answer": 0.06, "refused": 0.02, "moved_away": 0.01, "vacant": 0.01}
SAVES = 60


def _load(campaign, households, rng) -> tuple[int, float]:
    """One visit per household over SWEEP_DAYS days, and a done revisit the next day for
    most failed doors; written with COPY in one transaction."""
    from django.db import connection, transaction
    from django.utils import timezone

    start = timezone.make_aware(
        datetime.combine(campaign.starts_on, datetime.min.time())
    ) + timedelta(hours=8)
    span = SWEEP_DAYS * 24 * 3600 * 0.5  # daytime only, roughly
    columns = (
        "campaign_id, household_id, area_path, worker_id, mode, outcome, visited_at, "
        "people_present, flags_raised, answers, note, client_ref"
    )
    rows = 0
    began = time.perf_counter()
    with (
        transaction.atomic(),
        connection.cursor() as cursor,
        cursor.copy(f"COPY screening_visit ({columns}) FROM STDIN") as copy,
    ):
        for index, (household_id, path) in enumerate(households):
            day, second = divmod(int(span * index / len(households)), int(span / SWEEP_DAYS))
            at = start + timedelta(days=day, seconds=second)
            roll = rng.random()
            outcome, edge = "done", 0.0
            for name, share in FAILED_SHARE.items():
                edge += share
                if roll < edge:
                    outcome = name
                    break
            mode = "phone" if rng.random() < 0.3 else "door"
            copy.write_row(_row(campaign.pk, household_id, path, mode, outcome, at, rng))
            rows += 1
            if outcome != "done" and rng.random() < 0.8:
                later = at + timedelta(days=1)
                copy.write_row(_row(campaign.pk, household_id, path, mode, "done", later, rng))
                rows += 1
    return rows, time.perf_counter() - began


def _row(campaign_id, household_id, path, mode, outcome, at, rng):
    done = outcome == "done"
    people = rng.randint(1, 5) if done else 0
    answers = (
        {
            "all_present": True,
            "people_home": people,
            "risk_area_14d": rng.random() < 0.01,
            "fever_cough": rng.random() < 0.005,
            "needs_help": rng.random() < 0.03,
        }
        if done
        else {}
    )
    return (
        campaign_id,
        household_id,
        path,
        None,
        mode,
        outcome,
        at,
        people,
        0,
        json.dumps(answers),
        "",
        "",
    )


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from jijie.accounts.models import User
    from jijie.accounts.services import do_role_assign
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area, AreaKind
    from jijie.areas.roles import Role
    from jijie.audit.actors import SYSTEM
    from jijie.core.demo import DemoContext
    from jijie.residents import demo as residents_demo
    from jijie.residents.models import Household
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate
    from jijie.screening import counters, selectors
    from jijie.screening.models import DAILY_COUNTERS, BuildingCoverage, Campaign, Visit
    from jijie.screening.services import (
        VisitData,
        do_campaign_create,
        do_visit_record,
        visit_record,
    )

    rng = random.Random(2020)
    city = Area.objects.filter(code=CITY[0]).first() or build("seed", 2020)
    if not Household.objects.exists():
        ctx = DemoContext(scale="seed", seed=2020, out=print)
        buildings = list(
            Area.objects.filter(path__startswith=city.path, kind="building").order_by("path")
        )
        residents_demo.build(ctx, buildings, None)
    district = Area.objects.get(code="441602")
    today = timezone.localdate()
    response = Response.objects.filter(area=district, name="基准测试响应").first()
    if response is None:
        response = do_response_activate(actor=SYSTEM, area=district, name="基准测试响应", level="2")
        # the sweep began SWEEP_DAYS days ago
        Response.objects.filter(pk=response.pk).update(
            started_at=timezone.now() - timedelta(days=SWEEP_DAYS + 5)
        )
        response.refresh_from_db()

    campaign = Campaign.objects.filter(response=response, name=CAMPAIGN).first()
    loaded = None
    if campaign is not None and "--reload" in sys.argv:
        Visit.objects.filter(campaign=campaign).delete()
        campaign.delete()
        campaign = None
    if campaign is None:
        began = time.perf_counter()
        streets = list(
            Area.objects.filter(
                path__startswith=district.path, kind__in=[AreaKind.STREET, AreaKind.TOWN]
            )
        )
        campaign = do_campaign_create(
            actor=SYSTEM,
            response=response,
            name=CAMPAIGN,
            areas=streets,
            starts_on=today - timedelta(days=SWEEP_DAYS),
            ends_on=today + timedelta(days=1),
        )
        created_s = time.perf_counter() - began
        households = list(
            Household.objects.filter(area_path__startswith=district.path)
            .order_by("area_path", "door_number")
            .values_list("pk", "area_path")
        )
        rows, copy_s = _load(campaign, households, rng)
        began = time.perf_counter()
        counters.rebuild(campaign)
        rebuild_s = time.perf_counter() - began
        loaded = {
            "households": len(households),
            "visits": rows,
            "campaign_create_s": round(created_s, 1),
            "copy_s": round(copy_s, 1),
            "rebuild_s": round(rebuild_s, 1),
        }
        print(loaded)
    with connection.cursor() as cursor:
        for table in ("visit", "buildingcoverage", "dailycoverage", "revisit", "householdstate"):
            cursor.execute(f"ANALYZE screening_{table}")
        cursor.execute("ANALYZE areas_area")
    visits = Visit.objects.filter(campaign=campaign).count()

    def user(name, role, code):
        account, _ = User.objects.get_or_create(username=name)
        if not account.role_assignments.exists():
            do_role_assign(actor=SYSTEM, user=account, role=role, area=Area.objects.get(code=code))
        return account

    command = user("bench_cov_city", Role.COMMAND, CITY[0])
    secretary = user("bench_cov_community", Role.COMMUNITY_SECRETARY, "441602004001")
    community = Area.objects.get(code="441602004001")
    city_client, community_client = Client(), Client()
    city_client.force_login(command)
    community_client.force_login(secretary)
    coverage_url = f"/screening/{campaign.pk}/"

    def city_page():
        response = city_client.get(coverage_url, {"area": CITY[0], "depth": 4})
        assert response.status_code == 200, response.status_code
        assert response.content.count(b"<tr>") >= 36

    def community_page():
        response = community_client.get(coverage_url, {"area": community.code})
        assert response.status_code == 200, response.status_code

    def city_selector():
        selectors.coverage(campaign=campaign, area=city, depth=4)

    # The floors: what a person would write by hand for the same figures. The product
    # keeps per-building counters as visits are saved, so the hand-written query reads
    # those too: one grouped sum over the counters in the area's path range, with the
    # names of the areas it groups by, in the same order; and, for the page, the same
    # plus the figures by day the page shows.
    def floor_figures(area, depth):
        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT substr(area_path, 1, %s), sum(households), sum(visited), "
                    "sum(completed), sum(people_screened), sum(flags), sum(fevers) "
                    "FROM screening_buildingcoverage WHERE campaign_id = %s "
                    "AND area_path LIKE %s GROUP BY 1",
                    [depth * Area.steplen, campaign.pk, area.path + "%"],
                )
                # a few dozen groups, sorted here: an ORDER BY makes the planner sort the
                # tens of thousands of counter rows to group them
                rows = sorted(cursor.fetchall())
                # the names apart: joined in, the planner cannot tell that a few dozen
                # groups come out of the sum, and hashes the whole tree
                cursor.execute(
                    "SELECT path, name, code FROM areas_area WHERE path = ANY(%s)",
                    [[row[0] for row in rows]],
                )
                names = {path: (name, code) for path, name, code in cursor.fetchall()}
                return [(row[0], *names.get(row[0], ("", "")), *row[1:]) for row in rows]

        return run

    def floor_page(area, depth):
        figures = floor_figures(area, depth)

        def run():
            rows = figures()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT day, sum(visits), sum(door_visits), sum(phone_visits), sum(reached), "
                    "sum(completed), sum(failed), sum(revisits_opened), sum(revisits_closed), "
                    "sum(people_screened), sum(flags), sum(fevers) FROM screening_dailycoverage "
                    "WHERE campaign_id = %s AND area_path LIKE %s GROUP BY day "
                    "ORDER BY day DESC LIMIT 14",
                    [campaign.pk, area.path + "%"],
                )
                return rows, cursor.fetchall()

        return run

    def raw_visits(area, depth):
        """Not a floor: the same counts from the raw visits, without the counters."""

        def run():
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT substr(area_path, 1, %s), count(DISTINCT household_id), "
                    "count(DISTINCT household_id) FILTER (WHERE outcome = 'done') "
                    "FROM screening_visit WHERE campaign_id = %s AND area_path LIKE %s GROUP BY 1",
                    [depth * Area.steplen, campaign.pk, area.path + "%"],
                )
                cursor.fetchall()

        return run

    # The floors give the selector's figures, row for row.
    for area, depth in ((city, 4), (community, community.depth + 1)):
        found = selectors.coverage(campaign=campaign, area=area, depth=depth)
        mine = [
            (r.area.path, r.households, r.visited, r.completed, r.people_screened, r.flags,
             r.fevers)
            for r in found.rows
        ]  # fmt: skip
        hand = [(row[0], *row[3:]) for row in floor_figures(area, depth)()]
        assert mine == hand, area.code
    days = [
        (row["day"], *(row[name] for name in DAILY_COUNTERS))
        for row in selectors.daily(campaign=campaign, area=city)[:14]
    ]
    assert days == [tuple(d) for d in floor_page(city, 4)()[1]]

    community_depth = community.depth + 1  # its grids

    def community_selector():
        selectors.coverage(campaign=campaign, area=community, depth=community_depth)

    results = {
        "city_page": measure(city_page, runs=30),
        "city_selector": measure(city_selector, runs=30),
        "floor_city": measure(floor_figures(city, 4), runs=30),
        "floor_city_page": measure(floor_page(city, 4), runs=30),
        "community_page": measure(community_page, runs=30),
        "community_selector": measure(community_selector, runs=30),
        "floor_community": measure(floor_figures(community, community_depth), runs=30),
        "floor_community_page": measure(floor_page(community, community_depth), runs=30),
        "raw_visits_city": measure(raw_visits(city, 4), runs=10, warmup=1),
    }
    ratios = {
        "city_selector": ratio(results["city_selector"], results["floor_city"]),
        "city_page": ratio(results["city_page"], results["floor_city_page"]),
        "community_selector": ratio(results["community_selector"], results["floor_community"]),
    }
    # saving a visit: a done visit at doors across the district, as the system (the
    # permission checks are a few in-memory comparisons) and as a community secretary
    sample = list(
        Household.objects.filter(area_path__startswith=community.path).order_by("?")[: SAVES * 2]
    )
    others = list(
        Household.objects.filter(area_path__startswith=district.path).order_by("?")[:SAVES]
    )
    queue = iter(sample)
    others_queue = iter(others)

    def save_as_secretary():
        visit_record(
            actor=secretary,
            campaign=campaign,
            household=next(queue),
            data=VisitData(
                mode="door",
                outcome=rng.choice(["done", "done", "no_answer"]),
                answers={"people_home": 2, "fever_cough": False},
            ),
        )

    def save_as_system():
        do_visit_record(
            actor=SYSTEM,
            campaign=campaign,
            household=next(others_queue),
            data=VisitData(mode="phone", outcome="done", answers={"people_home": 1}),
        )

    results["save_visit_secretary"] = measure(save_as_secretary, runs=SAVES - 5, warmup=5)
    results["save_visit"] = measure(save_as_system, runs=SAVES - 5, warmup=5)
    total = selectors.coverage(campaign=campaign, area=city).total
    data = {
        "machine": machine(),
        "visits": visits,
        "households_in_scope": total.households,
        "completed": total.completed,
        "building_counter_rows": BuildingCoverage.objects.filter(campaign=campaign).count(),
        "loaded": loaded,
        "results": results,
        "ratios": ratios,
        "goals_ms": {"city_page": 200, "save_visit": 20},
    }
    m = data["machine"]
    lines = [
        "# bench/coverage.py",
        "",
        f"{m['when']} · {m['database']} · {m['cpus']} CPUs",
        "",
        f"Campaign over the seed district: {total.households:,} households in scope, "
        f"{visits:,} visits, {total.completed:,} households completed, "
        f"{data['building_counter_rows']:,} building counter rows.",
        "",
    ]
    if loaded:
        lines += [
            f"Loaded in this run: campaign created (households counted) in "
            f"{loaded['campaign_create_s']} s, {loaded['visits']:,} visits written with COPY in "
            f"{loaded['copy_s']} s, counters rebuilt from them in {loaded['rebuild_s']} s.",
            "",
        ]
    lines += [
        "Floor: the hand-written SQL for the same figures, reading the building counters "
        "the product keeps (a grouped sum in the area's path range with the areas' names, "
        "in the same order), asserted equal to the selector's rows in this run; the page's "
        "floor adds the figures by day it shows. × floor = median / floor median. The "
        "page's ratio is a whole request (session, access checks, template) against the "
        "SQL of its figures.",
        "",
        "| what | median ms | p95 ms | × floor | goal |",
        "|---|---|---|---|---|",
    ]
    goals = {
        "city_page": "≤ 200 ms",
        "save_visit": "≤ 20 ms",
        "save_visit_secretary": "≤ 20 ms",
    }
    labels = {
        "city_page": "coverage page, city level, 36 communities (GET, rendered)",
        "floor_city_page": "  floor: the page's figures (counters by community, by day)",
        "city_selector": "the city's grouped sum alone (selector)",
        "floor_city": "  floor: hand SQL over the counters, by community",
        "community_page": "coverage page, community level, with doors not reached (GET)",
        "community_selector": "the community's grouped sum alone (selector)",
        "floor_community": "  floor: hand SQL over the counters, by grid",
        "raw_visits_city": "not a floor: GROUP BY over the raw visits, city, by community",
        "save_visit": "saving one visit (service, system actor)",
        "save_visit_secretary": "saving one visit (service, community secretary)",
    }
    for name, label in labels.items():
        r = results[name]
        goal = goals.get(name, "")
        if goal:
            limit = 200 if name == "city_page" else 20
            goal += " " + ("yes" if r["p95_ms"] <= limit else "NO")
        times = f"{ratios[name]}×" if name in ratios else ""
        lines.append(f"| {label} | {r['median_ms']} | {r['p95_ms']} | {times} | {goal} |")
    write("coverage", data, "\n".join(lines) + "\n")
    call_command("check", verbosity=0)


if __name__ == "__main__":
    main()
