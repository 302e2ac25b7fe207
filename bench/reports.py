"""bench/reports.py — the daily report (日报) at seed scale on PostgreSQL: the roll-up of a
whole day for the district, the dashboard of the district command and of a community
secretary, the evening bulletin and the district's daily workbook, each next to its floor
in the same run.

The data: the seed district's tree (6 streets, 36 communities), a household at every
door (361,876) and the registry's 658,787 people (the demo builder's, as
bench/coverage.py loads them; the indicators do not read people), one response over the
district for the 20 days to the measured day, and in it:

- one screening campaign sweeping every household over the last 10 days (every
  community a tenth of its doors a day, 08:00–19:30), failed doors revisited the next
  day, temperatures taken at three in ten done door visits; copied in, the counters
  rebuilt by the product's own rebuild (`screening.counters.rebuild`);
- 5,000 isolation cases started over the 20 days (14 days each: those done by the
  measured day ended), their follow-ups, missed-follow-up and fever alerts; 10,000
  errands run by volunteers;
- two gates a community and a day of scans (40,000, some refused);
- 3,321 members deployed to the communities by one call-up, each community's posts (two
  gates in two 12-hour shifts, isolation in three 8-hour shifts, publicity by day) for
  the last three days, the members' participations checked in and out;
- a store at the district, every street and every community, 8 items, their stock
  (received in one movement a batch) and a threshold per store and item, about one in
  seven held under it;
- the donations fund: 780 donations through the product's services (seven cancelled,
  the last after the measured day's cut-off), money passed down to the streets and
  communities, spent (expenditure postings) and now and then paid back (refunds);
- 10,000 problems raised over the 20 days, each told to the present as
  bench/problems.py tells them (claimed, escalated, answered, confirmed and rated);
- an inspection team's 240 visits with their findings and rectification orders;
- the map's outlines (the demo's made-up ones), every day's report counted by the
  roll-up, the measured day's sign-off (most communities, some late, half the streets),
  entries made after its cut-off in two communities, one of them taken in by a
  correction.

Loaded with COPY (bulk inserts where the product's ids are needed, the product's
services for the money), then VACUUM ANALYZE.

Measured at a fixed present (`time_machine`, not ticking) after the measured day's
cut-off, each next to its floor (bench/results/README.md, "What a floor is"):

1. the roll-up, `services.report_refresh` for the whole district; its floor: the same
   figures as bare SQL through a raw cursor (one grouped statement a source, FILTERs for
   its indicators, grouped by the reporting unit `substr(area_path, 1, 16)`), placed on
   the units and summed up the tree in Python, written back to the kept rows as the
   product writes them; checked equal to the kept figures of every unit. Goal ≤ 60 s.
2. the dashboard page (`/reports/?area=&response=&day=`) through Django's test client,
   signed in as the district command and as a community secretary; its floor: the kept
   rows read by hand (the user's roles, the area, the responses, the day's report, the
   figures under the area with the areas' names, the sign-offs, the corrections with
   their revisions, the trend summed by day in SQL, the map's outlines), made into the
   view's context and the same template rendered with render_to_string for a request
   signed in as the same user: the page's very HTML, checked equal (CSRF tokens aside).
   Beside it, as a reference and not a floor (it is slower), the same headline figures
   computed from the raw rows at request time. Goal p95 ≤ 300 ms.
3. the bulletin (`bulletin.paragraph` from the kept figures), against one statement for
   the same row; and the same figures from the raw rows as a reference.
4. the district's daily workbook (`/reports/report.xlsx?area=&response=&day=`); its floor:
   the same kept rows read by hand and written with openpyxl in the same layout, the
   same audit row appended; the two files read back and checked equal cell for cell;
   the raw-rows reference beside it. Goal ≤ 5 s.

    make bench   # or: python -m bench.reports [--reload]
"""

from __future__ import annotations

import io
import json
import os
import re
import secrets
import statistics
import sys
import time
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as clock
from decimal import Decimal
from importlib import import_module
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from bench.common import machine, measure, ratio, setup_django, write

os.environ.setdefault(
    "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_reports"
)
TZ = ZoneInfo("Asia/Shanghai")
# The measured day and the present it is read at: after the day's cut-off (18:00), before
# the communities' sign-off is due (20:00 + 2 h is the street's). Fixed, so that a
# database loaded once is measured the same way any day.
DAY = date(2026, 12, 1)
NOW = datetime(2026, 12, 1, 20, 30, tzinfo=TZ)
RESPONSE_DAYS = 20
SWEEP_DAYS = 10
CASES = 5_000
CASE_DAYS = 14
ERRANDS = 10_000
SCANS = 40_000
MEMBERS = 3_321
DONATIONS = 780
PROBLEMS = 10_000
INSPECTION_VISITS = 240
FAILED_SHARE = {"no_answer": 0.06, "refused": 0.02, "moved_away": 0.01, "vacant": 0.01}
RESPONSE = "全区疫情防控(日报基准)"
CAMPAIGN = "全区扫楼(日报基准)"
USER_PREFIX = "bench_reports_"
DISTRICT_CODE = "441602"
COMMUNITY_CODE = "441602004001"  # the secretary measured
LATE_COMMUNITIES = ("441602004002", "441602004003")  # late entries; the first corrected
REFRESH_RUNS = 5
PAGE_RUNS = 30
WORKBOOK_RUNS = 10
GOAL_REFRESH_S = 60
GOAL_PAGE_MS = 300
GOAL_WORKBOOK_S = 5
UNIT_LEN = 16  # a reporting unit's path: the community's (4 levels of 4 characters)


def _at(day: date, hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=TZ)


def _days() -> list[date]:
    """The response's days, the measured one last."""
    return [DAY - timedelta(days=n) for n in range(RESPONSE_DAYS - 1, -1, -1)]


# Loading -------------------------------------------------------------------------------


