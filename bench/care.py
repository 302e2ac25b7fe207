"""bench/care.py — care in the seed-scale district (36 communities, 361,876 households)
on PostgreSQL: 5,000 open isolation cases with their follow-ups and alerts and 20,000
errands, written with bulk_create. Times each grid worker's due list and each
community's board through the selectors (and the two pages, rendered, for the busiest),
next to their floor in the same run: the best hand-written SQL for the same answer (the
same rows, order and limit), asserted equal to the selector's. Goal (issue 8): ≤ 100 ms
each.

Cases cluster as an outbreak does: two in five in one street. A grid worker supervises
the cases of their grid; twice-a-day follow-ups for one case in five; most past slots
done, the rest alerted as missed; one errand in three still open, a quarter of those
past their time.

    python -m bench.care [--reload]   # not part of the test suite
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time
from collections import defaultdict
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_care")
CASES = 5_000
ERRANDS = 20_000
OUTBREAK_STREET = "441602004000"  # 源西街道
OUTBREAK_SHARE = 0.4
MEMBERS_PER_COMMUNITY = 20
GOAL_MS = 100


def _households() -> None:
    """Every door of the seed district's buildings, without people (cases here cover
    whole households)."""
    from jijie.areas.models import Area
    from jijie.residents.models import Household

    rows = []
    for building in Area.objects.filter(kind="building").order_by("path").iterator():
        for door in range(1, building.dwelling_count + 1):
            floor, unit = divmod(door - 1, 4)
            rows.append(
                Household(
                    building=building,
                    area_path=building.path,
                    door_number=f"{floor + 1}{unit + 1:02d}",
                )
            )
    Household.objects.bulk_create(rows, batch_size=5000)


def _accounts(grids: list[str], communities: list[Any]) -> dict[str, Any]:
    """A grid worker per grid with cases, a secretary per community (bulk)."""
    from jijie.accounts.models import RoleAssignment, User
    from jijie.areas.models import Area
    from jijie.areas.roles import Role

    areas = dict(Area.objects.filter(path__in=grids).values_list("path", "pk"))
    users = [User(username=f"bench_care_grid_{path}") for path in grids]
    users += [User(username=f"bench_care_sec_{c.code}") for c in communities]
    for user in users:
        user.set_unusable_password()
    User.objects.bulk_create(users, batch_size=2000)
    made = {u.username: u for u in User.objects.filter(username__startswith="bench_care_")}
    RoleAssignment.objects.bulk_create(
        [
            RoleAssignment(
                user=made[f"bench_care_grid_{path}"], role=Role.GRID_WORKER, area_id=areas[path]
            )
            for path in grids
        ]
        + [
            RoleAssignment(
                user=made[f"bench_care_sec_{c.code}"], role=Role.COMMUNITY_SECRETARY, area=c
            )
            for c in communities
        ],
        batch_size=2000,
    )
    return made


def _load(rng: random.Random) -> dict[str, Any]:
    from django.db import transaction
    from django.utils import timezone

    from jijie.areas.models import Area
    from jijie.audit.actors import SYSTEM
    from jijie.care import rules
    from jijie.care.models import (
        Alert,
        AlertKind,
        Errand,
        ErrandKind,
        ErrandState,
        FollowUp,
        IsolationCase,
    )
    from jijie.mobilization.models import Member
    from jijie.residents.models import Household
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate

    began = time.perf_counter()
    district = Area.objects.get(code="441602")
    response = Response.objects.filter(area=district, name="基准测试响应").first()
    if response is None:
        response = do_response_activate(actor=SYSTEM, area=district, name="基准测试响应", level="2")
    now = timezone.now()
    today = timezone.localdate(now)
    homes = list(
        Household.objects.filter(area_path__startswith=district.path).values_list("pk", "area_path")
    )
    street_path = Area.objects.get(code=OUTBREAK_STREET).path
    hot = [h for h in homes if h[1].startswith(street_path)]
    rest = [h for h in homes if not h[1].startswith(street_path)]
    chosen = set(rng.sample(hot, int(CASES * OUTBREAK_SHARE)))
    chosen |= set(rng.sample(rest, CASES - len(chosen)))
    chosen_list = sorted(chosen)
    grids = sorted({path[:20] for _pk, path in chosen_list})
    communities = list(
        Area.objects.filter(path__in={path[:16] for _pk, path in homes}).order_by("path")
    )
    accounts = _accounts(grids, communities)

    with transaction.atomic():
        cases = []
        for pk, path in chosen_list:
            cases.append(
                IsolationCase(
                    response=response,
                    household_id=pk,
                    area_path=path,
                    community_path=path[:16],
                    kind=rng.choice(["isolation", "isolation", "observation"]),
                    reason="密接" if rng.random() < 0.6 else "中高风险地区返回",
                    starts_on=today - timedelta(days=rng.randint(0, 13)),
                    days=14,
                    checks_per_day=2 if rng.random() < 0.2 else 1,
                    supervisor_user=accounts[f"bench_care_grid_{path[:20]}"],
                )
            )
        IsolationCase.objects.bulk_create(cases, batch_size=2000)
        # Registered on their official start, so that every slot of the period is owed.
        for case in cases:
            case.created_at = timezone.make_aware(
                datetime.combine(case.starts_on, datetime.min.time())
            )
        IsolationCase.objects.bulk_update(cases, ["created_at"], batch_size=2000)

        follow_ups: list[FollowUp] = []
        missed: list[Alert] = []
        first_alerted = today - timedelta(days=1)
        for case in cases:
            day = case.starts_on
            while day <= today:
                for slot in rules.slots_of(day, case.checks_per_day):
                    if slot.due_at > now:
                        continue
                    if rng.random() < (0.95 if day < today else 0.6):
                        celsius = Decimal(rng.choice(["36.3", "36.5", "36.6", "36.8", "37.0"]))
                        if rng.random() < 0.005:
                            celsius = Decimal("38.2")
                        follow_ups.append(
                            FollowUp(
                                case=case,
                                area_path=case.area_path,
                                slot_on=day,
                                slot=slot.index,
                                recorded_at=slot.due_at + timedelta(minutes=rng.randint(0, 90)),
                                contact="phone" if rng.random() < 0.4 else "visit",
                                temperature=celsius,
                                is_fever=rules.is_fever(celsius),
                            )
                        )
                    elif day >= first_alerted and rules.is_missed(slot, done=False, now=now):
                        missed.append(
                            Alert(
                                kind=AlertKind.MISSED,
                                area_path=case.area_path,
                                community_path=case.community_path,
                                case=case,
                                slot_on=day,
                                slot=slot.index,
                            )
                        )
                day += timedelta(days=1)
        FollowUp.objects.bulk_create(follow_ups, batch_size=5000)
        fevers = [
            Alert(
                kind=AlertKind.FEVER,
                area_path=f.area_path,
                community_path=f.case.community_path,
                case=f.case,
                follow_up=f,
            )
            for f in follow_ups
            if f.is_fever
        ]
        Alert.objects.bulk_create(missed + fevers, batch_size=5000)

        members = [
            Member(name=f"队员{c.code[-3:]}{n:02d}", kind="volunteer", residence=c,
                   residence_path=c.path)
            for c in communities
            for n in range(MEMBERS_PER_COMMUNITY)
        ]  # fmt: skip
        Member.objects.bulk_create(members, batch_size=2000)
        by_community: dict[str, list[Member]] = defaultdict(list)
        for member in members:
            by_community[member.residence_path].append(member)

        errands = []
        states = [
            (ErrandState.CONFIRMED, 0.55),
            (ErrandState.CANCELLED, 0.05),
            (ErrandState.DONE, 0.10),
            (ErrandState.ACCEPTED, 0.12),
            (ErrandState.REQUESTED, 0.18),
        ]
        for _n in range(ERRANDS):
            case = rng.choice(cases)
            roll, edge, state = rng.random(), 0.0, ErrandState.REQUESTED
            for name, share in states:
                edge += share
                if roll < edge:
                    state = name
                    break
            is_open = state in (ErrandState.REQUESTED, ErrandState.ACCEPTED)
            due = now + timedelta(hours=rng.randint(-6, 18) if is_open else -rng.randint(6, 300))
            runner = None
            if state != ErrandState.CANCELLED and not (
                state == ErrandState.REQUESTED and rng.random() < 0.8
            ):
                runner = rng.choice(by_community[case.community_path])
            errands.append(
                Errand(
                    household_id=case.household_id,
                    case=case,
                    area_path=case.area_path,
                    community_path=case.community_path,
                    kind=rng.choice(ErrandKind.values),
                    needed="青菜两斤、鸡蛋一盒",
                    money_advanced=Decimal(rng.choice(["0", "35.50", "58.00"])),
                    due_by=due,
                    state=state,
                    member=runner,
                    minutes=rng.randint(20, 90) if state in ("done", "confirmed") else 0,
                    proof_note="已放门口" if state in ("done", "confirmed") else "",
                )
            )
        Errand.objects.bulk_create(errands, batch_size=5000)
        overdue = [
            Alert(
                kind=AlertKind.ERRAND_OVERDUE,
                area_path=e.area_path,
                community_path=e.community_path,
                errand=e,
            )
            for e in errands
            if e.is_open and e.due_by < now
        ]
        Alert.objects.bulk_create(overdue, batch_size=5000)
    return {
        "households": len(homes),
        "cases": len(cases),
        "follow_ups": len(follow_ups),
        "alerts": len(missed) + len(fevers) + len(overdue),
        "errands": len(errands),
        "members": len(members),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _spread(samples: list[float]) -> dict[str, float]:
    samples = sorted(samples)
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[max(0, int(len(samples) * 0.95) - 1)], 3),
        "max_ms": round(samples[-1], 3),
        "count": len(samples),
    }


def _once(fn: Any) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def main() -> None:
    setup_django()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count
    from django.test import Client
    from django.utils import timezone

    from jijie.accounts.models import User
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.care import selectors
    from jijie.care.models import Alert, Errand, FollowUp, IsolationCase
    from jijie.mobilization.models import Member
    from jijie.residents.models import Household

    rng = random.Random(2020)
    if Area.objects.filter(code=CITY[0]).first() is None:
        build("seed", 2020)
    if not Household.objects.exists():
        _households()
    if "--reload" in sys.argv:
        Alert.objects.all().delete()
        Errand.objects.all().delete()
        FollowUp.objects.all().delete()
        IsolationCase.objects.all().delete()
        Member.objects.filter(name__startswith="队员").delete()
        User.objects.filter(username__startswith="bench_care_").delete()
    loaded = None
    if not IsolationCase.objects.exists():
        loaded = _load(rng)
        print(loaded)
    # The households and members were just written too: without fresh statistics the
    # planner guesses a few thousand households and hash-joins all of them.
    with connection.cursor() as cursor:
        for table in ("isolationcase", "followup", "alert", "errand"):
            cursor.execute(f"ANALYZE care_{table}")
        cursor.execute("ANALYZE residents_household")
        cursor.execute("ANALYZE mobilization_member")

    today = timezone.localdate()
    supervisors = list(
        User.objects.filter(username__startswith="bench_care_grid_").order_by("username")
    )
    per_supervisor = dict(
        IsolationCase.objects.filter(status="open")
        .values_list("supervisor_user_id")
        .annotate(n=Count("pk"))
        .values_list("supervisor_user_id", "n")
    )
    busiest_user = max(supervisors, key=lambda u: per_supervisor.get(u.pk, 0))
    communities = list(
        Area.objects.filter(
            path__in=IsolationCase.objects.values("community_path").distinct()
        ).order_by("path")
    )
    per_community = dict(
        IsolationCase.objects.filter(status="open")
        .values_list("community_path")
        .annotate(n=Count("pk"))
        .values_list("community_path", "n")
    )
    busiest = max(communities, key=lambda c: per_community.get(c.path, 0))
    secretaries = {
        u.username: u for u in User.objects.filter(username__startswith="bench_care_sec_")
    }

    def due_list(user: Any) -> Any:
        return lambda: selectors.due_list(user)

    def board(community: Any) -> Any:
        secretary = secretaries[f"bench_care_sec_{community.code}"]
        return lambda: selectors.community_board(secretary, community)

    # The floors: what a person would write by hand for the same answer, the same rows in
    # the same order (and the same limit), each checked against the selector's below.
    # The due list: one supervisor per case (a check constraint), so the two branches of
    # "supervised by the account, or by a member who is that account" are disjoint and
    # UNION ALL lets each use its own index; then the day's follow-ups of those cases.
    def floor_due(user: Any) -> Any:
        def run() -> tuple[list[int], list[int]]:
            columns = (
                "SELECT c.id, c.kind, c.starts_on, c.days, c.extra_days, c.ended_on, "
                "c.checks_per_day, c.created_at, c.area_path, c.household_id, h.door_number, "
                "p.name FROM care_isolationcase c "
                "JOIN residents_household h ON h.id = c.household_id "
                "LEFT JOIN residents_person p ON p.id = c.person_id "
                "WHERE c.status = 'open' AND c.starts_on <= %s AND "
            )
            with connection.cursor() as cursor:
                cursor.execute(
                    f"{columns} c.supervisor_user_id = %s UNION ALL "
                    f"{columns} c.supervisor_member_id IN "
                    "(SELECT id FROM mobilization_member WHERE user_id = %s) "
                    "ORDER BY area_path, household_id, id",
                    [today, user.pk, today, user.pk],
                )
                ids = [row[0] for row in cursor.fetchall()]
                cursor.execute(
                    "SELECT id, case_id, slot_on, slot, recorded_at, contact, is_outside_period, "
                    "temperature, is_fever, symptoms, note FROM care_followup WHERE case_id = ANY(%s) AND slot_on = %s "
                    "ORDER BY recorded_at, id",
                    [ids, today],
                )
                return ids, [row[0] for row in cursor.fetchall()]

        return run

    def same_due(user: Any) -> None:
        found = selectors.due_list(user)
        ids, follow_ups = floor_due(user)()
        assert ids == [d.case.pk for d in found], user.username
        made = [f.pk for d in found for s in d.slots for f in s.follow_ups]
        made += [f.pk for d in found for f in d.extra]
        assert sorted(follow_ups) == sorted(made), user.username

    # The board: the open cases by start, the open alerts newest first, the open errands
    # counted and the first BOARD_ERRANDS of them by due time, with what the board shows.
    def floor_board(community: Any) -> Any:
        def run() -> tuple[list[int], list[int], list[int], tuple[int, int]]:
            now = timezone.now()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT c.id, c.kind, c.starts_on, c.days, c.extra_days, c.ended_on, "
                    "h.door_number, p.name, u.username, m.name FROM care_isolationcase c "
                    "JOIN residents_household h ON h.id = c.household_id "
                    "LEFT JOIN residents_person p ON p.id = c.person_id "
                    "LEFT JOIN accounts_user u ON u.id = c.supervisor_user_id "
                    "LEFT JOIN mobilization_member m ON m.id = c.supervisor_member_id "
                    "WHERE c.community_path = %s AND c.status = 'open' "
                    "ORDER BY c.starts_on, c.id",
                    [community.path],
                )
                cases = [row[0] for row in cursor.fetchall()]
                cursor.execute(
                    "SELECT a.id, a.kind, a.created_at, a.slot_on, a.slot, h.door_number, "
                    "p.name, e.kind, f.temperature FROM care_alert a "
                    "LEFT JOIN care_isolationcase c ON c.id = a.case_id "
                    "LEFT JOIN residents_household h ON h.id = c.household_id "
                    "LEFT JOIN residents_person p ON p.id = c.person_id "
                    "LEFT JOIN care_errand e ON e.id = a.errand_id "
                    "LEFT JOIN care_followup f ON f.id = a.follow_up_id "
                    "WHERE a.community_path = %s AND a.resolved_at IS NULL "
                    "ORDER BY a.created_at DESC, a.id DESC",
                    [community.path],
                )
                alerts = [row[0] for row in cursor.fetchall()]
                cursor.execute(
                    "SELECT count(*), count(*) FILTER (WHERE due_by < %s) FROM care_errand "
                    "WHERE community_path = %s AND state IN ('requested', 'accepted')",
                    [now, community.path],
                )
                counts = cursor.fetchone()
                cursor.execute(
                    "SELECT e.id, e.kind, e.state, e.due_by, h.door_number, m.name "
                    "FROM care_errand e JOIN residents_household h ON h.id = e.household_id "
                    "LEFT JOIN mobilization_member m ON m.id = e.member_id "
                    "WHERE e.community_path = %s AND e.state IN ('requested', 'accepted') "
                    "ORDER BY e.due_by, e.id LIMIT %s",
                    [community.path, selectors.BOARD_ERRANDS],
                )
                errands = [row[0] for row in cursor.fetchall()]
            return cases, alerts, errands, (counts[0], counts[1])

        return run

    def same_board(community: Any) -> None:
        secretary = secretaries[f"bench_care_sec_{community.code}"]
        found = selectors.community_board(secretary, community)
        cases, alerts, errands, counts = floor_board(community)()
        assert cases == [row.case.pk for row in found.cases], community.code
        shown = {row.alert.pk for row in found.missed + found.alerts}
        assert shown <= set(alerts), community.code
        fever = len(set(alerts) - shown)
        assert fever in (0, found.fever_alerts), community.code  # hidden without health
        assert errands == [row.errand.pk for row in found.errands], community.code
        assert counts == (found.errands_open, found.errands_overdue), community.code

    # Every supervisor's and every community's once (after a warm-up pass), then the
    # busiest of each many times.
    for user in supervisors[:50]:
        selectors.due_list(user)
    # The floors give the selectors' answers, for every supervisor and every community.
    for user in supervisors:
        same_due(user)
    for community in communities:
        same_board(community)
    spread = {
        "due_list_each_supervisor": _spread([_once(due_list(u)) for u in supervisors]),
        "floor_due_each_supervisor": _spread([_once(floor_due(u)) for u in supervisors]),
        "board_each_community": _spread([_once(board(c)) for c in communities]),
        "floor_board_each_community": _spread([_once(floor_board(c)) for c in communities]),
    }
    supervisor_client, secretary_client = Client(), Client()
    supervisor_client.force_login(busiest_user)
    secretary_client.force_login(secretaries[f"bench_care_sec_{busiest.code}"])

    def day_page() -> None:
        answer = supervisor_client.get("/care/")
        assert answer.status_code == 200, answer.status_code

    def board_page() -> None:
        answer = secretary_client.get(f"/care/board/{busiest.code}/")
        assert answer.status_code == 200, answer.status_code

    results = {
        "due_list_busiest": measure(due_list(busiest_user)),
        "floor_due_busiest": measure(floor_due(busiest_user)),
        "day_page_busiest": measure(day_page, runs=20),
        "board_busiest": measure(board(busiest)),
        "floor_board_busiest": measure(floor_board(busiest)),
        "board_page_busiest": measure(board_page, runs=20),
    }
    found = selectors.community_board(secretaries[f"bench_care_sec_{busiest.code}"], busiest)
    data = {
        "machine": machine(),
        "loaded": loaded,
        "rows": {
            "cases": IsolationCase.objects.count(),
            "follow_ups": FollowUp.objects.count(),
            "alerts": Alert.objects.count(),
            "errands": Errand.objects.count(),
            "supervisors": len(supervisors),
            "communities_with_cases": len(communities),
        },
        "busiest_supervisor_cases": per_supervisor.get(busiest_user.pk, 0),
        "busiest_community": {
            "name": busiest.name,
            "open_cases": len(found.cases),
            "missed": len(found.missed),
            "alerts": len(found.alerts),
            "open_errands": found.errands_open,
            "errands_listed": len(found.errands),
        },
        "spread": spread,
        "results": results,
        "ratios": {
            "due_list_each_supervisor": ratio(
                spread["due_list_each_supervisor"], spread["floor_due_each_supervisor"]
            ),
            "board_each_community": ratio(
                spread["board_each_community"], spread["floor_board_each_community"]
            ),
            "due_list_busiest": ratio(results["due_list_busiest"], results["floor_due_busiest"]),
            "board_busiest": ratio(results["board_busiest"], results["floor_board_busiest"]),
        },
        "goals_ms": {"due_list": GOAL_MS, "board": GOAL_MS},
    }
    m, rows, b = data["machine"], data["rows"], data["busiest_community"]
    lines = [
        "# bench/care.py",
        "",
        f"{m['when']} · {m['database']} · {m['cpus']} CPUs",
        "",
        f"The seed district: {rows['cases']:,} open cases, {rows['follow_ups']:,} follow-ups, "
        f"{rows['alerts']:,} alerts, {rows['errands']:,} errands; {rows['supervisors']:,} grid "
        f"workers supervise them in {rows['communities_with_cases']} communities.",
        "",
        f"Busiest supervisor: {data['busiest_supervisor_cases']} cases. Busiest board "
        f"({b['name']}): {b['open_cases']} open cases, {b['missed']} missed follow-ups, "
        f"{b['alerts']} other alerts, {b['open_errands']} open errands (the board lists the "
        f"first {b['errands_listed']}, the rest a page at a time).",
        "",
    ]
    if loaded:
        lines += [f"Care rows loaded in this run with bulk_create in {loaded['load_s']} s.", ""]
    lines += [
        "Floor: the hand-written SQL for the same answer (the same cases, follow-ups, "
        "alerts and errands, in the same order, the board's errands to the same limit), "
        "checked equal to the selector's for every supervisor and every community in this "
        "run. The due list's floor is the UNION ALL of its two supervisor branches (a case "
        "has one supervisor); ratio = selector median / floor median.",
        "",
        "| each one once | median ms | p95 ms | max ms | × floor | goal |",
        "|---|---|---|---|---|---|",
    ]
    labels = {
        "due_list_each_supervisor": "due list, every supervisor (selector)",
        "floor_due_each_supervisor": "  floor: hand SQL, same rows and order",
        "board_each_community": "community board, every community (selector)",
        "floor_board_each_community": "  floor: hand SQL, same rows, order, limit",
    }
    for name, label in labels.items():
        r = spread[name]
        times = data["ratios"].get(name, "")
        goal = (
            ""
            if "floor" in name
            else f"≤ {GOAL_MS} ms " + ("yes" if r["max_ms"] <= GOAL_MS else "NO")
        )
        lines.append(
            f"| {label} | {r['median_ms']} | {r['p95_ms']} | {r['max_ms']} | "
            f"{f'{times}×' if times else ''} | {goal} |"
        )
    lines += [
        "",
        "| the busiest, repeated | median ms | p95 ms | × floor | goal |",
        "|---|---|---|---|---|",
    ]
    labels = {
        "due_list_busiest": "due list (selector)",
        "floor_due_busiest": "  floor: hand SQL",
        "day_page_busiest": "  the supervisor's day page (GET, rendered)",
        "board_busiest": "community board (selector)",
        "floor_board_busiest": "  floor: hand SQL",
        "board_page_busiest": "  the board page (GET, rendered)",
    }
    for name, label in labels.items():
        r = results[name]
        times = data["ratios"].get(name, "")
        goal = ""
        if name in ("due_list_busiest", "board_busiest"):
            goal = f"≤ {GOAL_MS} ms " + ("yes" if r["p95_ms"] <= GOAL_MS else "NO")
        lines.append(
            f"| {label} | {r['median_ms']} | {r['p95_ms']} | {f'{times}×' if times else ''} "
            f"| {goal} |"
        )
    write("care", data, "\n".join(lines) + "\n")
    call_command("check", verbosity=0)


if __name__ == "__main__":
    main()