def _reserve(table: str, count: int) -> int:
    """The first of `count` ids taken from `table`'s sequence at once (the bench is the
    only writer while it loads), so that rows copied in can be pointed at."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
            " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return int(last) - count + 1


def _copy(model: Any, objects: list[Any]) -> list[Any]:
    """`objects` (unsaved model instances, every value set as the row should hold it,
    `auto_now_add` fields included) copied into the model's table with ids of their own;
    returned with their ids."""
    from django.db import connection

    if not objects:
        return objects
    meta = model._meta
    first = _reserve(meta.db_table, len(objects))
    for n, obj in enumerate(objects):
        obj.pk = first + n
    fields = list(meta.concrete_fields)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {meta.db_table} ({columns}) FROM STDIN") as copy,
    ):
        for obj in objects:
            copy.write_row(
                [f.get_db_prep_save(getattr(obj, f.attname), connection) for f in fields]
            )
    return objects


@dataclass
class World:
    """What the loading steps leave for each other and for the measures."""

    district: Any
    response: Any
    communities: list[Any]
    streets: list[Any]
    offices: dict[str, int]  # an area's path → its office account's id
    homes: dict[str, list[tuple[int, str]]] = field(default_factory=dict)  # community → doors
    runners: dict[str, list[int]] = field(default_factory=dict)  # community → member ids


def _setup() -> World:
    """The response over the district (begun RESPONSE_DAYS days before the present), and
    an office account for the city, the district, each street and each community, with
    the role that reads and submits the report there."""
    from django.contrib.auth.hashers import make_password

    from jijie.accounts.models import RoleAssignment, User
    from jijie.areas.models import Area, AreaKind
    from jijie.areas.roles import Role
    from jijie.audit.actors import SYSTEM
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate

    district = Area.objects.get(code=DISTRICT_CODE)
    response = Response.objects.filter(area=district, name=RESPONSE).first()
    if response is None:
        response = do_response_activate(actor=SYSTEM, area=district, name=RESPONSE, level="2")
    Response.objects.filter(pk=response.pk).update(started_at=_at(_days()[0], 8))
    response.refresh_from_db()
    roles: dict[str, str] = {
        AreaKind.CITY: Role.COMMAND,
        AreaKind.DISTRICT: Role.COMMAND,
        AreaKind.STREET: Role.STREET_OFFICE,
        AreaKind.TOWN: Role.STREET_OFFICE,
        AreaKind.COMMUNITY: Role.COMMUNITY_SECRETARY,
        AreaKind.VILLAGE: Role.COMMUNITY_SECRETARY,
    }
    city = Area.objects.get(path=district.path[: Area.steplen])
    areas = [city, *Area.objects.filter(path__startswith=district.path, depth__lte=4)]
    names = {f"{USER_PREFIX}{a.code}": a for a in areas}
    known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        User(username=name, full_name=f"{area.name}值班员", password=password)
        for name, area in names.items()
        if name not in known
    )
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    RoleAssignment.objects.bulk_create(
        [RoleAssignment(user=users[name], role=roles[a.kind], area=a) for name, a in names.items()],
        ignore_conflicts=True,
    )
    ordered = sorted(areas, key=lambda a: a.path)
    return World(
        district=district,
        response=response,
        communities=[a for a in ordered if a.depth == 4],
        streets=[a for a in ordered if a.depth == 3],
        offices={a.path: users[name].pk for name, a in names.items()},
    )


def _homes(world: World) -> None:
    from jijie.residents.models import Household

    homes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, path in (
        Household.objects.filter(area_path__startswith=world.district.path)
        .order_by("area_path", "door_sort", "pk")
        .values_list("pk", "area_path")
    ):
        homes[path[:UNIT_LEN]].append((pk, path))
    world.homes = dict(homes)


def _load_screening(world: World, rng: Any) -> dict[str, Any]:
    """The campaign over every street, a visit at every door over SWEEP_DAYS days (every
    community a share of its doors a day), the failed ones mostly revisited the next
    day, temperatures at some done door visits; copied in, then the counters rebuilt."""
    from django.db import connection, transaction

    from jijie.areas.models import Area, AreaKind
    from jijie.audit.actors import SYSTEM
    from jijie.screening import counters
    from jijie.screening.models import Temperature, Visit
    from jijie.screening.services import do_campaign_create

    began = time.perf_counter()
    streets = list(
        Area.objects.filter(
            path__startswith=world.district.path, kind__in=[AreaKind.STREET, AreaKind.TOWN]
        )
    )
    first = DAY - timedelta(days=SWEEP_DAYS - 1)
    campaign = do_campaign_create(
        actor=SYSTEM,
        response=world.response,
        name=CAMPAIGN,
        areas=streets,
        starts_on=first,
        ends_on=DAY + timedelta(days=2),
    )
    visits: list[tuple[Any, ...]] = []
    for doors in world.homes.values():
        for rank, (household, path) in enumerate(doors):
            day = first + timedelta(days=rank * SWEEP_DAYS // len(doors))
            at = _at(day, 8) + timedelta(seconds=rng.randrange(int(11.5 * 3600)))
            roll, outcome, edge = rng.random(), "done", 0.0
            for name, share in FAILED_SHARE.items():
                edge += share
                if roll < edge:
                    outcome = name
                    break
            mode = "phone" if rng.random() < 0.3 else "door"
            visits.append((household, path, mode, outcome, at))
            later = at + timedelta(days=1, minutes=rng.randint(-90, 90))
            if outcome != "done" and later < NOW and rng.random() < 0.8:
                visits.append((household, path, mode, "done", later))
    visits.sort(key=lambda v: v[4])
    first_id = _reserve(Visit._meta.db_table, len(visits))
    columns = (
        "id, campaign_id, household_id, area_path, worker_id, mode, outcome, visited_at, "
        "people_present, flags_raised, answers, note, client_ref"
    )
    temperatures = 0
    with transaction.atomic(), connection.cursor() as cursor:
        with cursor.cursor.copy(f"COPY screening_visit ({columns}) FROM STDIN") as copy:
            taken: list[tuple[int, Decimal]] = []
            for n, (household, path, mode, outcome, at) in enumerate(visits):
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
                copy.write_row((
                    first_id + n, campaign.pk, household, path, None, mode, outcome, at,
                    people, 0, json.dumps(answers), "", "",
                ))  # fmt: skip
                if done and mode == "door" and rng.random() < 0.3:
                    for _person in range(people):
                        fever = rng.random() < 0.004
                        celsius = rng.choice(["37.5", "37.8", "38.2", "38.6"]) if fever else (
                            rng.choice(["36.2", "36.4", "36.5", "36.6", "36.8", "37.0", "37.2"])
                        )  # fmt: skip
                        taken.append((first_id + n, Decimal(celsius)))
        with cursor.cursor.copy(
            f"COPY {Temperature._meta.db_table} (visit_id, person_id, celsius) FROM STDIN"
        ) as copy:
            for visit_id, celsius in taken:
                copy.write_row((visit_id, None, celsius))
        temperatures = len(taken)
    copied = time.perf_counter() - began
    began = time.perf_counter()
    counters.rebuild(campaign)
    return {
        "visits": len(visits),
        "temperatures": temperatures,
        "copy_s": round(copied, 1),
        "rebuild_s": round(time.perf_counter() - began, 1),
    }


def _load_mobilization(world: World, rng: Any) -> dict[str, Any]:
    """The district committee's call-up, MEMBERS members deployed to the communities,
    every community's posts for the last three days and the members' participations."""
    from jijie.duty.models import Demand, Participation, PostType, Shift
    from jijie.mobilization.models import (
        CallUp,
        Deployment,
        Member,
        Organisation,
        SignUp,
    )

    began = time.perf_counter()
    district = world.district
    committee = Organisation.objects.add_root(
        create_kwargs={
            "name": f"{district.name}机关工委(日报基准)",
            "kind": "working_committee",
            "area": district,
            "area_path": district.path,
        }
    )
    call_up = CallUp.objects.create(
        response=world.response,
        organisation=committee,
        title="党员干部下沉社区(日报基准)",
        quota=MEMBERS,
        deadline=_at(_days()[0], 20),
        status="closed",
        token=secrets.token_hex(16),
    )
    communities = world.communities
    kinds = ["party_member", "cadre", "civil_servant", "volunteer", "volunteer"]
    members = _copy(
        Member,
        [
            Member(
                name=f"队员{n:04d}",
                kind=rng.choice(kinds),
                residence=(home := rng.choice(communities)),
                residence_path=home.path,
                created_at=_at(_days()[0], 9),
                updated_at=_at(_days()[0], 9),
            )
            for n in range(MEMBERS)
        ],
    )
    sign_ups = _copy(
        SignUp,
        [
            SignUp(
                call_up=call_up,
                member_id=m.pk,
                status="deployed",
                health_declared=True,
                created_at=_at(_days()[0], 12),
                updated_at=_at(_days()[0], 12),
            )
            for m in members
        ],
    )
    # A busy community gets more: the weights of an outbreak's streets.
    weights = [3.0 if c.path.startswith(communities[0].path[:12]) else 1.0 for c in communities]
    deployments = []
    for member, sign_up in zip(members, sign_ups, strict=True):
        community = rng.choices(communities, weights)[0]
        starts = DAY - timedelta(days=rng.randint(1, 12))
        status = "withdrawn" if rng.random() < 0.04 else "active"
        deployments.append(
            Deployment(
                sign_up_id=sign_up.pk,
                member_id=member.pk,
                community=community,
                community_path=community.path,
                residence_id=member.residence_id,
                residence_path=member.residence_path,
                starts_on=starts,
                ends_on=starts + timedelta(days=CASE_DAYS),
                status=status,
                created_at=_at(starts - timedelta(days=1), 16),
            )
        )
    _copy(Deployment, deployments)
    on_duty: dict[str, list[Deployment]] = defaultdict(list)
    for d in deployments:
        if d.status == "active":
            on_duty[d.community_path].append(d)
    world.runners = {path: [d.member_id for d in ds] for path, ds in on_duty.items()}
    posts = {}
    for code, name in (("bench_gate", "卡口值守"), ("bench_isolation", "隔离监管"),
                       ("bench_publicity", "宣传劝导")):  # fmt: skip
        posts[code] = PostType.objects.get_or_create(code=code, defaults={"name": name})[0]
    # (post, place, first shift hour, shifts a day, hours, least, most)
    plans = (
        ("bench_gate", "东门卡口", 8, 2, 12, 2, 3),
        ("bench_gate", "西门卡口", 8, 2, 12, 2, 3),
        ("bench_isolation", "居家隔离点", 6, 3, 8, 1, 2),
        ("bench_publicity", "小区广场", 9, 1, 8, 2, 4),
    )
    first_day = DAY - timedelta(days=2)
    demands = []
    for community in communities:
        for code, place, hour, per_day, hours, least, most in plans:
            demands.append(
                Demand(
                    community=community,
                    community_path=community.path,
                    post_type=posts[code],
                    place=place,
                    starts_on=first_day,
                    days=3,
                    first_shift_at=clock(hour),
                    shifts_per_day=per_day,
                    shift_hours=hours,
                    min_per_shift=least,
                    max_per_shift=most,
                    created_at=_at(first_day - timedelta(days=1), 10),
                )
            )
    _copy(Demand, demands)
    shifts = []
    for demand in demands:
        hour = demand.first_shift_at.hour
        for day in range(3):
            for n in range(demand.shifts_per_day):
                starts = _at(first_day + timedelta(days=day), hour) + timedelta(
                    hours=n * demand.shift_hours
                )
                shifts.append(
                    Shift(
                        demand_id=demand.pk,
                        community_path=demand.community_path,
                        starts_at=starts,
                        ends_at=starts + timedelta(hours=demand.shift_hours),
                        min_people=demand.min_per_shift,
                        max_people=demand.max_per_shift,
                        check_in_token=secrets.token_hex(16),
                    )
                )
    _copy(Shift, shifts)
    participations = []
    busy: dict[int, datetime] = {}  # a member's last shift's end
    for shift in sorted(shifts, key=lambda s: s.starts_at):
        pool = list(on_duty[shift.community_path])
        rng.shuffle(pool)
        wanted = shift.max_people if rng.random() < 0.6 else shift.min_people
        if rng.random() < 0.1:
            wanted = max(0, shift.min_people - 1)  # a post left short
        taken = 0
        for d in pool:
            if taken == wanted:
                break
            if d.member_id in busy and busy[d.member_id] + timedelta(hours=8) > shift.starts_at:
                continue
            busy[d.member_id] = shift.ends_at
            taken += 1
            roll = rng.random()
            status = "confirmed" if roll < 0.9 else "requested" if roll < 0.95 else "cancelled"
            checked_in = checked_out = None
            minutes = 0
            if status == "confirmed" and shift.starts_at < NOW:
                checked_in = shift.starts_at + timedelta(minutes=rng.randint(-15, 20))
                if shift.ends_at < NOW:
                    checked_out = shift.ends_at + timedelta(minutes=rng.randint(-10, 30))
                    minutes = int((checked_out - checked_in).total_seconds() // 60)
            participations.append(
                Participation(
                    shift_id=shift.pk,
                    member_id=d.member_id,
                    deployment_id=d.pk,
                    status=status,
                    source="assigned" if rng.random() < 0.7 else "claimed",
                    starts_at=shift.starts_at,
                    ends_at=shift.ends_at,
                    checked_in_at=checked_in,
                    checked_out_at=checked_out,
                    is_late=checked_in is not None and checked_in > shift.starts_at,
                    minutes=minutes,
                    created_at=shift.starts_at - timedelta(days=1),
                    updated_at=checked_out or checked_in or shift.starts_at - timedelta(days=1),
                )
            )
    _copy(Participation, participations)
    return {
        "members": len(members),
        "deployments": len(deployments),
        "shifts": len(shifts),
        "participations": len(participations),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _load_care(world: World, rng: Any) -> dict[str, Any]:
    """CASES cases started over the response's days (two in five in one street, as an
    outbreak clusters), supervised by their community's office; their follow-ups (most
    slots done, the rest alerted as missed over the last days), fever alerts; ERRANDS
    errands over the response, run by the members deployed there."""
    from jijie.care import rules
    from jijie.care.models import Alert, Errand, FollowUp, IsolationCase

    began = time.perf_counter()
    street = world.streets[1].path  # the outbreak's
    doors = [d for ds in world.homes.values() for d in ds]
    hot = [d for d in doors if d[1].startswith(street)]
    rest = [d for d in doors if not d[1].startswith(street)]
    chosen = rng.sample(hot, int(CASES * 0.4)) + rng.sample(rest, CASES - int(CASES * 0.4))
    days = _days()
    cases = []
    for household, path in chosen:
        starts = rng.choice(days)
        ends = starts + timedelta(days=CASE_DAYS)
        ended = ends <= DAY
        cases.append(
            IsolationCase(
                response=world.response,
                household_id=household,
                area_path=path,
                community_path=path[:UNIT_LEN],
                kind=rng.choice(["isolation", "isolation", "observation"]),
                reason="密接" if rng.random() < 0.6 else "中高风险地区返回",
                starts_on=starts,
                days=CASE_DAYS,
                checks_per_day=2 if rng.random() < 0.2 else 1,
                supervisor_user_id=world.offices[path[:UNIT_LEN]],
                status="ended" if ended else "open",
                ended_on=ends if ended else None,
                ended_at=_at(ends, 17) if ended else None,
                outcome="completed" if ended else "",
                created_at=_at(starts, rng.randint(8, 16), rng.randrange(60)),
                updated_at=_at(ends if ended else starts, 17),
            )
        )
    _copy(IsolationCase, cases)
    follow_ups: list[FollowUp] = []
    alerts: list[Alert] = []
    alerted_from = DAY - timedelta(days=2)
    for case in cases:
        day = case.starts_on
        last = min(DAY, case.starts_on + timedelta(days=CASE_DAYS - 1))
        while day <= last:
            for slot in rules.slots_of(day, case.checks_per_day, opened_at=case.created_at):
                if slot.due_at > NOW:
                    continue
                if rng.random() < (0.95 if day < DAY else 0.85):
                    celsius = Decimal(rng.choice(["36.3", "36.5", "36.6", "36.8", "37.0"]))
                    if rng.random() < 0.005:
                        celsius = Decimal("38.2")
                    at = slot.due_at + timedelta(minutes=rng.randint(-120, 90))
                    follow_ups.append(
                        FollowUp(
                            case=case,
                            area_path=case.area_path,
                            slot_on=day,
                            slot=slot.index,
                            recorded_at=at,
                            contact="phone" if rng.random() < 0.4 else "visit",
                            temperature=celsius,
                            is_fever=rules.is_fever(celsius),
                        )
                    )
                elif day >= alerted_from and rules.is_missed(slot, done=False, now=NOW):
                    alerts.append(
                        Alert(
                            kind="missed",
                            area_path=case.area_path,
                            community_path=case.community_path,
                            case=case,
                            slot_on=day,
                            slot=slot.index,
                            created_at=slot.deadline,
                        )
                    )
            day += timedelta(days=1)
    _copy(FollowUp, follow_ups)
    alerts += [
        Alert(
            kind="fever",
            area_path=f.area_path,
            community_path=f.case.community_path,
            case=f.case,
            follow_up=f,
            created_at=f.recorded_at,
        )
        for f in follow_ups
        if f.is_fever
    ]
    _copy(Alert, alerts)
    errands = []
    start = _at(days[0], 8)
    span = (NOW - start).total_seconds()
    for _n in range(ERRANDS):
        case = rng.choice(cases)
        created = start + timedelta(seconds=rng.random() * span)
        due = created + timedelta(hours=rng.randint(2, 24))
        runners = world.runners.get(case.community_path) or [None]
        roll = rng.random()
        state, member, done_at, cancelled_at, accepted_at = "requested", None, None, None, None
        if roll < 0.05:
            state, cancelled_at = "cancelled", created + timedelta(hours=rng.uniform(0.2, 3))
        elif created < NOW - timedelta(hours=30) or roll < 0.6:
            accepted_at = created + timedelta(minutes=rng.randint(5, 120))
            done_at = accepted_at + timedelta(hours=rng.uniform(0.5, 26))
            member = rng.choice(runners)
            state = "confirmed" if rng.random() < 0.8 else "done"
        elif roll < 0.8:
            state, member = "accepted", rng.choice(runners)
            accepted_at = created + timedelta(minutes=rng.randint(5, 120))
        if (done_at and done_at > NOW) or (cancelled_at and cancelled_at > NOW):
            state, done_at, cancelled_at = "accepted", None, None
        if accepted_at and accepted_at > NOW:
            state, member, accepted_at = "requested", None, None
        if state != "requested" and state != "cancelled" and member is None:
            state, accepted_at, done_at = "requested", None, None
        errands.append(
            Errand(
                household_id=case.household_id,
                case=case,
                area_path=case.area_path,
                community_path=case.community_path,
                kind=rng.choice(["groceries", "medicine", "garbage", "other"]),
                needed="青菜两斤、鸡蛋一盒",
                money_advanced=Decimal(rng.choice(["0", "35.50", "58.00"])),
                due_by=due,
                state=state,
                member_id=member,
                minutes=rng.randint(20, 90) if done_at else 0,
                proof_note="已放门口" if done_at else "",
                created_at=created,
                accepted_at=accepted_at,
                done_at=done_at,
                confirmed_at=done_at + timedelta(hours=1)
                if state == "confirmed" and done_at + timedelta(hours=1) < NOW
                else None,
                cancelled_at=cancelled_at,
                cancel_reason="已自行解决" if cancelled_at else "",
            )
        )
    _copy(Errand, errands)
    return {
        "cases": len(cases),
        "follow_ups": len(follow_ups),
        "alerts": len(alerts),
        "errands": len(errands),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _load_gates(world: World, rng: Any) -> dict[str, Any]:
    """Two gates a community and a day of scans: SCANS passages over the measured day's
    24 hours to the present, by day more than by night, some refused."""
    import hashlib

    from jijie.gates.models import Gate, Scan

    began = time.perf_counter()
    gates = []
    for community in world.communities:
        for name in ("东门", "西门"):
            gates.append(
                Gate(
                    area=community,
                    area_path=community.path,
                    name=f"{community.name}{name}",
                    kind="compound",
                    created_at=_at(_days()[0], 9),
                )
            )
    _copy(Gate, gates)
    start = _at(DAY - timedelta(days=1), 18)
    hours = list(range(27))  # 18:00 the day before to 20:59 today
    weights = [2 if (18 + h) % 24 < 6 else 6 for h in hours]  # fewer by night
    scans = []
    for _n in range(SCANS):
        gate = rng.choice(gates)
        at = start + timedelta(hours=rng.choices(hours, weights)[0], seconds=rng.randrange(3600))
        if at >= NOW:
            at = NOW - timedelta(seconds=rng.randrange(1, 1800))
        doors = world.homes.get(gate.area_path) or [(None, gate.area_path)]
        household = rng.choice(doors)[0] if rng.random() < 0.9 else None
        allowed = rng.random() < 0.96
        client = uuid.UUID(int=rng.getrandbits(128), version=4)
        scans.append(
            Scan(
                client_id=client,
                body_hash=hashlib.sha256(client.bytes).hexdigest(),
                gate_id=gate.pk,
                response=world.response,
                area_path=gate.area_path,
                household_id=household,
                direction=rng.choice(["in", "out"]),
                temperature=Decimal(rng.choice(["36.3", "36.5", "36.7"])),
                is_allowed=allowed,
                reason="" if allowed else rng.choice(["no_pass", "fever", "outings"]),
                message="" if allowed else "请返回",
                device_at=at,
                received_at=at + timedelta(seconds=rng.randint(1, 40)),
            )
        )
    _copy(Scan, scans)
    return {
        "gates": len(gates),
        "scans": len(scans),
        "load_s": round(time.perf_counter() - began, 1),
    }


ITEMS = (
    ("医用外科口罩", "protection", "只"),
    ("N95口罩", "protection", "只"),
    ("防护服", "protection", "套"),
    ("隔离衣", "protection", "件"),
    ("医用手套", "protection", "副"),
    ("耳温枪", "device", "个"),
    ("核酸检测试剂", "testing", "人份"),
    ("生活物资包", "living", "份"),
)


def _load_supplies(world: World, rng: Any) -> dict[str, Any]:
    """A store at the district, every street and every community, 8 items of two
    batches, each store's stock (received in one movement a batch) and a threshold a
    store and item, about one in seven held under it."""
    from jijie.audit.actors import SYSTEM
    from jijie.supplies import services
    from jijie.supplies.models import Batch, Movement, Stock, Threshold

    began = time.perf_counter()
    items = [
        services.do_item_create(
            actor=SYSTEM, data=services.ItemData(name=name, category=category, unit=unit)
        )
        for name, category, unit in ITEMS
    ]
    stores = [
        services.do_store_create(actor=SYSTEM, area=a, name=f"{a.name}物资库")
        for a in [world.district, *world.streets, *world.communities]
    ]
    batches = {
        item.pk: [
            Batch.objects.get_or_create(
                item=item, lot=f"L{n}", expires_on=DAY + timedelta(days=60 + 120 * n)
            )[0]
            for n in range(2)
        ]
        for item in items
    }
    stock, movements, thresholds = [], [], []
    received = _at(_days()[0], 10)
    for store in stores:
        scale = (
            20 if store.area_path == world.district.path else 4 if len(store.area_path) == 12 else 1
        )
        for item in items:
            minimum = Decimal(rng.choice([50, 100, 200]) * scale)
            short = rng.random() < 0.15
            for batch in batches[item.pk]:
                quantity = Decimal(
                    rng.randint(0, int(minimum) // 3)
                    if short
                    else rng.randint(int(minimum), int(minimum) * 3)
                )
                if not quantity:
                    continue
                stock.append(
                    Stock(store=store, item=item, batch=batch, area_path=store.area_path,
                          quantity=quantity, updated_at=received)
                )  # fmt: skip
                movements.append(
                    Movement(
                        response=world.response, store=store, item=item, batch=batch,
                        area_path=store.area_path, kind="receive", quantity=quantity,
                        source="purchase", at=received, actor_label="bench",
                    )
                )  # fmt: skip
            thresholds.append(
                Threshold(store=store, item=item, area_path=store.area_path, minimum=minimum)
            )
    _copy(Stock, stock)
    _copy(Movement, movements)
    _copy(Threshold, thresholds)
    return {
        "stores": len(stores),
        "stock_rows": len(stock),
        "thresholds": len(thresholds),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _load_funds(world: World, rng: Any) -> dict[str, Any]:
    """The donations fund and its 44 holders; DONATIONS donations over the response's days
    through the product's service (most to the committee and the Red Cross), passed
    down to the streets and on to the communities, and spent there."""
    from django.utils import timezone

    from jijie.audit.actors import SYSTEM
    from jijie.funds import services
    from jijie.funds.services import ledger

    began = time.perf_counter()
    district = world.district
    fund = services.do_fund_create(
        actor=SYSTEM, response=world.response, area=district, name="防疫捐款", kind="donation"
    )
    committee = services.do_holder_create(
        actor=SYSTEM, area=district, name=f"{district.name}委组织部", kind="committee"
    )
    red_cross = services.do_holder_create(
        actor=SYSTEM, area=district, name=f"{district.name}红十字会", kind="unit"
    )
    streets = [
        services.do_holder_create(actor=SYSTEM, area=s, name=s.name, kind="street")
        for s in world.streets
    ]
    communities = [
        services.do_holder_create(actor=SYSTEM, area=c, name=c.name, kind="community")
        for c in world.communities
    ]
    under = {s.pk: [c for c in communities if c.area_path.startswith(s.area_path)] for s in streets}
    balance: dict[int, Decimal] = defaultdict(Decimal)
    receivers = [committee, red_cross, *streets, *communities]
    weights = [0.45, 0.25] + [0.15 / len(streets)] * len(streets)
    weights += [0.15 / len(communities)] * len(communities)
    days = _days()
    per_day = [DONATIONS // len(days)] * len(days)
    per_day[0] += DONATIONS - sum(per_day)
    expenditures = []
    gifts_to_red_cross = []
    for day, count in zip(days, per_day, strict=True):
        stamps = sorted(_at(day, rng.randint(8, 17), rng.randrange(60)) for _ in range(count))
        for at in stamps:
            holder = rng.choices(receivers, weights)[0]
            cents = rng.choice([5000, 10000, 20000, 50000, 100000, 500000])
            amount = Decimal(cents) / 100
            company = rng.random() < 0.3
            gift = services.do_donation_record(
                actor=SYSTEM,
                response=world.response,
                holder=holder,
                data=services.DonationData(
                    donor_kind="company" if company else "person",
                    donor=f"河源{rng.choice('甲乙丙丁戊')}公司"
                    if company
                    else f"居民{rng.randrange(1000)}",
                    received_on=day,
                    amount=amount,
                    fund=fund,
                ),
                now=at,
            )
            balance[holder.pk] += amount
            if holder.pk == red_cross.pk:
                gifts_to_red_cross.append(gift)
        # Every third day the committee passes most of its cash down, the streets on.
        evening = _at(day, 18, 30)
        if day.toordinal() % 3 == 0 and balance[committee.pk] > 1000:
            share = (balance[committee.pk] * Decimal("0.8") / len(streets)).quantize(
                Decimal("0.01")
            )
            for street in streets:
                ledger.do_allocate(
                    actor=SYSTEM, fund=fund, holder=committee, to=street,
                    entry=ledger.Entry(amount=share, on=day, summary="下拨防疫捐款"),
                    now=evening,
                )  # fmt: skip
                balance[committee.pk] -= share
                balance[street.pk] += share
                part = (share / 2 / len(under[street.pk])).quantize(Decimal("0.01"))
                for community in under[street.pk]:
                    ledger.do_allocate(
                        actor=SYSTEM, fund=fund, holder=street, to=community,
                        entry=ledger.Entry(amount=part, on=day, summary="下拨社区防疫经费"),
                        now=evening + timedelta(minutes=10),
                    )  # fmt: skip
                    balance[street.pk] -= part
                    balance[community.pk] += part
        # Spending: a few holders with cash buy something each day.
        for holder in rng.sample([*streets, *communities], 8):
            spend = (balance[holder.pk] * Decimal(rng.choice(["0.1", "0.2", "0.3"]))).quantize(
                Decimal("0.01")
            )
            if spend < 10:
                continue
            expenditures.append(ledger.do_expend(
                actor=SYSTEM, fund=fund, holder=holder,
                expense=ledger.Expense(
                    amount=spend, on=day, summary="购买防疫物资", payee="河源医药公司",
                    voucher=f"ZC-{day:%m%d}-{len(expenditures):04d}",
                ),
                now=_at(day, 16, rng.randrange(60)),
            ))  # fmt: skip
            balance[holder.pk] -= spend
    # Some paid back (goods returned), the last two in the measured day's window; some
    # receipts made in error cancelled, one of the measured day's after its cut-off
    # (valid at the cut-off, it stays in that day's figures).
    refunds = rng.sample(expenditures[:-40], 4) + rng.sample(expenditures[-16:-8], 2)
    for posting in refunds:
        back = (posting.amount / 10).quantize(Decimal("0.01"))
        at = max(posting.at + timedelta(hours=3), _at(posting.on, 17, 30))
        ledger.do_refund(
            actor=SYSTEM, expenditure=posting,
            entry=ledger.Entry(amount=back, on=timezone.localdate(at), summary="退货退款"),
            now=at,
        )  # fmt: skip
    cancelled = [*rng.sample(gifts_to_red_cross[:-30], 4), *gifts_to_red_cross[-3:]]
    for n, gift in enumerate(cancelled):
        last = n == len(cancelled) - 1
        at = max(gift.created_at, _at(DAY, 19)) if last else gift.created_at + timedelta(hours=1)
        services.do_donation_cancel(actor=SYSTEM, donation=gift, reason="收据填错", now=at)
    return {
        "donations": DONATIONS,
        "expenditures": len(expenditures),
        "refunds": len(refunds),
        "cancelled": len(cancelled),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _load_problems(world: World, rng: Any) -> dict[str, Any]:
    """PROBLEMS problems raised over the response's days about its buildings, grids,
    communities and streets, each told to the present as bench/problems.py tells them
    (its stories, cut at this bench's present); copied in (without their histories,
    which the report does not read)."""
    from django.db import connection

    from bench import problems as story
    from jijie.areas.models import Area
    from jijie.problems import rules

    began = time.perf_counter()
    story.NOW = NOW  # the stories are cut at this bench's present
    district = world.district
    areas = list(
        Area.objects.filter(path__startswith=district.path).values_list("path", "id", "kind")
    )
    ids = {path: pk for path, pk, _kind in areas}
    ids.update(Area.objects.filter(depth=1).values_list("path", "id"))
    by_kind: dict[str, list[str]] = {}
    for path, _pk, kind in areas:
        level = {"town": "street", "village": "community"}.get(kind, kind)
        by_kind.setdefault(level, []).append(path)
    hours = list(range(7, 23))
    hour_weights = [1, 3, 4, 4, 3, 2, 3, 4, 4, 3, 2, 2, 2, 1, 1, 1]
    days = _days()
    weights = [1 + n / len(days) for n in range(len(days))]  # more as the response goes on
    rows = []
    for _n in range(PROBLEMS):
        day = rng.choices(days, weights)[0]
        raised = _at(day, rng.choices(hours, hour_weights)[0], rng.randrange(60), rng.randrange(60))
        if raised >= NOW:
            raised = NOW - timedelta(seconds=1 + rng.randrange(3 * 3600))
        place = rng.choice(by_kind[story._pick(rng, story.PLACES)])
        kind, urgency = story._pick(rng, story.KINDS), story._pick(rng, story.URGENCIES)
        title, need = rng.choice(story.TITLES[kind])
        first = rules.first_level_path(place, kind)
        levels = [first[:end] for end in range(len(first), 0, -rules.STEP)]
        raiser = world.offices[place[: min(len(place), UNIT_LEN)]]
        told = story._story(
            rng, raised=raised, urgency=urgency, levels=levels, raiser=raiser,
            offices=world.offices,
        )  # fmt: skip
        row, _taken = story._replay(rng, told, urgency)
        rows.append((
            world.response.pk, ids[place], place, ids[row.level], row.level, kind, urgency,
            title, need, row.state, raised, raiser, row.deadline_at, row.first_deadline_at,
            row.escalations, row.claimed_by, row.claimed_at, row.responded_at,
            row.is_responded_in_time, row.answer, row.answered_at, row.answered_by,
            row.rating, row.resolved_at, row.reopenings,
        ))  # fmt: skip
    columns = [c for c in story.PROBLEM_COLUMNS if c != "id"]
    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY problems_problem ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for problem in rows:
            copy.write_row(problem)
    return {"problems": len(rows), "load_s": round(time.perf_counter() - began, 1)}


def _load_inspections(world: World, rng: Any) -> dict[str, Any]:
    """The district's inspection team, its plan over the last 10 days, INSPECTION_VISITS
    unannounced visits to the gates, a problem found at about half (each with its
    rectification order, owned by the gate's community; most older ones fixed and
    closed), a commendation at some others."""
    from jijie.gates.models import Gate
    from jijie.inspections.models import Finding, Order, Plan, Team, Visit

    began = time.perf_counter()
    team = Team.objects.create(
        response=world.response,
        area=world.district,
        area_path=world.district.path,
        name="区督查一组(日报基准)",
    )
    first = DAY - timedelta(days=9)
    gates = list(Gate.objects.filter(area_path__startswith=world.district.path).order_by("pk"))
    codes = {c.path: c for c in world.communities}
    visits, findings, orders = [], [], []
    rounds = -(-INSPECTION_VISITS // len(gates))  # each round a plan visiting every gate once
    span = 10 // rounds
    for n in range(rounds):
        starts = first + timedelta(days=n * span)
        ends = DAY if n == rounds - 1 else starts + timedelta(days=span - 1)
        plan = Plan.objects.create(
            team=team, area_path=world.district.path, starts_on=starts, ends_on=ends,
            kinds=["gate"], size=len(gates), seed=2020 + n, created_at=_at(starts, 8),
        )  # fmt: skip
        for position, gate in enumerate(gates):
            if len(visits) == INSPECTION_VISITS:
                break
            day = starts + timedelta(days=position * ((ends - starts).days + 1) // len(gates))
            at = _at(day, rng.randint(9, 17), rng.randrange(60))
            visits.append(
                Visit(
                    plan=plan, position=position, kind="gate", ref=gate.pk, label=gate.name,
                    area_path=gate.area_path, community_path=gate.area_path, day=day,
                    recorded_at=at, answers={}, score=rng.randint(60, 100),
                )
            )  # fmt: skip
    _copy(Visit, visits)
    for visit in visits:
        roll = rng.random()
        if roll < 0.5:
            findings.append(
                Finding(
                    visit=visit, kind="problem", severity=rng.choice(["minor", "major", "critical"]),
                    text="测温登记不全", created_at=visit.recorded_at,
                )
            )  # fmt: skip
        elif roll < 0.6:
            findings.append(
                Finding(visit=visit, kind="commendation", severity="", text="值守规范",
                        created_at=visit.recorded_at)
            )  # fmt: skip
    _copy(Finding, findings)
    for finding in findings:
        if finding.kind != "problem":
            continue
        community = codes[finding.visit.area_path[:UNIT_LEN]]
        due = finding.created_at + timedelta(hours=48)
        closed = due + timedelta(hours=12) < NOW and rng.random() < 0.8
        orders.append(
            Order(
                finding=finding, owner=community, owner_path=community.path,
                area_path=finding.visit.area_path, state="closed" if closed else "open",
                due_at=due, closed_at=finding.created_at + timedelta(hours=rng.randint(12, 60))
                if closed else None,
            )
        )  # fmt: skip
    _copy(Order, orders)
    return {
        "visits": len(visits),
        "findings": len(findings),
        "orders": len(orders),
        "load_s": round(time.perf_counter() - began, 1),
    }


def _load_reports(world: World, rng: Any) -> dict[str, Any]:
    """The map's outlines (the demo's made-up ones), every day's report counted by the
    roll-up just after its cut-off, the day before fully signed off; the measured day's
    sign-off (most communities, two late, the first half of the streets), three
    follow-ups entered after its cut-off in each of two communities, the first
    community's taken in by its office's correction."""
    from jijie.accounts.models import User
    from jijie.areas.models import Area
    from jijie.audit.actors import SYSTEM
    from jijie.care.models import FollowUp, IsolationCase
    from jijie.reports import demo as reports_demo
    from jijie.reports import indicators, rules, services
    from jijie.reports.models import Report

    began = time.perf_counter()
    outlines = 0
    drawn = getattr(reports_demo, "plausible_boundaries", None)
    if drawn is not None:
        from jijie.reports import boundaries

        features = boundaries.check(drawn(world.district, rng))
        outlines = boundaries.do_boundaries_load(actor=SYSTEM, features=features).created
    refreshed = {}
    for day in _days():
        at = indicators.window(day).until + timedelta(minutes=5)
        started = time.perf_counter()
        done = services.report_refresh(response=world.response, day=day, now=at)
        refreshed[day.isoformat()] = round(time.perf_counter() - started, 2)
        assert done.closed_now, day
    reports = {r.day: r for r in Report.objects.filter(response=world.response)}
    units = [*world.communities, *world.streets, world.district]
    yesterday = reports[DAY - timedelta(days=1)]
    for area in units:
        due = rules.due_at(yesterday, area)
        services.do_report_submit(
            actor=SYSTEM, report=yesterday, area=area,
            now=due - timedelta(minutes=rng.randint(5, 90)),
        )  # fmt: skip
    today = reports[DAY]
    submitted = 0
    for n, community in enumerate(world.communities):
        if n % 7 == 6:
            continue  # not yet
        due = rules.due_at(today, community)
        at = (
            due + timedelta(minutes=15)
            if n % 11 == 3
            else due - timedelta(minutes=rng.randint(10, 100))
        )
        if at > NOW:
            continue
        services.do_report_submit(actor=SYSTEM, report=today, area=community, now=at)
        submitted += 1
    for street in world.streets[: len(world.streets) // 2]:
        services.do_report_submit(
            actor=SYSTEM, report=today, area=street, now=NOW - timedelta(minutes=20)
        )
        submitted += 1
    late = []
    for code in LATE_COMMUNITIES:
        community = Area.objects.get(code=code)
        for case in IsolationCase.objects.filter(
            community_path=community.path, status="open", starts_on__lte=DAY
        ).order_by("pk")[:3]:
            late.append(
                FollowUp(
                    case=case, area_path=case.area_path, slot_on=DAY, slot=0,
                    recorded_at=_at(DAY, 17, 40), contact="phone", temperature=Decimal("36.6"),
                    is_fever=False, note="截止后补录",
                )
            )  # fmt: skip
    _copy(FollowUp, late)
    services.report_refresh(response=world.response, day=DAY, now=NOW - timedelta(minutes=15))
    corrected = Area.objects.get(code=LATE_COMMUNITIES[0])
    office = User.objects.get(pk=world.offices[corrected.path])
    services.report_correct(
        actor=office, report=today, area=corrected, reason="补录截止前的随访记录",
        now=NOW - timedelta(minutes=10),
    )  # fmt: skip
    return {
        "outlines": outlines,
        "days": len(refreshed),
        "refresh_s_each": refreshed,
        "submitted_today": submitted,
        "late_follow_ups": len(late),
        "load_s": round(time.perf_counter() - began, 1),
    }


# The roll-up's floor -------------------------------------------------------------------
#
# The day's figures as bare SQL through a raw cursor: one grouped statement a source, its
# indicators as FILTERs over the same rows and the same conditions as the product's,
# grouped by the reporting unit (the first 16 characters of the row's path: its
# community, or the street or district it is kept at). Then placed on the nearest unit
# and summed up the tree in Python, as `services.own_counts` and `roll_up` do.

CAMPAIGNS = "(SELECT id FROM screening_campaign WHERE response_id = %(response)s)"
OPEN_ERRAND = (
    "created_at < %(until)s AND (done_at IS NULL OR done_at >= %(until)s)"
    " AND (cancelled_at IS NULL OR cancelled_at >= %(until)s)"
)
UNANSWERED = "(answered_at IS NULL OR answered_at >= %(until)s)"
# (source, statement, the indicator each column after the unit gives)
STATEMENTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "screening: visits",
        "SELECT unit, count(*), count(*) FILTER (WHERE done),"
        " count(*) FILTER (WHERE first_at >= %(since)s), sum(people), sum(door), sum(phone)"
        " FROM (SELECT v.household_id, substr(v.area_path, 1, 16) AS unit,"
        " min(v.visited_at) AS first_at, bool_or(v.outcome = 'done') AS done,"
        " sum(v.people_present) FILTER (WHERE v.outcome = 'done' AND v.visited_at >= %(since)s)"
        " AS people,"
        " count(*) FILTER (WHERE v.mode = 'door' AND v.visited_at >= %(since)s) AS door,"
        " count(*) FILTER (WHERE v.mode = 'phone' AND v.visited_at >= %(since)s) AS phone"
        f" FROM screening_visit v WHERE v.campaign_id IN {CAMPAIGNS}"
        " AND v.area_path LIKE %(under)s AND v.visited_at < %(until)s"
        " GROUP BY v.household_id, unit) h GROUP BY unit",
        (
            "households_screened",
            "-completed",
            "households_screened_today",
            "people_screened_today",
            "door_visits_today",
            "phone_visits_today",
        ),
    ),
    (
        "screening: households in scope",
        "SELECT substr(path, 1, 16), sum(households) FROM (SELECT min(area_path) AS path,"
        " max(households) AS households FROM screening_buildingcoverage"
        f" WHERE campaign_id IN {CAMPAIGNS} AND area_path LIKE %(under)s"
        " GROUP BY building_id) b GROUP BY 1",
        ("households_in_scope",),
    ),
    (
        "screening: temperatures",
        "SELECT substr(v.area_path, 1, 16), count(*),"
        " count(*) FILTER (WHERE t.celsius >= %(fever)s) FROM screening_temperature t"
        " JOIN screening_visit v ON v.id = t.visit_id"
        f" WHERE v.campaign_id IN {CAMPAIGNS} AND v.area_path LIKE %(under)s"
        " AND v.visited_at >= %(since)s AND v.visited_at < %(until)s GROUP BY 1",
        ("temperatures_today", "fevers_today"),
    ),
    (
        "care: cases",
        "SELECT substr(area_path, 1, 16),"
        " count(*) FILTER (WHERE starts_on <= %(day)s AND created_at < %(until)s"
        " AND (ended_at IS NULL OR ended_at >= %(until)s)),"
        " count(*) FILTER (WHERE created_at >= %(since)s AND created_at < %(until)s),"
        " count(*) FILTER (WHERE ended_at >= %(since)s AND ended_at < %(until)s)"
        " FROM care_isolationcase WHERE response_id = %(response)s"
        " AND area_path LIKE %(under)s GROUP BY 1",
        ("cases_open", "cases_started_today", "cases_ended_today"),
    ),
    (
        "care: follow-ups",
        "SELECT substr(f.area_path, 1, 16), count(*), count(*) FILTER (WHERE f.is_fever)"
        " FROM care_followup f"
        " JOIN care_isolationcase c ON c.id = f.case_id WHERE c.response_id = %(response)s"
        " AND f.area_path LIKE %(under)s AND f.recorded_at >= %(since)s"
        " AND f.recorded_at < %(until)s GROUP BY 1",
        ("followups_today", "fever_alerts_today"),
    ),
    (
        "care: missed follow-ups",
        "SELECT substr(a.area_path, 1, 16), count(*) FROM care_alert a"
        " JOIN care_isolationcase c ON c.id = a.case_id WHERE c.response_id = %(response)s"
        " AND a.kind = 'missed' AND a.area_path LIKE %(under)s AND a.created_at >= %(since)s"
        " AND a.created_at < %(until)s GROUP BY 1",
        ("followups_missed_today",),
    ),
    (
        "care: errands",
        f"SELECT substr(area_path, 1, 16), count(*) FILTER (WHERE {OPEN_ERRAND}),"
        f" count(*) FILTER (WHERE {OPEN_ERRAND} AND due_by < %(until)s),"
        " count(*) FILTER (WHERE done_at >= %(since)s AND done_at < %(until)s)"
        " FROM care_errand WHERE area_path LIKE %(under)s GROUP BY 1",
        ("errands_open", "errands_overdue", "errands_done_today"),
    ),
    (
        "gates: scans",
        "SELECT substr(area_path, 1, 16), count(*) FILTER (WHERE is_allowed),"
        " count(*) FILTER (WHERE NOT is_allowed) FROM gates_scan"
        " WHERE response_id = %(response)s AND area_path LIKE %(under)s"
        " AND device_at >= %(since)s AND device_at < %(until)s GROUP BY 1",
        ("passages_today", "refusals_today"),
    ),
    (
        "mobilization: deployments",
        "SELECT substr(d.community_path, 1, 16), count(*) FROM mobilization_deployment d"
        " JOIN mobilization_signup s ON s.id = d.sign_up_id"
        " JOIN mobilization_callup c ON c.id = s.call_up_id"
        " WHERE c.response_id = %(response)s AND d.community_path LIKE %(under)s"
        " AND d.starts_on <= %(day)s AND d.ends_on >= %(day)s"
        " AND d.created_at < %(until)s GROUP BY 1",
        ("members_deployed",),
    ),
    (
        "duty: participations",
        "SELECT substr(s.community_path, 1, 16),"
        " count(*) FILTER (WHERE p.checked_in_at >= %(since)s AND p.checked_in_at < %(until)s),"
        " sum(p.minutes) FILTER (WHERE p.checked_out_at >= %(since)s"
        " AND p.checked_out_at < %(until)s)"
        " FROM duty_participation p JOIN duty_shift s ON s.id = p.shift_id"
        " WHERE p.status = 'confirmed' AND s.community_path LIKE %(under)s"
        " AND ((p.checked_in_at >= %(since)s AND p.checked_in_at < %(until)s)"
        " OR (p.checked_out_at >= %(since)s AND p.checked_out_at < %(until)s)) GROUP BY 1",
        ("on_shift_today", "minutes_served_today"),
    ),
    (
        "duty: shifts",
        "SELECT substr(community_path, 1, 16), count(*) FILTER (WHERE held >= min_people),"
        " count(*) FILTER (WHERE held < min_people) FROM (SELECT s.community_path,"
        " s.min_people, count(p.id) AS held FROM duty_shift s LEFT JOIN duty_participation p"
        " ON p.shift_id = s.id AND p.status IN ('requested', 'confirmed')"
        " WHERE s.community_path LIKE %(under)s AND s.starts_at >= %(since)s"
        " AND s.starts_at < %(until)s GROUP BY s.id) s GROUP BY 1",
        ("posts_filled_today", "posts_open_today"),
    ),
    (
        "funds: donations",
        "SELECT substr(area_path, 1, 16), sum(amount) FILTER (WHERE created_at >= %(since)s),"
        " sum(amount) FROM funds_donation WHERE response_id = %(response)s"
        " AND area_path LIKE %(under)s AND created_at < %(until)s AND amount IS NOT NULL"
        " AND (cancelled_at IS NULL OR cancelled_at >= %(until)s) GROUP BY 1",
        ("donations_today", "donations_total"),
    ),
    (
        "funds: spending",
        "SELECT unit, sum(amount) FROM (SELECT substr(a.area_path, 1, 16) AS unit, p.amount"
        " FROM funds_posting p JOIN funds_account a ON a.id = p.credit_id"
        " WHERE p.response_id = %(response)s AND p.kind = 'expenditure'"
        " AND p.at >= %(since)s AND p.at < %(until)s AND a.area_path LIKE %(under)s"
        " UNION ALL SELECT substr(a.area_path, 1, 16), -p.amount"
        " FROM funds_posting p JOIN funds_account a ON a.id = p.debit_id"
        " WHERE p.response_id = %(response)s AND p.kind = 'refund'"
        " AND p.at >= %(since)s AND p.at < %(until)s AND a.area_path LIKE %(under)s) s"
        " GROUP BY unit",
        ("spending_today",),
    ),
    (
        "problems",
        f"SELECT substr(area_path, 1, 16), count(*) FILTER (WHERE {UNANSWERED}),"
        f" count(*) FILTER (WHERE {UNANSWERED} AND deadline_at < %(until)s),"
        " count(*) FILTER (WHERE resolved_at >= %(since)s AND resolved_at < %(until)s),"
        " count(*),"
        " count(*) FILTER (WHERE is_responded_in_time AND responded_at < %(until)s),"
        " count(*) FILTER (WHERE resolved_at < %(until)s),"
        " count(*) FILTER (WHERE resolved_at < %(until)s AND rating IS NOT NULL),"
        " count(*) FILTER (WHERE resolved_at < %(until)s AND rating >= 4)"
        " FROM problems_problem WHERE response_id = %(response)s"
        " AND area_path LIKE %(under)s AND raised_at < %(until)s GROUP BY 1",
        (
            "problems_open",
            "problems_overdue",
            "problems_resolved_today",
            "problems_raised",
            "problems_responded",
            "problems_resolved",
            "problems_rated",
            "problems_satisfied",
        ),
    ),
    (
        "inspections: orders",
        "SELECT substr(o.area_path, 1, 16), count(*) FROM inspections_order o"
        " JOIN inspections_finding f ON f.id = o.finding_id"
        " JOIN inspections_visit v ON v.id = f.visit_id"
        " JOIN inspections_plan pl ON pl.id = v.plan_id"
        " JOIN inspections_team t ON t.id = pl.team_id WHERE t.response_id = %(response)s"
        " AND o.area_path LIKE %(under)s AND f.created_at < %(until)s"
        " AND (o.closed_at IS NULL OR o.closed_at >= %(until)s) GROUP BY 1",
        ("orders_open",),
    ),
)


def _supplies_statement() -> tuple[str, str, tuple[str, ...]]:
    """Supplies: the ledger summed to the cut-off once, by store, item and path, read
    twice: each key supply's stock on hand (settings.REPORT_STOCK_ITEMS, key → the
    catalogue's name, a column each) at the unit of its store, and each threshold's
    store and item held under its minimum. Made once Django is set up."""
    from django.conf import settings

    keys = tuple(settings.REPORT_STOCK_ITEMS)
    stock = "".join(f" sum(held) FILTER (WHERE name = %(stock_{key})s)," for key in keys)
    return (
        "supplies: stock and thresholds",
        "WITH k AS (SELECT store_id, item_id, area_path, sum(quantity) AS held"
        " FROM supplies_movement WHERE area_path LIKE %(under)s AND at < %(until)s"
        " GROUP BY 1, 2, 3)"
        f" SELECT unit,{stock} count(*) FILTER (WHERE below) FROM ("
        "SELECT substr(k.area_path, 1, 16) AS unit, k.held, i.name, false AS below"
        " FROM k JOIN supplies_item i ON i.id = k.item_id"
        " UNION ALL SELECT substr(t.area_path, 1, 16), NULL, NULL,"
        " coalesce(k.held, 0) < t.minimum FROM supplies_threshold t"
        " LEFT JOIN k ON k.store_id = t.store_id AND k.item_id = t.item_id"
        " WHERE t.area_path LIKE %(under)s) s GROUP BY unit",
        (*(f"stock_{key}" for key in keys), "stock_below"),
    )


def floor_statements() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """The floor's statements, the supplies' last (its key supplies read from settings)."""
    return (*STATEMENTS, _supplies_statement())


Counts = dict[str, dict[str, Decimal]]
ZERO = Decimal(0)
CENTS = {"donations_today", "donations_total", "spending_today"}


def raw_counts(
    cursor: Any, response_id: int, day: date, under: str, timings: dict[str, float] | None = None
) -> Counts:
    """Every indicator of `day` under the path `under`, by the reporting unit its rows
    are kept at, from the source apps' rows (`indicators.collect`'s answer)."""
    from django.conf import settings

    from jijie.care import rules as care_rules
    from jijie.reports import indicators

    w = indicators.window(day)
    params = {
        "response": response_id,
        "day": day,
        "since": w.since,
        "until": w.until,
        "under": under + "%",
        "fever": care_rules.fever_threshold(),
        **{f"stock_{key}": name for key, name in settings.REPORT_STOCK_ITEMS.items()},
    }
    out: Counts = defaultdict(lambda: defaultdict(Decimal))
    scratch: Counts = defaultdict(lambda: defaultdict(Decimal))
    for source, sql, keys in floor_statements():
        started = time.perf_counter()
        cursor.execute(sql, params)
        for unit, *figures in cursor.fetchall():
            for key, value in zip(keys, figures, strict=True):
                if value:
                    into = scratch if key.startswith("-") else out
                    # money is kept in whole cents (`core.models.MoneyField`)
                    amount = Decimal(value).scaleb(-2) if key in CENTS else Decimal(value)
                    into[key.lstrip("-")][unit] += amount
        if timings is not None:
            timings[source] = timings.get(source, 0.0) + (time.perf_counter() - started) * 1000
    # A household stays to revisit from its first failed visit until a done one.
    for unit, screened in out["households_screened"].items():
        if pending := screened - scratch["completed"][unit]:
            out["revisits_pending"][unit] = pending
    return {key: dict(values) for key, values in out.items()}


def _place(path: str, known: set[str] | dict[str, Any]) -> str | None:
    while path:
        if path in known:
            return path
        path = path[:-4]
    return None


def placed(counts: Counts, paths: set[str]) -> dict[str, dict[str, Decimal]]:
    """Each unit's own figures: every count on the nearest unit at or above its row's."""
    own: dict[str, dict[str, Decimal]] = {p: {} for p in paths}
    for key, by_unit in counts.items():
        for unit, value in by_unit.items():
            at = _place(unit, paths)
            if at is not None:
                own[at][key] = own[at].get(key, ZERO) + value
    return own


def rolled(own: dict[str, dict[str, Decimal]]) -> dict[str, dict[str, Decimal]]:
    """Each unit's total: its own and its children's totals, the deepest first."""
    total = {p: dict(v) for p, v in own.items()}
    for path in sorted(own, key=len, reverse=True):
        parent = _place(path[:-4], own) if len(path) > 4 else None
        if parent is not None:
            for key, value in total[path].items():
                total[parent][key] = total[parent].get(key, ZERO) + value
    return total


def _dumped(values: dict[str, Decimal]) -> str:
    return json.dumps({key: str(v) for key, v in sorted(values.items()) if v})


def _loaded(raw: str | dict[str, str]) -> dict[str, Decimal]:
    values = json.loads(raw) if isinstance(raw, str) else raw
    return {key: Decimal(v) for key, v in values.items()}


def floor_refresh(response_id: int, area_path: str, depth: int, day: date, now: datetime) -> Any:
    """The roll-up by hand: the day's report held, its units, the figures counted from
    the rows, placed and summed up, the kept rows updated in one statement (a closed
    day's reported figures kept, its live ones replaced), the report's time moved."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, closed_at FROM reports_report WHERE response_id = %s AND day = %s"
            " FOR UPDATE",
            [response_id, day],
        )
        report_id, closed_at = cursor.fetchone()
        cursor.execute(
            "SELECT path FROM areas_area WHERE path LIKE %s AND depth <= %s",
            [area_path + "%", max(4, depth)],
        )
        paths = {path for (path,) in cursor.fetchall()}
        live = placed(raw_counts(cursor, response_id, day, area_path), paths)
        cursor.execute(
            "SELECT area_path, own FROM reports_figures WHERE report_id = %s", [report_id]
        )
        kept = {path: _loaded(own) for path, own in cursor.fetchall()}
        own = {p: kept[p] if closed_at is not None and p in kept else live[p] for p in paths}
        totals, totals_live = rolled(own), rolled(live)
        order = sorted(paths)
        cursor.execute(
            "UPDATE reports_figures f SET own = v.own::jsonb, own_live = v.own_live::jsonb,"
            " total = v.total::jsonb, total_live = v.total_live::jsonb"
            " FROM unnest(%s::text[], %s::text[], %s::text[], %s::text[], %s::text[])"
            " AS v(path, own, own_live, total, total_live)"
            " WHERE f.report_id = %s AND f.area_path = v.path",
            [
                order,
                [_dumped(own[p]) for p in order],
                [_dumped(live[p]) for p in order],
                [_dumped(totals[p]) for p in order],
                [_dumped(totals_live[p]) for p in order],
                report_id,
            ],
        )
        assert cursor.rowcount == len(order), (cursor.rowcount, len(order))
        cursor.execute(
            "UPDATE reports_report SET refreshed_at = %s WHERE id = %s", [now, report_id]
        )
    return live, totals_live


# The pages' floors ----------------------------------------------------------------------
#
# The kept rows read by hand through a raw cursor, made into what the view gives its
# template (the product's own plain dataclasses for a day, its rows and their figures),
# and the same template rendered with `render_to_string` for a request signed in as the
# same user (bench/problems.py does the same).


@dataclass(frozen=True, slots=True)
class Place:
    """An area as the floors' templates and formatters read it."""

    pk: int
    path: str
    code: str
    name: str
    depth: int


@dataclass(frozen=True, slots=True)
class Named:
    pk: int
    name: str


@dataclass(frozen=True, slots=True)
class Kept:
    """The day's report row."""

    pk: int
    day: date
    refreshed_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Signed:
    submitted_at: datetime
    is_on_time: bool


@dataclass(frozen=True, slots=True)
class Change:
    area: Named
    label: str
    before: Decimal
    after: Decimal


def _held(cursor: Any, user_id: int) -> list[tuple[str, str]]:
    cursor.execute(
        "SELECT r.role, a.path FROM accounts_roleassignment r JOIN areas_area a ON a.id = r.area_id"
        " WHERE r.user_id = %s",
        [user_id],
    )
    return list(cursor.fetchall())


def _paths(held: list[tuple[str, str]], action: Any) -> list[str]:
    from jijie.areas.access import minimal_paths, roles_with

    roles = roles_with(action)
    return minimal_paths(path for role, path in held if role in roles)


def _area(cursor: Any, held: list[tuple[str, str]], code: str) -> Place:
    """The area asked for, in the user's sight (the roles' areas and below)."""
    from jijie.areas.access import Action

    cursor.execute("SELECT id, path, code, name, depth FROM areas_area WHERE code = %s", [code])
    area = Place(*cursor.fetchone())
    assert any(area.path.startswith(p) for p in _paths(held, Action.REPORT_VIEW)), code
    return area


def _responses(cursor: Any, area: Place) -> list[Named]:
    """The responses reported on at the area (over it or under it), in force first."""
    over = [area.path[:n] for n in range(4, len(area.path) + 1, 4)]
    cursor.execute(
        "SELECT id, name FROM responses_response WHERE area_path = ANY(%s) OR area_path LIKE %s"
        " ORDER BY status, started_at DESC",
        [over, area.path + "%"],
    )
    return [Named(*row) for row in cursor.fetchall()]


def page_data(user_id: int, code: str, response_id: int, day: date) -> dict[str, Any]:
    """Everything the dashboard shows, read by hand: the user's roles, the area, the
    responses over it, the day's report, the kept figures under the area with the
    areas' names, the sign-offs, the corrections with their revisions, the trend summed
    by day, the map's outlines."""
    from django.db import connection

    from jijie.reports import selectors

    with connection.cursor() as cursor:
        held = _held(cursor, user_id)
        area = _area(cursor, held, code)
        responses = _responses(cursor, area)
        cursor.execute(
            "SELECT id, day, refreshed_at, closed_at FROM reports_report"
            " WHERE response_id = %s AND day = %s",
            [response_id, day],
        )
        report = Kept(*cursor.fetchone())
        cursor.execute(
            "SELECT f.area_path, f.depth, f.total, f.total_live, a.id, a.code, a.name"
            " FROM reports_figures f JOIN areas_area a ON a.id = f.area_id"
            " WHERE f.report_id = %s AND f.area_path LIKE %s ORDER BY f.area_path",
            [report.pk, area.path + "%"],
        )
        figures = cursor.fetchall()
        cursor.execute(
            "SELECT area_path, submitted_at, is_on_time FROM reports_submission"
            " WHERE report_id = %s AND area_path LIKE %s",
            [report.pk, area.path + "%"],
        )
        submissions = {path: Signed(at, on_time) for path, at, on_time in cursor.fetchall()}
        cursor.execute(
            "SELECT c.id, c.made_at, ca.name, coalesce(nullif(u.full_name, ''), u.username),"
            " c.reason, r.indicator, r.before, r.after, ra.id, ra.name"
            " FROM reports_correction c JOIN areas_area ca ON ca.id = c.area_id"
            " LEFT JOIN accounts_user u ON u.id = c.made_by_id"
            " LEFT JOIN reports_revision r ON r.correction_id = c.id"
            " LEFT JOIN areas_area ra ON ra.id = r.area_id"
            " WHERE c.report_id = %s AND c.area_path LIKE %s ORDER BY c.made_at DESC, c.id, r.id",
            [report.pk, area.path + "%"],
        )
        corrections = cursor.fetchall()
        depth = max(area.depth, 2)  # the response's area is the district's
        sums = ", ".join(f"sum((f.total ->> '{key}')::numeric)" for key in selectors.TREND)
        cursor.execute(
            f"SELECT r.day, {sums} FROM reports_figures f"
            " JOIN reports_report r ON r.id = f.report_id WHERE r.response_id = %s"
            " AND f.area_path LIKE %s AND f.depth = %s AND r.day <= %s AND r.day > %s"
            " GROUP BY r.day ORDER BY r.day",
            [response_id, area.path + "%", depth, day, day - timedelta(days=selectors.TREND_DAYS)],
        )
        trend = cursor.fetchall()
        cursor.execute(
            "SELECT b.area_path, b.geometry, a.id, a.code, a.name FROM reports_boundary b"
            " JOIN areas_area a ON a.id = b.area_id WHERE b.area_path LIKE %s"
            f" AND length(b.area_path) = {UNIT_LEN} ORDER BY b.area_path",
            [area.path + "%"],
        )
        outlines = cursor.fetchall()
    return {
        "held": held,
        "area": area,
        "responses": responses,
        "response": next(r for r in responses if r.pk == response_id),
        "report": report,
        "figures": figures,
        "submissions": submissions,
        "corrections": corrections,
        "trend": trend,
        "outlines": outlines,
    }


def page_context(data: dict[str, Any], day: date, now: datetime, request: Any) -> dict[str, Any]:
    """What the view gives its template, made by hand from `page_data`: the day (its
    figures, its children's rows with their sign-off, the worst communities, the
    alerts, the corrections), the trend, the bulletin, the map."""
    from django.urls import reverse
    from django.utils.http import urlencode
    from django.utils.translation import gettext as _

    from jijie.areas.access import Action
    from jijie.reports import bulletin, indicators, rules, selectors

    area, report, response = data["area"], data["report"], data["response"]
    view_paths = _paths(data["held"], Action.REPORT_VIEW)
    unit = selectors.Day(response, area, day, report)
    rows = {}
    for path, depth, total, live, pk, code, name in data["figures"]:
        rows[path] = (Place(pk, path, code, name, depth), _loaded(total), _loaded(live))
    own = rows[area.path]
    unit.figures, unit.live = own[1], own[2]
    submissions = data["submissions"]
    unit.submission = submissions.get(area.path)
    for path, (place, total, _live) in rows.items():
        if place.depth == area.depth + 1 and any(path.startswith(p) for p in view_paths):
            unit.children.append(
                selectors.Row(place, total, submissions.get(path), rules.due_at(report, place))
            )
    if unit.children:
        unit.signoff = selectors.Signoff(
            expected=len(unit.children),
            submitted=sum(1 for r in unit.children if r.submission),
            on_time=sum(1 for r in unit.children if r.submission and r.submission.is_on_time),
        )
    communities = [
        selectors.Row(place, total, submissions.get(path))
        for path, (place, total, _live) in rows.items()
        if place.depth == UNIT_LEN // 4
    ]
    if len(communities) > 1:
        for key, highest in selectors.WORST_ON:
            ranked = [(r, indicators.value(r.figures, key)) for r in communities]
            ranked = [(r, v) for r, v in ranked if v is not None and (not highest or v > 0)]
            ranked.sort(key=lambda rv: rv[1], reverse=highest)
            if ranked:
                unit.worst.append(
                    selectors.Worst(
                        indicators.name_of(key),
                        key in indicators.RATE_BY_KEY,
                        [(r.area, v) for r, v in ranked[: selectors.WORST]],
                    )
                )
    for row in communities:
        figures = row.figures
        if fevers := figures.get("fevers_today", ZERO) + figures.get("fever_alerts_today", ZERO):
            unit.alerts.append(selectors.Alert(row.area, _("发热 %(n)s 人次") % {"n": fevers}))
        if overdue := figures.get("problems_overdue", ZERO):
            unit.alerts.append(selectors.Alert(row.area, _("超期问题 %(n)s 件") % {"n": overdue}))
        if short := figures.get("stock_below", ZERO):
            unit.alerts.append(selectors.Alert(row.area, _("物资低于下限 %(n)s 处") % {"n": short}))
    for row in unit.children:
        late = row.due_at is not None and now > row.due_at
        if row.submission is None and report.closed_at is not None and late:
            unit.alerts.append(selectors.Alert(row.area, _("未按时上报")))
    made: dict[int, Any] = {}
    for pk, at, where, by, reason, key, before, after, changed_pk, changed in data["corrections"]:
        if pk not in made:
            changes: list[Change] = []
            made[pk] = SimpleNamespace(
                made_at=at, area=Named(0, where), made_by=by, reason=reason, changes=changes,
                revisions=SimpleNamespace(all=lambda changes=changes: changes),
            )  # fmt: skip
        if key is not None:
            made[pk].changes.append(
                Change(Named(changed_pk, changed), indicators.name_of(key), before, after)
            )
    unit.corrections = list(made.values())
    trend = {
        "days": [d.isoformat() for d, *_sums in data["trend"]],
        "series": [
            (indicators.name_of(key), [float(row[1 + n] or 0) for row in data["trend"]])
            for n, key in enumerate(selectors.TREND)
        ],
    }
    context = {
        "unit": unit,
        "area": area,
        "response": response,
        "responses": data["responses"],
        "day": day,
        "now": now,
        "is_today": day == indicators.report_day(now),
        "cutoff": indicators.window(day).until,
        "here": urlencode(
            {"area": area.code, "response": str(response.pk), "day": day.isoformat()}
        ),
        "bulletin": bulletin.paragraph(area, day, unit.figures),
        "may_submit": area.path in _paths(data["held"], Action.REPORT_SUBMIT),
        "parent": None,
        "trend": trend,
        "indicators": indicators.INDICATORS,
        "columns": [(key, indicators.name_of(key)) for key in selectors.CELLS],
    }
    if area.path not in view_paths:
        raise NotImplementedError("a page below the user's own areas: not measured")
    indicator = next(iter(selectors.MAP_ON))
    shapes = [
        selectors.Shape(
            Place(pk, path, code, name, UNIT_LEN // 4),
            json.loads(geometry) if isinstance(geometry, str) else geometry,
            indicators.value(rows[path][1], indicator) if path in rows else None,
        )
        for path, geometry, pk, code, name in data["outlines"]
        if any(path.startswith(p) for p in view_paths)
    ]
    if shapes:

        def href(community: Place) -> str:
            query = request.GET.copy()
            query["area"] = community.code
            return f"{reverse('reports:index')}?{query.urlencode()}"

        context["map"] = selectors.Map(indicator, shapes).payload(href)
        context["map_indicator"] = indicator
        context["map_choices"] = [(key, indicators.name_of(key)) for key in selectors.MAP_ON]
    return context


# The workbook's floor ------------------------------------------------------------------


def _lines(rows: Iterable[tuple[str, int, dict[str, Decimal], dict[str, Decimal], str]]) -> Any:
    """The table's lines as offices fill it in: each community's totals, then, after a
    unit's communities, what the unit keeps at its own level; and the totals row."""
    from django.utils.translation import gettext as _

    lines = []
    for _path, depth, own, total, name in sorted(
        rows, key=lambda r: r[0] + ("~" if r[1] < UNIT_LEN // 4 else "")
    ):
        if depth == UNIT_LEN // 4:
            lines.append((name, total))
        elif own:
            lines.append((_("%(name)s(本级)") % {"name": name}, own))
    summed: dict[str, Decimal] = {}
    for _label, figures in lines:
        for key, value in figures.items():
            summed[key] = summed.get(key, ZERO) + value
    return lines, summed


def write_workbook(
    area: Place, day: date, title: str, note: str, lines: Any, summed: dict[str, Decimal]
) -> bytes:
    """The day's sheet in the offices' layout (title, note, the lines of work merged over
    their figures, the figures, their units, a row a line, the totals), the bulletin on a
    sheet of its own; every cell through `jijie.core.sheets`, as every export's."""
    from django.utils.translation import gettext as _
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    from jijie.core import sheets
    from jijie.reports import bulletin, indicators, tables

    groups = tables.columns()
    keys = [c.key for _group, columns in groups for c in columns]
    book = Workbook(write_only=True)
    sheet = book.create_sheet(title=f"{day:%m-%d}")
    width = 1 + len(keys)
    last = get_column_letter(width)
    sheet.column_dimensions["A"].width = 18
    for n in range(2, width + 1):
        sheet.column_dimensions[get_column_letter(n)].width = 10
    sheet.freeze_panes = "B6"
    bold, centred = (
        Font(bold=True),
        Alignment(horizontal="center", vertical="center", wrap_text=True),
    )

    def heading(value: object) -> object:
        cell = sheets.text(sheet, value, font=bold)
        cell.alignment = centred
        return cell

    sheet.append([sheets.text(sheet, title, font=Font(bold=True, size=14))])
    sheet.merged_cells.add(f"A1:{last}1")
    sheet.append([sheets.text(sheet, note)])
    sheet.merged_cells.add(f"A2:{last}2")
    works: list[object] = [heading(_("单位"))]
    names: list[object] = [None]
    column = 2
    for group, columns in groups:
        works += [heading(group)] + [None] * (len(columns) - 1)
        if len(columns) > 1:
            sheet.merged_cells.add(
                f"{get_column_letter(column)}3:{get_column_letter(column + len(columns) - 1)}3"
            )
        names += [heading(c.name) for c in columns]
        column += len(columns)
    sheet.merged_cells.add("A3:A5")
    sheet.append(works)
    sheet.append(names)
    sheet.append([None, *(sheets.text(sheet, c.unit) for _g, cs in groups for c in cs)])

    for label, figures in [*lines, (_("合计"), summed)]:
        values = (indicators.value(figures, k) for k in keys)  # rates, hours from minutes
        sheet.append(sheets.cells(sheet, [label, *values]))
    words = book.create_sheet(title=str(_("每日通报")))
    words.append([sheets.text(words, bulletin.paragraph(area, day, summed))])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _title_note(area: Place, response: str, day: date, refreshed_at: datetime) -> tuple[str, str]:
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from jijie.reports import indicators

    title = _("%(area)s%(response)s工作日报表(%(month)s月%(day)s日)") % {
        "area": area.name, "response": response, "month": day.month, "day": day.day,
    }  # fmt: skip
    note = _("填报单位:%(area)s 统计截止:%(until)s 统计时间:%(at)s") % {
        "area": area.name,
        "until": timezone.localtime(indicators.window(day).until).strftime("%Y-%m-%d %H:%M"),
        "at": timezone.localtime(refreshed_at).strftime("%Y-%m-%d %H:%M"),
    }
    return title, note


def _audit(
    cursor: Any, user_id: int, username: str, area: Place, response_id: int, day: date
) -> None:
    """The export's audit row, as bare SQL: the chain's head held, the event hashed and
    appended, the head moved on (bench/ledger.py's floor does the same)."""
    from django.utils import timezone

    from jijie.audit.models import AuditEvent
    from jijie.audit.services import compute_hash

    cursor.execute("SELECT last_seq, last_hash FROM accounts_audithead WHERE id = 1 FOR UPDATE")
    seq, prev = cursor.fetchone()
    event = AuditEvent(
        seq=seq + 1, at=timezone.now(), actor_id=user_id, actor_label=username,
        action="reports.export", target_type="responses.response", target_id=str(response_id),
        area_path=area.path, reason="", ip_address=None,
        data={"start": day.isoformat(), "end": day.isoformat(), "days": 1},
    )  # fmt: skip
    digest = compute_hash(event, prev)
    cursor.execute(
        "INSERT INTO accounts_auditevent (seq, at, actor_id, actor_label, action, target_type,"
        " target_id, area_path, reason, ip_address, data, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', NULL, %s, %s, %s)",
        [event.seq, event.at, user_id, username, event.action, event.target_type,
         event.target_id, event.area_path, json.dumps(event.data), prev, digest],
    )  # fmt: skip
    cursor.execute(
        "UPDATE accounts_audithead SET last_seq = %s, last_hash = %s WHERE id = 1",
        [event.seq, digest],
    )


def workbook_floor(user_id: int, username: str, code: str, response_id: int, day: date) -> bytes:
    """The day's workbook by hand: the user's roles, the area, the response, the day's
    report, the kept figures under the area with the areas' names, written; audited."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        held = _held(cursor, user_id)
        area = _area(cursor, held, code)
        response = next(r for r in _responses(cursor, area) if r.pk == response_id)
        cursor.execute(
            "SELECT id, refreshed_at FROM reports_report WHERE response_id = %s AND day = %s",
            [response.pk, day],
        )
        report_id, refreshed_at = cursor.fetchone()
        cursor.execute(
            "SELECT f.area_path, f.depth, f.own, f.total, a.name FROM reports_figures f"
            " JOIN areas_area a ON a.id = f.area_id WHERE f.report_id = %s AND f.area_path LIKE %s",
            [report_id, area.path + "%"],
        )
        rows = [
            (p, d, _loaded(own), _loaded(total), n) for p, d, own, total, n in cursor.fetchall()
        ]
        lines, summed = _lines(rows)
        title, note = _title_note(area, response.name, day, refreshed_at)
        content = write_workbook(area, day, title, note, lines, summed)
        _audit(cursor, user_id, username, area, response.pk, day)
    return content


def workbook_from_rows(
    user_id: int, username: str, code: str, response_id: int, day: date
) -> bytes:
    """Not a floor: the same workbook with its figures counted from the source apps' rows
    at request time (what the kept figures save)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        held = _held(cursor, user_id)
        area = _area(cursor, held, code)
        response = next(r for r in _responses(cursor, area) if r.pk == response_id)
        cursor.execute(
            "SELECT path, depth, name FROM areas_area WHERE path LIKE %s AND depth <= %s",
            [area.path + "%", UNIT_LEN // 4],
        )
        units = {path: (depth, name) for path, depth, name in cursor.fetchall()}
        own = placed(raw_counts(cursor, response.pk, day, area.path), set(units))
        total = rolled(own)
        rows = [(p, d, own[p], total[p], n) for p, (d, n) in units.items()]
        lines, summed = _lines(rows)
        cursor.execute(
            "SELECT refreshed_at FROM reports_report WHERE response_id = %s AND day = %s",
            [response.pk, day],
        )
        title, note = _title_note(area, response.name, day, cursor.fetchone()[0])
        content = write_workbook(area, day, title, note, lines, summed)
        _audit(cursor, user_id, username, area, response.pk, day)
    return content


def read_back(content: bytes) -> dict[str, Any]:
    """A workbook as a reader sees it: each sheet's cells, merged ranges, widths and
    frozen panes."""
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content))
    return {
        sheet.title: {
            "cells": [[cell.value for cell in row] for row in sheet.iter_rows()],
            "merged": sorted(str(r) for r in sheet.merged_cells.ranges),
            "widths": {k: d.width for k, d in sorted(sheet.column_dimensions.items())},
            "frozen": sheet.freeze_panes,
        }
        for sheet in book.worksheets
    }


def from_rows(response_id: int, day: date, under: str) -> dict[str, Decimal]:
    """Not a floor: every figure of the area at `under` counted from the rows at request
    time, summed over its units (its live figures)."""
    from django.db import connection

    total: dict[str, Decimal] = {}
    with connection.cursor() as cursor:
        for key, by_unit in raw_counts(cursor, response_id, day, under).items():
            for value in by_unit.values():
                total[key] = total.get(key, ZERO) + value
    return {key: v for key, v in total.items() if v}


# The run --------------------------------------------------------------------------------


def _remembered(**more: Any) -> dict[str, Any]:
    """What earlier runs recorded of loading this database (kept as the database's
    comment, so that a later run can say how long its data took to load), with `more`
    recorded too."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database"
            " WHERE datname = current_database()"
        )
        found = cursor.fetchone()[0]
        kept = json.loads(found) if found else {}
        if more:
            kept.update(more)
            name = connection.settings_dict["NAME"]
            cursor.execute(f'COMMENT ON DATABASE "{name}" IS %s', [json.dumps(kept)])
    return kept


def _wipe() -> None:
    """Everything this bench loads but the tree, the households and the people."""
    from django.db import connection

    from jijie.accounts.models import User

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE responses_response, mobilization_member, mobilization_organisation,"
            " supplies_item, supplies_store, funds_holder, duty_posttype, reports_boundary, gates_gate,"
            " accounts_auditevent, accounts_audithead RESTART IDENTITY CASCADE"
        )
    User.objects.filter(username__startswith=USER_PREFIX).delete()


def _load(world: World) -> dict[str, Any]:
    import random

    from django.db import connection

    loaded: dict[str, Any] = {}
    started = time.perf_counter()
    _homes(world)
    steps: tuple[tuple[str, Callable[[World, Any], dict[str, Any]]], ...] = (
        ("mobilization", _load_mobilization),
        ("screening", _load_screening),
        ("care", _load_care),
        ("gates", _load_gates),
        ("supplies", _load_supplies),
        ("funds", _load_funds),
        ("problems", _load_problems),
        ("inspections", _load_inspections),
    )
    for name, step in steps:
        began = time.perf_counter()
        loaded[name] = step(world, random.Random(f"reports:{name}"))
        loaded[name]["step_s"] = round(time.perf_counter() - began, 1)
        print(name, loaded[name], flush=True)
    began = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    loaded["vacuum_analyze_s"] = round(time.perf_counter() - began, 1)
    began = time.perf_counter()
    loaded["reports"] = _load_reports(world, random.Random("reports:reports"))
    loaded["reports"]["step_s"] = round(time.perf_counter() - began, 1)
    print("reports", loaded["reports"], flush=True)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_figures")
        cursor.execute("VACUUM ANALYZE reports_report")
    loaded["total_s"] = round(time.perf_counter() - started, 1)
    return loaded


def _sizes(world: World) -> dict[str, int]:
    from django.db import connection

    tables = (
        "areas_area", "residents_household", "residents_person", "screening_visit",
        "screening_temperature", "screening_buildingcoverage", "care_isolationcase",
        "care_followup", "care_alert", "care_errand", "gates_gate", "gates_scan",
        "mobilization_member", "mobilization_deployment", "duty_shift", "duty_participation",
        "supplies_store", "supplies_stock", "supplies_threshold", "funds_donation",
        "funds_posting", "problems_problem", "inspections_visit", "inspections_order",
        "reports_report", "reports_figures", "reports_submission", "reports_revision",
        "reports_boundary", "accounts_auditevent",
    )  # fmt: skip
    sizes = {}
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[table] = cursor.fetchone()[0]
    return sizes


def _figures_of(report_id: int) -> dict[str, dict[str, dict[str, Decimal]]]:
    """The kept rows of a report: path → each of the four figure sets."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT area_path, own, own_live, total, total_live FROM reports_figures"
            " WHERE report_id = %s",
            [report_id],
        )
        return {
            path: {
                "own": _loaded(own),
                "own_live": _loaded(own_live),
                "total": _loaded(total),
                "total_live": _loaded(total_live),
            }
            for path, own, own_live, total, total_live in cursor.fetchall()
        }


def _nonzero(values: dict[str, Decimal]) -> dict[str, Decimal]:
    return {k: v for k, v in values.items() if v}


CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _same_html(page: str, floor: str) -> bool | str:
    """Whether the floor rendered the page's very HTML (its CSRF tokens aside); else the
    first place where they part."""
    page, floor = CSRF_TOKEN.sub("…", page), CSRF_TOKEN.sub("…", floor)
    if page == floor:
        return True
    at = next(
        (i for i, (a, b) in enumerate(zip(page, floor, strict=False)) if a != b),
        min(len(page), len(floor)),
    )
    return f"page {page[at - 80 : at + 80]!r} / floor {floor[at - 80 : at + 80]!r}"


def _headline(figures: dict[str, Decimal]) -> list[tuple[str, Decimal | None]]:
    from jijie.reports import indicators, selectors

    keys = [*selectors.HEADLINE, *(r.key for r in indicators.RATES)]
    return [(key, indicators.value(figures, key)) for key in keys]


def _queries(run: Callable[[], Any]) -> dict[str, Any]:
    """One run with its queries captured: how many, their time, the dearest."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as captured:
        run()
    elapsed = (time.perf_counter() - started) * 1000
    each = sorted(
        ({"ms": round(float(q["time"]) * 1000, 2), "sql": q["sql"][:400]} for q in captured),
        key=lambda q: -q["ms"],
    )
    return {
        "request_ms": round(elapsed, 1),
        "queries": len(each),
        "database_ms": round(sum(q["ms"] for q in each), 1),
        "dearest": each[:5],
    }


def _explain(sql: str) -> dict[str, Any]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) " + sql)
        plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        text = "\n".join(row[0] for row in cursor.fetchall())
    return {"execution_ms": round(plan[0]["Execution Time"], 1), "plan": text}


def _profile_refresh(response: Any) -> dict[str, Any]:
    """Where the roll-up's time goes: each of the product's collectors alone (the
    statements of one source), the rest of `report_refresh` (its units, its kept rows,
    the writes), its dearest statements run again under EXPLAIN ANALYZE; the floor's
    statements, each timed."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from jijie.reports import indicators, services

    w = indicators.window(DAY)
    collectors: dict[str, float] = {}
    for collector in indicators.COLLECTORS:
        out: Any = {i.key: defaultdict(Decimal) for i in indicators.INDICATORS}
        samples = []
        for _n in range(3):
            started = time.perf_counter()
            collector(response, w, response.area_path, out)
            samples.append((time.perf_counter() - started) * 1000)
        collectors[f"{collector.__module__}:{collector.__name__}"] = round(
            statistics.median(samples), 1
        )
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        services.report_refresh(response=response, day=DAY, now=NOW)
        whole = (time.perf_counter() - started) * 1000
    each = sorted(
        ({"ms": round(float(q["time"]) * 1000, 1), "sql": q["sql"]} for q in captured),
        key=lambda q: -q["ms"],
    )
    dearest = []
    for q in each[:4]:
        entry = {"ms": q["ms"], "sql": q["sql"][:600]}
        if q["sql"].lstrip().upper().startswith("SELECT"):
            with transaction.atomic():
                entry.update(_explain(q["sql"]))
        dearest.append(entry)
    statements: dict[str, float] = {}
    runs = 3
    with connection.cursor() as cursor:
        for _n in range(runs):
            raw_counts(cursor, response.pk, DAY, response.area_path, statements)
        w = indicators.window(DAY)
        cursor.execute(
            "EXPLAIN (ANALYZE, BUFFERS) " + STATEMENTS[0][1],
            {"response": response.pk, "since": w.since, "until": w.until,
             "under": response.area_path + "%"},
        )  # fmt: skip
        floor_plan = "\n".join(row[0] for row in cursor.fetchall())
    return {
        "collectors_ms": collectors,
        "refresh_ms": round(whole, 1),
        "queries": len(each),
        "queries_ms": round(sum(q["ms"] for q in each), 1),
        "dearest": dearest,
        "floor_statements_ms": {k: round(v / runs, 1) for k, v in statements.items()},
        "floor_visits_plan": floor_plan,
    }


def main() -> None:
    setup_django()
    import time_machine
    from django.conf import settings
    from django.contrib.messages.storage import default_storage
    from django.db import connection
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.urls import reverse
    from django.utils import translation

    from jijie.accounts.models import User
    from jijie.areas import access
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import Area
    from jijie.core.demo import DemoContext
    from jijie.reports import bulletin, selectors, services
    from jijie.reports.models import Figures, Report
    from jijie.residents import demo as residents_demo
    from jijie.residents.models import Household

    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    load_at_start = [round(x, 2) for x in os.getloadavg()]
    built: dict[str, float] = {}
    city = Area.objects.filter(code=CITY[0]).first()
    if city is None:
        began = time.perf_counter()
        city = build("seed", 2020)  # the seed district: 36 communities, grids, buildings
        built["tree_s"] = round(time.perf_counter() - began, 1)
    if not Household.objects.exists():
        began = time.perf_counter()
        ctx = DemoContext(scale="seed", seed=2020, out=print)
        buildings = list(
            Area.objects.filter(path__startswith=city.path, kind="building").order_by("path")
        )
        residents_demo.build(ctx, buildings, None)
        built["households_and_people_s"] = round(time.perf_counter() - began, 1)
        print(built, flush=True)
    if built:
        _remembered(built=built)
    if "--reload" in sys.argv:
        _wipe()
    world = _setup()
    response = world.response
    loaded = None
    if not Report.objects.filter(response=response, day=DAY).exists():
        loaded = _load(world)
        _remembered(loaded=loaded)
    remembered = _remembered()
    sizes = _sizes(world)
    print(sizes, flush=True)
    report = Report.objects.get(response=response, day=DAY)
    district, community = world.district, Area.objects.get(code=COMMUNITY_CODE)
    command = User.objects.get(pk=world.offices[district.path])
    secretary = User.objects.get(pk=world.offices[community.path])
    results: dict[str, Any] = {}
    checks: dict[str, Any] = {}

    with time_machine.travel(NOW, tick=False):
        # 1. The roll-up, and its floor: the same figures by hand, written back.
        def product_refresh() -> None:
            services.report_refresh(response=response, day=DAY, now=NOW)

        def by_hand() -> Any:
            return floor_refresh(response.pk, response.area_path, district.depth, DAY, NOW)

        product_refresh()
        kept = _figures_of(report.pk)
        live, totals_live = by_hand()
        after = _figures_of(report.pk)
        assert after == kept, "the floor wrote other figures than the product keeps"
        for path, rows in kept.items():
            assert _nonzero(live[path]) == rows["own_live"], (path, live[path], rows["own_live"])
            assert _nonzero(totals_live[path]) == rows["total_live"], path
        checks["rollup"] = f"{len(kept)} units, every figure equal (own, total, live)"
        print("roll-up checked", flush=True)
        results["rollup"] = {
            "product": measure(product_refresh, runs=REFRESH_RUNS, warmup=1),
            "floor": measure(by_hand, runs=REFRESH_RUNS, warmup=1),
        }
        print("roll-up", results["rollup"], flush=True)
        results["rollup"]["profile"] = _profile_refresh(response)
        print("profile", results["rollup"]["profile"]["collectors_ms"], flush=True)

        # 2. The dashboard, for the command and for a secretary.
        factory = RequestFactory()
        url = reverse("reports:index")
        for label, user, area in (
            ("district", command, district),
            ("community", secretary, community),
        ):
            params = {"area": area.code, "response": str(response.pk), "day": DAY.isoformat()}
            client = Client()
            client.force_login(user)
            floor_user = User.objects.get(pk=user.pk)
            access.assignments(floor_user)  # the request's user, its roles read once
            session_key = client.session.session_key

            def signed_in(params: dict[str, str] = params, floor_user: Any = floor_user,
                          session_key: str = session_key) -> Any:  # fmt: skip
                request = factory.get(url, params)
                vars(floor_user).pop("_jijie_organisation_roles", None)
                request.user = floor_user
                request.session = session_store(session_key)
                request._messages = default_storage(request)  # type: ignore[attr-defined]
                translation.activate(translation.get_language_from_request(request))
                request.LANGUAGE_CODE = translation.get_language()
                return request

            def page(client: Any = client, params: dict[str, str] = params) -> str:
                answer = client.get(url, params)
                assert answer.status_code == 200, answer.status_code
                return answer.content.decode()

            def data_floor(user: Any = user, area: Any = area) -> dict[str, Any]:
                return page_data(user.pk, area.code, response.pk, DAY)

            def page_floor(data_floor: Any = data_floor, signed_in: Any = signed_in) -> str:
                request = signed_in()
                context = page_context(data_floor(), DAY, NOW, request)
                return render_to_string("reports/index.html", context, request)

            def raw(area: Any = area) -> list[tuple[str, Decimal | None]]:
                return _headline(from_rows(response.pk, DAY, area.path))

            product = page()
            rendered = page_floor()
            same = _same_html(product, rendered)
            assert same is True, (label, same)
            kept_figures = _loaded(Figures.objects.get(report=report, area_path=area.path).total)
            assert raw() == _headline(kept_figures), (label, raw(), _headline(kept_figures))
            checks[f"page_{label}"] = (
                "the floor's HTML equal to the page's (CSRF tokens aside); the headline "
                "from the raw rows equal to the kept one"
            )
            results[f"page_{label}"] = {
                "bytes": len(product),
                "page": measure(page, runs=PAGE_RUNS),
                "floor": measure(page_floor, runs=PAGE_RUNS),
                "data_floor": measure(data_floor, runs=PAGE_RUNS),
                "from_rows": measure(raw, runs=5 if label == "district" else PAGE_RUNS, warmup=1),
                "request": _queries(page),
                "floor_request": _queries(page_floor),
            }
            print(label, results[f"page_{label}"], flush=True)

        # 3. The bulletin.
        def bulletin_product() -> str:
            day = selectors.report_of(response, DAY)
            row = Figures.objects.get(report=day, area_path=district.path)
            return bulletin.paragraph(district, DAY, selectors.values(row.total))

        def bulletin_floor() -> str:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT f.total FROM reports_figures f JOIN reports_report r"
                    " ON r.id = f.report_id WHERE r.response_id = %s AND r.day = %s"
                    " AND f.area_path = %s",
                    [response.pk, DAY, district.path],
                )
                total = _loaded(cursor.fetchone()[0])
            return bulletin.paragraph(district, DAY, total)

        def bulletin_from_rows() -> str:
            return bulletin.paragraph(district, DAY, from_rows(response.pk, DAY, district.path))

        words = bulletin_product()
        assert bulletin_floor() == words
        live_words = bulletin.paragraph(
            district,
            DAY,
            _loaded(Figures.objects.get(report=report, area_path=district.path).total_live),
        )
        assert bulletin_from_rows() == live_words
        checks["bulletin"] = (
            "the floor's paragraph equal to the product's; the raw rows' equal to the "
            "paragraph of the live figures"
        )
        results["bulletin"] = {
            "text": words,
            "product": measure(bulletin_product, runs=PAGE_RUNS),
            "floor": measure(bulletin_floor, runs=PAGE_RUNS),
            "from_rows": measure(bulletin_from_rows, runs=5, warmup=1),
        }
        print("bulletin", results["bulletin"], flush=True)

        # 4. The district's workbook.
        client = Client()
        client.force_login(command)
        params = {"area": district.code, "response": str(response.pk), "day": DAY.isoformat()}
        workbook_url = reverse("reports:workbook")

        def product_workbook() -> bytes:
            reply = client.get(workbook_url, params)
            assert reply.status_code == 200, reply.status_code
            return reply.content

        content = product_workbook()
        floor_content = workbook_floor(
            command.pk, command.username, district.code, response.pk, DAY
        )
        mine, theirs = read_back(floor_content), read_back(content)
        assert mine == theirs, "the floor's workbook differs from the product's"
        raw_content = workbook_from_rows(
            command.pk, command.username, district.code, response.pk, DAY
        )
        raw_book = read_back(raw_content)
        checks["workbook"] = (
            "the floor's workbook read back equal to the product's (every cell, merged "
            "range, width, frozen pane, both sheets)"
        )
        results["workbook"] = {
            "bytes": len(content),
            "rows": len(theirs[f"{DAY:%m-%d}"]["cells"]),
            "product": measure(product_workbook, runs=WORKBOOK_RUNS, warmup=2),
            "floor": measure(
                lambda: workbook_floor(
                    command.pk, command.username, district.code, response.pk, DAY
                ),
                runs=WORKBOOK_RUNS,
                warmup=2,
            ),
            "from_rows": measure(
                lambda: workbook_from_rows(
                    command.pk, command.username, district.code, response.pk, DAY
                ),
                runs=3,
                warmup=1,
            ),
            "from_rows_differs_in": sorted(
                {
                    f"{sheet}!{r + 1}:{c + 1}"
                    for sheet, book in raw_book.items()
                    for r, row in enumerate(book["cells"])
                    for c, value in enumerate(row)
                    if theirs[sheet]["cells"][r][c] != value
                }
            ),
            "request": _queries(product_workbook),
        }
        print("workbook", results["workbook"], flush=True)

    figures = {
        "machine": {
            **machine(),
            "load_average_at_start": load_at_start,
            "load_average": [round(x, 2) for x in os.getloadavg()],
        },
        "now": NOW.isoformat(),
        "day": DAY.isoformat(),
        "built": built,
        "loaded": loaded,
        "loaded_earlier": remembered,
        "sizes": sizes,
        "checks": checks,
        "goals": {
            "rollup_s": GOAL_REFRESH_S,
            "page_p95_ms": GOAL_PAGE_MS,
            "workbook_s": GOAL_WORKBOOK_S,
        },
        **results,
    }
    write("reports", figures, _markdown(figures))
    print(_readme_row(figures))


def _ms(r: dict[str, Any]) -> str:
    return f"{r['median_ms']:,.1f} / {r['p95_ms']:,.1f}"


def _times(product: dict[str, Any], floor: dict[str, Any]) -> str:
    return f"{ratio(product, floor)}× / {ratio(product, floor, 'p95_ms')}×"


DATA = (
    ("areas_area", "areas (the seed district's tree and the rest of the city)"),
    ("residents_household", "households"),
    ("residents_person", "people (the registry; not read by the indicators)"),
    ("screening_visit", "visits of the sweep"),
    ("screening_temperature", "temperatures taken at the door"),
    ("care_isolationcase", "isolation cases"),
    ("care_followup", "follow-ups"),
    ("care_alert", "alerts (missed follow-ups, fevers)"),
    ("care_errand", "errands"),
    ("gates_scan", "gate scans (one day)"),
    ("mobilization_deployment", "deployments"),
    ("duty_shift", "shifts (the last three days)"),
    ("duty_participation", "participations"),
    ("supplies_stock", "stock rows (43 stores)"),
    ("supplies_threshold", "thresholds"),
    ("funds_donation", "donations"),
    ("funds_posting", "postings (donations, allocations, expenditures)"),
    ("problems_problem", "problems"),
    ("inspections_order", "rectification orders"),
    ("reports_figures", "kept figures rows (a unit's day)"),
    ("reports_submission", "sign-offs"),
    ("reports_revision", "revisions of a correction"),
    ("reports_boundary", "map outlines"),
)


def _markdown(f: dict[str, Any]) -> str:
    m, s = f["machine"], f["sizes"]
    roll, bull, book = f["rollup"], f["bulletin"], f["workbook"]
    district, community = f["page_district"], f["page_community"]
    goal_roll = roll["product"]["median_ms"] / 1000 <= GOAL_REFRESH_S
    goal_book = book["product"]["p95_ms"] / 1000 <= GOAL_WORKBOOK_S

    def page_row(label: str, r: dict[str, Any]) -> str:
        ok = "yes" if r["page"]["p95_ms"] <= GOAL_PAGE_MS else "NO"
        return (
            f"| {label} ({r['bytes']:,} bytes) | {_ms(r['page'])} | {_ms(r['floor'])} "
            f"| {_times(r['page'], r['floor'])} | {_ms(r['data_floor'])} "
            f"| {_ms(r['from_rows'])} | p95 ≤ {GOAL_PAGE_MS} ms: {ok} |"
        )

    data = "\n".join(f"| {label} | {s[table]:,} |" for table, label in DATA)
    earlier = f.get("loaded_earlier") or {}
    loaded, built = f["loaded"], f["built"]
    when = "this run"
    if not loaded and earlier.get("loaded"):
        loaded, when = earlier["loaded"], "an earlier run on this database"
    if not built and earlier.get("built"):
        built = earlier["built"]
    if loaded:
        steps = ", ".join(
            f"{name} {step['step_s']} s" for name, step in loaded.items() if isinstance(step, dict)
        )
        load_line = (
            f"Loaded in {when}: the response's rows in {loaded['total_s']} s ({steps}; "
            f"VACUUM ANALYZE {loaded['vacuum_analyze_s']} s)"
        )
        if built:
            load_line += (
                "; the tree and the registry before them (households and people by the "
                "demo's `residents.demo.build`, as recorded on the database: "
                + ", ".join(
                    f"{k.removesuffix('_s').replace('_', ' ')} {v} s" for k, v in built.items()
                )
                + ")"
            )
        load_line += "."
    else:
        load_line = "Loaded by an earlier run (`--reload` loads the response's rows again)."
    profile = roll["profile"]
    collectors = "\n".join(
        f"| `{name}` | {ms:,.1f} |"
        for name, ms in sorted(profile["collectors_ms"].items(), key=lambda kv: -kv[1])
    )
    statements = "\n".join(
        f"| {name} | {ms:,.1f} |"
        for name, ms in sorted(profile["floor_statements_ms"].items(), key=lambda kv: -kv[1])
    )
    dearest = "\n".join(
        f"| {q['ms']:,.1f} | {q.get('execution_ms', '')} | `{' '.join(q['sql'].split())[:150]}…` |"
        for q in profile["dearest"]
    )
    return f"""# bench/reports.py

{m["when"]}, {m["cpus"]} CPUs (load average {", ".join(map(str, m["load_average_at_start"]))} at
the start, {", ".join(map(str, m["load_average"]))} at the end: the machine shared with other
work), Python {m["python"]}, {m["database"]}.

One response over the seed district for the {RESPONSE_DAYS} days to {f["day"]}, read at
{f["now"]} (after the day's 18:00 cut-off). {load_line}

| rows | |
|---|---|
{data}

Measured one after the other in the same run, each next to its floor (bench/results/
README.md, "What a floor is"), each floor checked to give the product's answer:

- **roll-up** (`services.report_refresh`, the whole district, one day): the day's
  figures as bare SQL through a raw cursor, one grouped statement a source
  ({len(floor_statements())} in all: a source's indicators as FILTERs over its rows, the
  product's conditions, grouped by `substr(area_path, 1, 16)`), placed on the reporting
  units and summed up the tree in Python, the kept rows updated in one statement and
  the report's time moved, in one transaction with the report held. Checked:
  {f["checks"]["rollup"]}.
- **dashboard** (`/reports/?area=&response=&day=`, through the test client, signed in):
  the kept rows by hand (the user's roles, the area, the responses over it, the day's
  report, the figures under the area with the areas' names, the sign-offs, the
  corrections with their revisions, the trend summed by day in SQL, the map's outlines),
  made into the view's context (the product's plain `Day`, `Row`, `Signoff`, `Worst`,
  `Alert` and `Map` dataclasses) and the same template rendered with `render_to_string`
  for a request signed in as the same user with the same session. Checked:
  {f["checks"]["page_district"]}. The data floor is that SQL alone.
- **bulletin** (`bulletin.paragraph` of the district's kept row, read through the
  selectors and the ORM): the row in one statement, the same paragraph. Checked:
  {f["checks"]["bulletin"]}.
- **workbook** (`/reports/report.xlsx?area=&response=&day=`, the district): the kept rows
  by hand (roles, area, response, report, the figures under the area with the names),
  written with openpyxl in the same layout through `jijie.core.sheets`, the same audit
  row appended by bare SQL, in one transaction. Checked: {f["checks"]["workbook"]}.

**From the rows** is a reference, not a floor: the same figures counted from the source
apps' rows when asked (the roll-up floor's statements under the area), what keeping the
figures saves. For the district it is the roll-up's counting; it is meant to be slower.

| what (median / p95, ms) | product | floor | × floor (median / p95) | data floor | from the rows (reference) | goal |
|---|---|---|---|---|---|---|
| roll-up, the whole district, one day | {_ms(roll["product"])} | {_ms(roll["floor"])} | {_times(roll["product"], roll["floor"])} | | | ≤ {GOAL_REFRESH_S} s: {"yes" if goal_roll else "NO"} |
{page_row("dashboard, district command", district)}
{page_row("dashboard, community secretary", community)}
| bulletin, district, from the kept figures | {_ms(bull["product"])} | {_ms(bull["floor"])} | {_times(bull["product"], bull["floor"])} | | {_ms(bull["from_rows"])} | |
| workbook, district, one day ({book["bytes"]:,} bytes, {book["rows"]} rows) | {_ms(book["product"])} | {_ms(book["floor"])} | {_times(book["product"], book["floor"])} | | {_ms(book["from_rows"])} | ≤ {GOAL_WORKBOOK_S} s: {"yes" if goal_book else "NO"} |

One request of each page and one run of its floor, their queries captured:

| | request ms | queries | their time ms |
|---|---|---|---|
| dashboard, district | {district["request"]["request_ms"]} | {district["request"]["queries"]} | {district["request"]["database_ms"]} |
| its floor | {district["floor_request"]["request_ms"]} | {district["floor_request"]["queries"]} | {district["floor_request"]["database_ms"]} |
| dashboard, community | {community["request"]["request_ms"]} | {community["request"]["queries"]} | {community["request"]["database_ms"]} |
| its floor | {community["floor_request"]["request_ms"]} | {community["floor_request"]["queries"]} | {community["floor_request"]["database_ms"]} |
| workbook, district | {book["request"]["request_ms"]} | {book["request"]["queries"]} | {book["request"]["database_ms"]} |

Where the roll-up's time goes: one `report_refresh` took {profile["refresh_ms"]:,.1f} ms,
{profile["queries"]} queries taking {profile["queries_ms"]:,.1f} ms. Each collector of
`jijie/reports/indicators.py` alone (median of 3), and each of the floor's statements
(mean of 3):

| product collector | ms |
|---|---|
{collectors}

| floor statement | ms |
|---|---|
{statements}

The product's dearest statements in that run (run again under EXPLAIN ANALYZE; the
plans are in reports.json):

| ms | execution ms | statement |
|---|---|---|
{dearest}
"""


def _readme_row(f: dict[str, Any]) -> str:
    """The row for bench/results/README.md's table, for whoever updates it."""
    roll, book = f["rollup"], f["workbook"]
    district, community, bull = f["page_district"], f["page_community"], f["bulletin"]

    def said(r: dict[str, Any], key: str = "page") -> str:
        return (
            f"{r[key]['median_ms']:,.1f} / {r[key]['p95_ms']:,.1f} ms against "
            f"{r['floor']['median_ms']:,.1f} / {r['floor']['p95_ms']:,.1f}, "
            f"{ratio(r[key], r['floor'])}× / {ratio(r[key], r['floor'], 'p95_ms')}×"
        )

    return (
        "Row for bench/results/README.md:\n\n"
        "| daily report (`reports`), seed district, one response's day: roll-up, dashboard "
        "(district command, community secretary), bulletin, workbook (median / p95) | "
        "roll-up: one grouped statement a source as bare SQL, placed and summed up the "
        "tree, written back, every kept figure checked equal; pages: the kept rows by hand, "
        "the same template rendered (render_to_string, signed in), the HTML checked equal; "
        "workbook: the kept rows by hand written with openpyxl, the same audit row, read "
        f"back equal | — | {f['machine']['when'][:10]}: roll-up {said(roll, 'product')} "
        f"(goal ≤ {GOAL_REFRESH_S} s); dashboard, district {said(district)}; community "
        f"{said(community)} (goal p95 ≤ {GOAL_PAGE_MS} ms); bulletin {said(bull, 'product')}; "
        f"workbook {said(book, 'product')} (goal ≤ {GOAL_WORKBOOK_S} s) |\n"
    )


if __name__ == "__main__":
    main()
