"""bench/testing_round.py — a day of mass testing (全员核酸) over the seed district on
PostgreSQL: a sampler's registration under the load of 100 sites, the lab's results
imported for the whole round and the round's coverage page, each next to its floor in
the same run.

The data: the seed district's tree (6 streets, 36 communities), a household at every door
(361,876) and the registry's 658,787 people, loaded by the demo builder as
bench/coverage.py loads them; one response over the district and in it one round over the
district for the measured day (today), 10 people a tube, with 100 sites spread over the
communities (each at a grid of its community, 2 lanes, 07:00–19:00) and a sampler's
account at each (a community worker of the site's community). The day is copied in
(COPY): everyone in the district sampled once at a site of their community, each lane
filling its tubes of 10 in order over the day (its last tube closed early at 19:00; every
tube's `size`, `opened_at` and `sealed_at` those of its samples), but for 2% held back:
2,000 of them exempt (infants, away, other; some bedridden), the rest the queue of the
live registrations below; 300 sampled people exempt too (bedridden, sampled at home).
About 64,900 tubes.

Measured, each next to its floor (bench/results/README.md, "What a floor is"):

1. Registration under load: `services.sample_register` (the checked entry, as the site's
   sampler, the user's roles read afresh each call as a request reads them) with a client
   id, timed per call. The offered load is that of 100 sites × 2 lanes × one person every
   20 s, 10 registrations a second: 200 lanes, their starts spread over the 20 s, each
   registering the next person of its community's queue into its own tubes of 10 in
   order (each lane's current tube copied in part-filled before the window, so about half
   the lanes seal a tube and open the next one in it), for a fixed window (WINDOW_S, 90 s),
   driven by WORKERS threads, each with its own database connection, every registration
   started at its due time. Floor: the same registration by hand, bare SQL through a raw
   cursor in one transaction (the role over the site read, the tube opened with INSERT …
   ON CONFLICT DO NOTHING and locked with SELECT … FOR UPDATE, the client id replay, the
   tube open and not full, the person's earlier samples in the round — in this tube, or
   before without a retest reason — the sample inserted, the size bumped and the tube
   sealed with its last place, the audit row appended as `audit_record` appends it: the
   chain's head locked, the row hashed, the head moved on), driven at the same rate for
   the same window in the same run: the window cut in three turns of 30 s, the product's
   and the floor's in turn, so that both meet the same drift of the machine's load.
   Checked: the floor stores the product's rows (the sample, the tube, the audit row but
   for its sequence, time and hash), refuses what it refuses (a retest without a reason,
   a sealed tube), and the audit chain verifies after both. Goal p99 ≤ 50 ms.
2. The lab's results: an .xlsx file (header 序号/管码/检测结果, one row a tube of the
   round, 阴性 but for a handful of 阳性) imported by `imports.results_import` as the
   district command. Floor: the same file read (the faster of openpyxl read-only and
   python-calamine, both measured), the same rows checked (barcode, result, no tube
   twice), the round's tubes read with whether each has a result, every row's tube
   found and pending, the rows COPYed into the lab's ledger (`testing_labresult`) in one
   write, the tubes still open sealed, and the import's audit row. The read alone and a
   bare COPY of the same rows into a temporary table are reported beside it, the four
   measured in turn (IMPORT_RUNS turns), so that the machine's drift meets them alike,
   openpyxl's read apart (twice). Each run is inside a transaction rolled back, so every run does the same work (its commit not
   timed, for either: the ledger has no deferred checks to run at commit); the results
   are checked equal (tubes by result, positives, sealed, the audit row's data). Goal:
   the product ≤ 2.5 × (the read + the bare COPY), and its ratio to the whole floor.
3. The coverage page (`/testing/rounds/<pk>/`) through Django's test client, signed in as
   the district command (its 6 streets) and as a community secretary (`?area=`, its
   grids), after one import committed (its positive tubes listed). Floor: the page's data
   by hand through a raw cursor (the user's roles, the round, the area, the people,
   distinct people sampled and the excused not sampled, one grouped statement a source by
   `substr(area_path, 1, N)` under the area, the areas' names, the sites, the positive
   tubes), made into the view's context (the product's own `Coverage` dataclass) and the
   same template rendered with `render_to_string` for a request signed in as the same
   user (bench/reports.py does the same): the page's very HTML, checked equal (CSRF
   tokens aside). Goal p95 ≤ 200 ms.

    make bench   # or: python -m bench.testing_round [--reload] [--small]

`--small` loads people under one street only (its own database) and shortens the window,
to try the bench quickly.
"""

from __future__ import annotations

import gc
import io
import json
import os
import random
import re
import statistics
import sys
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from importlib import import_module
from types import SimpleNamespace
from typing import Any

from bench.common import machine, measure, ratio, setup_django, write

SMALL = "--small" in sys.argv
os.environ.setdefault(
    "BENCH_DATABASE_URL",
    "postgres://postgres@127.0.0.1:5432/jijie_bench_testing" + ("_small" if SMALL else ""),
)
DISTRICT_CODE = "441602"
COMMUNITY_CODE = "441602004001"  # the secretary measured
RESPONSE = "全区核酸检测(基准测试)"
ROUND = "全区第一轮全员核酸(基准测试)"
USER_PREFIX = "bench_testing_"
SITES = 100
LANES = 2
OPENS, CLOSES = clock(7), clock(19)
TUBE_SIZE = 10
EVERY_S = 20  # a lane registers one person every 20 s
WINDOW_S = 30 if SMALL else 90
SEGMENTS = 3  # the window in turns of the product's and the floor's, against drifting noise
SEGMENT_S = WINDOW_S / SEGMENTS
WORKERS = 8
HELD_BACK = 0.2 if SMALL else 0.02  # not sampled in the copied day
EXEMPT = 2_000
EXEMPT_SAMPLED = 300
POSITIVES = 5
IMPORT_RUNS = 7
PAGE_RUNS = 30
SLOW_PAGE_MS = 2_000
SLOW_PAGE_RUNS = 5
GOAL_REGISTER_P99_MS = 50
GOAL_IMPORT_TIMES = 2.5
GOAL_PAGE_MS = 200
LIVE = "L"  # the live tubes' barcodes begin with it: LP… the product's, LF… the floor's


class RefusedError(Exception):
    """The floor's refusal (the product raises ValidationError)."""


def _summary(samples: list[float]) -> dict[str, Any]:
    samples = sorted(samples)
    n = len(samples)
    return {
        "median_ms": round(statistics.median(samples), 3),
        "p95_ms": round(samples[max(int(n * 0.95) - 1, 0)], 3),
        "p99_ms": round(samples[max(int(n * 0.99) - 1, 0)], 3),
        "max_ms": round(samples[-1], 3),
        "min_ms": round(samples[0], 3),
        "runs": n,
    }


def _reserve(table: str, count: int) -> int:
    """The first of `count` ids taken from `table`'s sequence at once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, 'id'),"
            " nextval(pg_get_serial_sequence(%s, 'id')) + %s - 1)",
            [table, table, count],
        )
        last = cursor.fetchone()[0]
    return int(last) - count + 1


def _copy(table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    from django.db import connection

    with (
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)


TUBE_COLUMNS = (
    "id", "round_id", "site_id", "area_path", "barcode", "capacity", "size", "opened_at",
    "sealed_at",
)  # fmt: skip
SAMPLE_COLUMNS = (
    "round_id", "tube_id", "person_id", "area_path", "taken_at", "retest_reason", "client_ref",
    "taken_by_id", "taken_by_label",
)  # fmt: skip


@dataclass
class Lane:
    """A site's lane: its sampler, its queue of people, its tubes."""

    site: Any
    number: int
    user: Any = None
    queue: list[int] = field(default_factory=list)  # person ids still to come

    @property
    def key(self) -> str:
        return f"{self.site.pk % 1000:03d}{self.number}"


def _tubes_of(
    round_id: int, lane: Lane, prefix: str, people: list[tuple[int, str]], times: list[datetime]
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """The tubes and samples of `people` sampled at `lane` at `times`, ten a tube in
    order; a tube not full is left open unless `close` says when it was closed."""
    tubes: list[tuple[Any, ...]] = []
    samples: list[tuple[Any, ...]] = []
    first = _reserve("testing_tube", (len(people) + TUBE_SIZE - 1) // TUBE_SIZE)
    site, user = lane.site, lane.user
    rng = random.Random(f"{prefix}{lane.key}")
    for n, start in enumerate(range(0, len(people), TUBE_SIZE)):
        chunk = people[start : start + TUBE_SIZE]
        at = times[start : start + TUBE_SIZE]
        tube_id = first + n
        tubes.append(
            [tube_id, round_id, site.pk, site.area_path, f"{prefix}{lane.key}-{n + 1:05d}",
             TUBE_SIZE, len(chunk), at[0], at[-1]]
        )  # fmt: skip
        for (person_id, path), taken in zip(chunk, at, strict=True):
            samples.append(
                (round_id, tube_id, person_id, path, taken, "",
                 uuid.UUID(int=rng.getrandbits(128)), user.pk, user.username)
            )  # fmt: skip
    return tubes, samples


def _load(world: SimpleNamespace, rng: random.Random) -> dict[str, Any]:
    """The day copied in: everyone but those held back sampled at a site of their
    community, each lane's tubes filled in order over the day; the exemptions."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jijie.residents.models import Person

    began = time.perf_counter()
    round_ = world.round
    day = round_.starts_on
    tz = timezone.get_current_timezone()
    opens = datetime.combine(day, OPENS, tzinfo=tz)
    closes = datetime.combine(day, CLOSES, tzinfo=tz)
    by_community: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for pk, path in (
        Person.objects.filter(area_path__startswith=world.scope.path)
        .order_by("area_path", "pk")
        .values_list("pk", "area_path")
    ):
        by_community[path[:16]].append((pk, path))
    sampled_ids: list[tuple[int, str]] = []
    held: list[tuple[int, str]] = []
    tubes: list[Any] = []
    samples: list[Any] = []
    with transaction.atomic():
        for community, people in sorted(by_community.items()):
            lanes = world.lanes_by_community.get(community, [])
            come: list[tuple[int, str]] = []
            for person in people:
                (held if rng.random() < HELD_BACK else come).append(person)
            sampled_ids += come
            for index, lane in enumerate(lanes):
                mine = come[index :: len(lanes)]
                if not mine:
                    continue
                step = (closes - opens - timedelta(minutes=10)) / len(mine)
                times = [opens + step * n for n in range(len(mine))]
                lane_tubes, lane_samples = _tubes_of(round_.pk, lane, "T", mine, times)
                lane_tubes[-1][8] = closes  # the lane's last tube closed at 19:00
                tubes += lane_tubes
                samples += lane_samples
        _copy("testing_tube", TUBE_COLUMNS, [tuple(t) for t in tubes])
        _copy("testing_sample", SAMPLE_COLUMNS, samples)
        rng.shuffle(held)
        reasons = ["infant", "away", "away", "other", "bedridden"]
        exempt = [(p, rng.choice(reasons)) for p in held[:EXEMPT]]
        exempt += [(p, "bedridden") for p in rng.sample(sampled_ids, EXEMPT_SAMPLED)]
        now = timezone.now()
        _copy(
            "testing_exemption",
            ("round_id", "person_id", "area_path", "reason", "note", "created_by_id",
             "created_at"),
            [(round_.pk, pk, path, reason, "外出务工" if reason == "other" else "", None, now)
             for (pk, path), reason in exempt],
        )  # fmt: skip
    with connection.cursor() as cursor:
        for table in ("tube", "sample", "exemption", "site", "round"):
            cursor.execute(f"VACUUM ANALYZE testing_{table}")
        cursor.execute("ANALYZE residents_person")
    return {
        "people": sum(len(p) for p in by_community.values()),
        "sampled": len(samples),
        "tubes": len(tubes),
        "exempt": len(exempt),
        "held_back": len(held),
        "copy_s": round(time.perf_counter() - began, 1),
    }


def _world(small_street: Any) -> SimpleNamespace:
    """The response, the round over the district for today, its 100 sites (spread over
    the communities, each at a grid), their samplers, the command and a secretary."""
    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from jijie.accounts.models import RoleAssignment, User
    from jijie.areas.models import Area, AreaKind
    from jijie.areas.roles import Role
    from jijie.audit.actors import SYSTEM
    from jijie.responses.models import Response
    from jijie.responses.services import do_response_activate
    from jijie.testing import services
    from jijie.testing.models import Round, Site

    district = Area.objects.get(code=DISTRICT_CODE)
    scope = small_street or district
    today = timezone.localdate()
    response = Response.objects.filter(area=district, name=RESPONSE).first()
    if response is None:
        response = do_response_activate(actor=SYSTEM, area=district, name=RESPONSE, level="2")
    round_ = Round.objects.filter(response=response, name=ROUND).first()
    if round_ is None:
        round_ = services.do_round_open(
            actor=SYSTEM,
            response=response,
            area=district,
            data=services.RoundData(ROUND, today, today, TUBE_SIZE),
        )
    elif round_.starts_on != today:  # a database loaded on another day: its day is today
        Round.objects.filter(pk=round_.pk).update(starts_on=today, ends_on=today)
        round_.refresh_from_db()
    communities = list(
        Area.objects.filter(
            path__startswith=scope.path, kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]
        ).order_by("path")
    )
    grids: dict[str, list[Any]] = defaultdict(list)
    for grid in Area.objects.filter(path__startswith=scope.path, kind=AreaKind.GRID).order_by(
        "path"
    ):
        grids[grid.path[:16]].append(grid)
    if not Site.objects.filter(round=round_).exists():
        for n in range(SITES):
            community = communities[n % len(communities)]
            nth = n // len(communities)
            grid = grids[community.path][nth % len(grids[community.path])]
            services.do_site_add(
                actor=SYSTEM,
                round=round_,
                area=grid,
                data=services.SiteData(
                    f"{community.name}第{nth + 1}采样点", f"{grid.name}广场", LANES, OPENS, CLOSES
                ),
            )
    sites = list(Site.objects.filter(round=round_).select_related("round").order_by("pk"))
    names = {f"{USER_PREFIX}site{s.pk}": s for s in sites}
    names[f"{USER_PREFIX}command"] = district
    community = Area.objects.get(code=COMMUNITY_CODE) if small_street is None else communities[0]
    names[f"{USER_PREFIX}secretary"] = community
    known = set(User.objects.filter(username__in=names).values_list("username", flat=True))
    password = make_password(None)
    User.objects.bulk_create(
        User(username=name, full_name="核酸采样员" if "site" in name else "值班员",
             password=password)
        for name in names
        if name not in known
    )  # fmt: skip
    users = {u.username: u for u in User.objects.filter(username__in=names)}
    assignments = [
        RoleAssignment(
            user=users[f"{USER_PREFIX}site{s.pk}"],
            role=Role.COMMUNITY_WORKER,
            area=Area.objects.get(path=s.area_path[:16]),
        )
        for s in sites
    ]
    assignments += [
        RoleAssignment(user=users[f"{USER_PREFIX}command"], role=Role.COMMAND, area=district),
        RoleAssignment(
            user=users[f"{USER_PREFIX}secretary"], role=Role.COMMUNITY_SECRETARY, area=community
        ),
    ]
    RoleAssignment.objects.bulk_create(assignments, ignore_conflicts=True)
    lanes_by_community: dict[str, list[Lane]] = defaultdict(list)
    lanes: list[Lane] = []
    for site in sites:
        for number in range(1, site.lanes + 1):
            lane = Lane(site, number, users[f"{USER_PREFIX}site{site.pk}"])
            lanes_by_community[site.area_path[:16]].append(lane)
            lanes.append(lane)
    return SimpleNamespace(
        district=district,
        scope=scope,
        response=response,
        round=round_,
        sites=sites,
        lanes=lanes,
        lanes_by_community=dict(lanes_by_community),
        command=users[f"{USER_PREFIX}command"],
        secretary=users[f"{USER_PREFIX}secretary"],
        community=community,
    )


def _reset(world: SimpleNamespace) -> None:
    """Undo what an earlier run wrote (the live tubes and their samples, the results);
    its audit rows stay (the chain is append-only)."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM testing_labresult r USING testing_tube t WHERE r.tube_id = t.id"
            " AND t.round_id = %s",
            [world.round.pk],
        )
        cursor.execute(
            "DELETE FROM testing_sample s USING testing_tube t WHERE s.tube_id = t.id"
            " AND t.round_id = %s AND t.barcode LIKE %s",
            [world.round.pk, LIVE + "%"],
        )
        cursor.execute(
            "DELETE FROM testing_tube WHERE round_id = %s AND barcode LIKE %s",
            [world.round.pk, LIVE + "%"],
        )


def _queues(world: SimpleNamespace) -> None:
    """Each lane's queue: the people of its community not sampled in the round and not
    exempt, dealt out to the community's lanes."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.id, p.area_path FROM residents_person p WHERE p.area_path LIKE %s"
            " AND NOT EXISTS (SELECT 1 FROM testing_sample s WHERE s.round_id = %s"
            " AND s.person_id = p.id) AND NOT EXISTS (SELECT 1 FROM testing_exemption e"
            " WHERE e.round_id = %s AND e.person_id = p.id) ORDER BY p.area_path, p.id",
            [world.scope.path + "%", world.round.pk, world.round.pk],
        )
        waiting: dict[str, list[int]] = defaultdict(list)
        for pk, path in cursor.fetchall():
            waiting[path[:16]].append(pk)
    for community, lanes in world.lanes_by_community.items():
        for index, lane in enumerate(lanes):
            lane.queue = waiting.get(community, [])[index :: len(lanes)]


# 1. Registration ---------------------------------------------------------------------


def _open_tubes(world: SimpleNamespace, prefix: str) -> dict[str, tuple[int, int]]:
    """Each lane's current tube, part-filled (0–9 people) before the window, copied in
    as the day's tubes are: lane → (the tube's number, its people so far)."""
    from django.db import transaction
    from django.utils import timezone

    now = timezone.now()
    opened: dict[str, tuple[int, int]] = {}
    tubes: list[Any] = []
    samples: list[Any] = []
    with transaction.atomic():
        for index, lane in enumerate(world.lanes):
            size = index % TUBE_SIZE
            opened[lane.key] = (1, size)
            if not size:
                continue
            people = [(pk, "") for pk in lane.queue[:size]]
            del lane.queue[:size]
            times = [now - timedelta(seconds=EVERY_S * (size - n)) for n in range(size)]
            lane_tubes, lane_samples = _tubes_of(world.round.pk, lane, prefix, people, times)
            lane_tubes[0][8] = None  # still open
            tubes += lane_tubes
            samples += lane_samples
        paths = _paths_of([s[2] for s in samples])
        samples = [(*s[:3], paths[s[2]], *s[4:]) for s in samples]
        _copy("testing_tube", TUBE_COLUMNS, [tuple(t) for t in tubes])
        _copy("testing_sample", SAMPLE_COLUMNS, samples)
    return opened


def _paths_of(person_ids: list[int]) -> dict[int, str]:
    from jijie.residents.models import Person

    return dict(Person.objects.filter(pk__in=person_ids).values_list("pk", "area_path"))


def drive(
    lanes: list[Lane], register: Callable[[Lane, int], None], window_s: float, next_k: list[int]
) -> dict[str, Any]:
    """Every lane registering its next person every EVERY_S seconds for `window_s`, its
    start spread over the first EVERY_S seconds, by WORKERS threads each with its own
    connection; each registration started at its due time and timed alone. `next_k`:
    each lane's next place in its queue, moved on."""
    from django.db import connection

    began = time.perf_counter() + 1.0
    jobs = []
    for index in range(len(lanes)):
        phase = EVERY_S * index / len(lanes)
        k = 0
        while phase + k * EVERY_S < window_s:
            jobs.append((began + phase + k * EVERY_S, index, next_k[index] + k))
            k += 1
        next_k[index] += k
    jobs.sort()
    taken = iter(jobs)
    lock = threading.Lock()
    times: list[float] = []
    late: list[float] = []
    errors: list[str] = []

    def worker() -> None:
        try:
            while True:
                with lock:
                    job = next(taken, None)
                if job is None:
                    return
                due, index, k = job
                wait = due - time.perf_counter()
                if wait > 0:
                    time.sleep(wait)
                start = time.perf_counter()
                register(lanes[index], k)
                end = time.perf_counter()
                with lock:
                    times.append((end - start) * 1000)
                    late.append(max(0.0, start - due) * 1000)
        except Exception as error:  # reported: the run fails below
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:3]
    return {"times": times, "late": late, "offered": len(jobs),
            "elapsed_s": time.perf_counter() - began}  # fmt: skip


def combined(segments: list[dict[str, Any]]) -> dict[str, Any]:
    """The windows' registrations timed together."""
    times = [t for s in segments for t in s["times"]]
    late = sorted(t for s in segments for t in s["late"])
    elapsed = sum(s["elapsed_s"] for s in segments)
    window = SEGMENT_S * len(segments)
    out = _summary(times)
    out.update(
        {
            "registrations": len(times),
            "window_s": window,
            "elapsed_s": round(elapsed, 1),
            "offered_per_s": round(sum(s["offered"] for s in segments) / window, 2),
            "achieved_per_s": round(len(times) / elapsed, 2),
            "start_late_p99_ms": round(late[max(int(len(late) * 0.99) - 1, 0)], 1),
            "start_late_max_ms": round(late[-1], 1),
        }
    )
    return out


def floor_register(
    *,
    user_id: int,
    username: str,
    round_: Any,
    site_id: int,
    site_path: str,
    barcode: str,
    person_id: int,
    person_path: str,
    client_ref: uuid.UUID,
    retest_reason: str = "",
) -> tuple[int, bool]:
    """A sample registered by hand: the role over the site, the tube opened and locked,
    the person's row held, the replay, the tube's state, the person's earlier samples,
    the sample, the round's coverage counters (a first sample: tested, and no longer
    excused), the tube's size and seal, the audit row. (sample id, created)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from jijie.areas.access import Action, roles_with
    from jijie.testing.services import BARCODE

    code = barcode.strip().upper()
    if not BARCODE.fullmatch(code):
        raise RefusedError("barcode")
    now = timezone.now()
    if not round_.starts_on <= timezone.localdate(now) <= round_.ends_on:
        raise RefusedError("taken_at")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT 1 FROM accounts_roleassignment r JOIN areas_area a ON a.id = r.area_id"
            " WHERE r.user_id = %s AND r.role = ANY(%s) AND left(%s, length(a.path)) = a.path"
            " LIMIT 1",
            [user_id, list(roles_with(Action.TESTING_SAMPLE)), site_path],
        )
        if cursor.fetchone() is None:
            raise RefusedError("access")
        cursor.execute(
            "INSERT INTO testing_tube (round_id, site_id, area_path, barcode, capacity, size,"
            " opened_at) VALUES (%s, %s, %s, %s, %s, 0, %s)"
            " ON CONFLICT (round_id, barcode) DO NOTHING",
            [round_.pk, site_id, site_path, code, round_.tube_size, now],
        )
        cursor.execute(
            "SELECT id, site_id, size, capacity, sealed_at FROM testing_tube"
            " WHERE round_id = %s AND barcode = %s FOR UPDATE",
            [round_.pk, code],
        )
        tube_id, tube_site, size, capacity, sealed_at = cursor.fetchone()
        cursor.execute(
            "SELECT 1 FROM residents_person WHERE id = %s FOR NO KEY UPDATE", [person_id]
        )
        cursor.execute("SELECT id FROM testing_sample WHERE client_ref = %s", [client_ref])
        stored = cursor.fetchone()
        if stored is not None:
            return stored[0], False
        if tube_site != site_id:
            raise RefusedError("other site")
        if sealed_at is not None:
            raise RefusedError("sealed")
        if size >= capacity:
            raise RefusedError("full")
        cursor.execute(
            "SELECT tube_id FROM testing_sample WHERE round_id = %s AND person_id = %s",
            [round_.pk, person_id],
        )
        earlier = [row[0] for row in cursor.fetchall()]
        if tube_id in earlier:
            raise RefusedError("in this tube")
        if earlier and not retest_reason:
            raise RefusedError("retest")
        cursor.execute(
            "INSERT INTO testing_sample (round_id, tube_id, person_id, area_path, taken_at,"
            " retest_reason, client_ref, taken_by_id, taken_by_label)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s) RETURNING id",
            [round_.pk, tube_id, person_id, person_path, now, retest_reason, client_ref,
             user_id, username],
        )  # fmt: skip
        sample_id = cursor.fetchone()[0]
        if not earlier:
            cursor.execute(
                "INSERT INTO testing_roundcoverage (round_id, area_path, tested, excused)"
                " VALUES (%s, %s, 1, 0) ON CONFLICT (round_id, area_path)"
                " DO UPDATE SET tested = testing_roundcoverage.tested + 1",
                [round_.pk, person_path],
            )
            cursor.execute(
                "SELECT area_path FROM testing_exemption WHERE round_id = %s AND person_id = %s"
                " AND reason <> 'bedridden'",
                [round_.pk, person_id],
            )
            excused = cursor.fetchone()
            if excused is not None:
                cursor.execute(
                    "UPDATE testing_roundcoverage SET excused = excused - 1"
                    " WHERE round_id = %s AND area_path = %s",
                    [round_.pk, excused[0]],
                )
        cursor.execute(
            "UPDATE testing_tube SET size = %s, sealed_at = %s WHERE id = %s",
            [size + 1, now if size + 1 == capacity else None, tube_id],
        )
        _audit(
            cursor, user_id, username, "testing.sample_register", "testing.tube", tube_id,
            site_path, {"retest": bool(retest_reason)},
        )  # fmt: skip
    return sample_id, True


def _audit(
    cursor: Any,
    user_id: int,
    username: str,
    action: str,
    target_type: str,
    target_id: int,
    area_path: str,
    data: dict[str, Any],
) -> None:
    """An audit row by hand, as `audit_record` appends it: the chain's head held, the
    row hashed, appended, the head moved on (bench/reports.py's floor does the same)."""
    from django.utils import timezone

    from jijie.audit.models import AuditEvent
    from jijie.audit.services import compute_hash

    cursor.execute("SELECT last_seq, last_hash FROM accounts_audithead WHERE id = 1 FOR UPDATE")
    seq, prev = cursor.fetchone()
    event = AuditEvent(
        seq=seq + 1, at=timezone.now(), actor_id=user_id, actor_label=username, action=action,
        target_type=target_type, target_id=str(target_id), area_path=area_path, reason="",
        ip_address=None, data=data,
    )  # fmt: skip
    digest = compute_hash(event, prev)
    cursor.execute(
        "INSERT INTO accounts_auditevent (seq, at, actor_id, actor_label, action, target_type,"
        " target_id, area_path, reason, ip_address, data, prev_hash, hash)"
        " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', NULL, %s, %s, %s)",
        [event.seq, event.at, user_id, username, action, target_type, event.target_id,
         area_path, json.dumps(data), prev, digest],
    )  # fmt: skip
    cursor.execute(
        "UPDATE accounts_audithead SET last_seq = %s, last_hash = %s WHERE id = 1",
        [event.seq, digest],
    )


def _registered(sample_id: int) -> tuple[Any, ...]:
    """A stored registration as it can be compared: the sample, its tube, its audit row."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.round_id, s.person_id, s.area_path, s.retest_reason, s.taken_by_id,"
            " s.taken_by_label, s.client_ref IS NOT NULL, t.site_id, t.area_path, t.capacity,"
            " t.size, t.sealed_at IS NOT NULL, t.id FROM testing_sample s"
            " JOIN testing_tube t ON t.id = s.tube_id WHERE s.id = %s",
            [sample_id],
        )
        *sample, tube_id = cursor.fetchone()
        cursor.execute(
            "SELECT actor_id, actor_label, action, target_type, area_path, reason, ip_address,"
            " data FROM accounts_auditevent WHERE target_type = 'testing.tube'"
            " AND target_id = %s ORDER BY seq DESC LIMIT 1",
            [str(tube_id)],
        )
        return (*sample, cursor.fetchone())


# 2. Results --------------------------------------------------------------------------


def lab_file(round_id: int, rng: random.Random) -> tuple[bytes, list[str]]:
    """The lab's .xlsx: a title, the header, one row a tube of the round (in the lab's
    order, by barcode), 阴性 but for POSITIVES tubes. (the file, the positive barcodes)."""
    from openpyxl import Workbook

    from jijie.testing.models import Tube

    codes = list(Tube.objects.filter(round_id=round_id).order_by("barcode").values_list(
        "barcode", flat=True))  # fmt: skip
    positive = set(rng.sample(codes, POSITIVES))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("检测结果")
    sheet.append(["惠城区全员核酸检测结果(基准测试)"])
    sheet.append(["序号", "管码", "检测结果", "检测机构"])
    for n, code in enumerate(codes, 1):
        sheet.append([n, code, "阳性" if code in positive else "阴性", "市第一检测中心"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue(), sorted(positive)


LAB_RESULTS = {"阴性": "negative", "阳性": "positive"}


def _rows_from(cells: Any) -> list[tuple[str, str]]:
    """The file's (barcode, result) rows under its header, checked: a barcode, a result,
    no tube twice."""
    from jijie.testing.services import BARCODE

    rows: list[tuple[str, str]] = []
    columns: tuple[int, int] | None = None
    seen: set[str] = set()
    for row in cells:
        if columns is None:
            labels = [str(c or "").strip() for c in row]
            if "管码" in labels and "检测结果" in labels:
                columns = labels.index("管码"), labels.index("检测结果")
            continue
        code = str(row[columns[0]] or "").strip().upper()
        result = LAB_RESULTS.get(str(row[columns[1]] or "").strip())
        if not BARCODE.fullmatch(code) or result is None or code in seen:
            raise RefusedError(code)
        seen.add(code)
        rows.append((code, result))
    return rows


def read_openpyxl(data: bytes) -> list[tuple[str, str]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        return _rows_from(book.worksheets[0].iter_rows(values_only=True))
    finally:
        book.close()


def read_calamine(data: bytes) -> list[tuple[str, str]]:
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0)
    return _rows_from(sheet.iter_rows())


def copy_rows(cursor: Any, rows: list[tuple[str, str]]) -> None:
    cursor.execute("CREATE TEMP TABLE lab_result (barcode text, result text) ON COMMIT DROP")
    with cursor.cursor.copy("COPY lab_result (barcode, result) FROM STDIN") as copy:
        # COPY's text in one write (a checked barcode holds no tab, newline or backslash)
        copy.write("".join(f"{code}\t{result}\n" for code, result in rows))


def floor_import(
    data: bytes, reader: Callable[[bytes], list[tuple[str, str]]], user: Any, round_: Any
) -> dict[str, Any]:
    """The lab's file by hand: read and checked, the round's tubes read with whether each
    has a result (one statement), every row's tube found and pending, the rows copied
    into the ledger in one write, the tubes still open sealed, the audit row."""
    from django.db import connection, transaction
    from django.utils import timezone

    rows = reader(data)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.barcode, t.id, t.sealed_at IS NULL, r.tube_id IS NOT NULL"
            " FROM testing_tube t LEFT JOIN testing_labresult r ON r.tube_id = t.id"
            " WHERE t.round_id = %s",
            [round_.pk],
        )
        tubes = {code: (pk, open_, done) for code, pk, open_, done in cursor.fetchall()}
        ids: list[int] = []
        unsealed: list[int] = []
        for code, _result in rows:
            found = tubes.get(code)
            if found is None or found[2]:
                raise RefusedError("unknown or changed since: " + code)
            ids.append(found[0])
            if found[1]:
                unsealed.append(found[0])
        at = now.isoformat()
        with cursor.cursor.copy(
            "COPY testing_labresult (tube_id, result, result_at) FROM STDIN"
        ) as copy:
            copy.write("".join(f"{pk}\t{r}\t{at}\n" for pk, (_c, r) in zip(ids, rows, strict=True)))
        if unsealed:
            cursor.execute(
                "UPDATE testing_tube SET sealed_at = %s WHERE id = ANY(%s) AND sealed_at IS NULL",
                [now, unsealed],
            )
        positive = sorted(code for code, result in rows if result == "positive")
        done = {"recorded": len(rows), "unchanged": 0, "positive": positive}
        _audit(
            cursor, user.pk, user.username, "testing.results_import", "testing.round",
            round_.pk, round_.area_path, done,
        )  # fmt: skip
    return done


def _results_state(round_id: int) -> tuple[Any, ...]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(r.result, 'pending'), count(*), count(t.sealed_at),"
            " count(r.result_at), count(DISTINCT r.result_at) FROM testing_tube t"
            " LEFT JOIN testing_labresult r ON r.tube_id = t.id WHERE t.round_id = %s"
            " GROUP BY 1 ORDER BY 1",
            [round_id],
        )
        by_result = cursor.fetchall()
        cursor.execute(
            "SELECT t.barcode FROM testing_tube t JOIN testing_labresult r ON r.tube_id = t.id"
            " WHERE t.round_id = %s AND r.result = 'positive' ORDER BY t.barcode",
            [round_id],
        )
        positives = [row[0] for row in cursor.fetchall()]
        cursor.execute(
            "SELECT action, target_type, target_id, area_path, data FROM accounts_auditevent"
            " ORDER BY seq DESC LIMIT 1"
        )
        return by_result, positives, cursor.fetchone()


def rolled_back_once(fn: Callable[[], Any]) -> float:
    """`fn` timed (ms) inside a transaction rolled back after it (its commit not timed).
    The rows a rolled-back run appended to the lab's ledger stay in its key as dead
    entries until vacuumed, and the next run's key checks would visit them: vacuumed
    first, as a ledger that was never written twice for the same tubes stands."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("VACUUM testing_labresult")
    with transaction.atomic():
        start = time.perf_counter()
        fn()
        took = (time.perf_counter() - start) * 1000
        transaction.set_rollback(True)
    return took


def timed(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def interleaved(timers: dict[str, Callable[[], float]], runs: int) -> dict[str, Any]:
    """Each timer once a turn, in turn, `runs` turns after one warm-up turn: the
    machine's drift meets every one of them alike."""
    samples: dict[str, list[float]] = {name: [] for name in timers}
    for turn in range(runs + 1):
        for name, timer in timers.items():
            took = timer()
            if turn:
                samples[name].append(took)
    return {name: _summary(taken) for name, taken in samples.items()}


# 3. The coverage page ----------------------------------------------------------------


def page_context(user: Any, round_id: int, code: str | None, depth_cap: int) -> dict[str, Any]:
    """What `round_detail` gives its template, read by hand: the user's roles, the round,
    the area, the coverage (one grouped statement over the buildings' kept counts of
    people, one over the round's kept counters), the areas' names, the sites, the
    positive tubes."""
    from django.db import connection

    from jijie.areas.access import Action, minimal_paths, roles_with
    from jijie.testing.forms import ResultsForm
    from jijie.testing.selectors import Coverage

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT r.role, a.path FROM accounts_roleassignment r"
            " JOIN areas_area a ON a.id = r.area_id WHERE r.user_id = %s",
            [user.pk],
        )
        held = cursor.fetchall()

        def paths(action: Any) -> list[str]:
            roles = roles_with(action)
            return minimal_paths(path for role, path in held if role in roles)

        view = paths(Action.TESTING_VIEW)
        cursor.execute(
            "SELECT r.id, r.name, r.starts_on, r.ends_on, r.tube_size, r.area_path, a.name"
            " FROM testing_round r JOIN areas_area a ON a.id = r.area_id WHERE r.id = %s",
            [round_id],
        )
        pk, name, starts_on, ends_on, tube_size, round_path, area_name = cursor.fetchone()
        assert any(round_path.startswith(p) or p.startswith(round_path) for p in view)
        round_ = SimpleNamespace(
            pk=pk, name=name, starts_on=starts_on, ends_on=ends_on, tube_size=tube_size,
            area=SimpleNamespace(name=area_name),
        )  # fmt: skip
        if code:
            cursor.execute("SELECT path, code, name, depth FROM areas_area WHERE code = %s", [code])
            path, code, unit_name, depth = cursor.fetchone()
            assert any(path.startswith(p) for p in view)
            assert path.startswith(round_path)
        else:
            cursor.execute(
                "SELECT path, code, name, depth FROM areas_area WHERE path = %s", [round_path]
            )
            path, code, unit_name, depth = cursor.fetchone()
            assert any(path.startswith(p) for p in view)
        unit = SimpleNamespace(path=path, code=code, name=unit_name)
        below = min(depth + 1, depth_cap)
        length = below * 4
        figures: dict[str, Coverage] = defaultdict(lambda: Coverage(""))
        cursor.execute(
            "SELECT substr(area_path, 1, %s), sum(people) FROM residents_buildinghouseholds"
            " WHERE area_path LIKE %s GROUP BY 1",
            [length, path + "%"],
        )
        for unit_path, n in cursor.fetchall():
            if n:
                figures[unit_path].people = n
        cursor.execute(
            "SELECT substr(area_path, 1, %s), sum(tested), sum(excused)"
            " FROM testing_roundcoverage WHERE round_id = %s AND area_path LIKE %s GROUP BY 1",
            [length, round_id, path + "%"],
        )
        for unit_path, tested, excused in cursor.fetchall():
            figures[unit_path].tested = tested
            figures[unit_path].excused = excused
        cursor.execute(
            "SELECT path, code, name FROM areas_area WHERE path LIKE %s AND depth = %s"
            " ORDER BY path",
            [path + "%", below],
        )
        areas = {p: SimpleNamespace(path=p, code=c, name=n) for p, c, n in cursor.fetchall()}
        rows = []
        total = Coverage(path)
        for unit_path, found in sorted(figures.items()):
            if unit_path in areas:
                found.path = unit_path
                rows.append((areas[unit_path], found))
                total.people += found.people
                total.excused += found.excused
                total.tested += found.tested
        parent = None
        if path != round_path and any(path[:-4].startswith(p) for p in view):
            cursor.execute("SELECT code, name FROM areas_area WHERE path = %s", [path[:-4]])
            found_parent = cursor.fetchone()
            parent = SimpleNamespace(code=found_parent[0], name=found_parent[1])
        cursor.execute(
            "SELECT id, name, place, lanes, opens_at, closes_at, area_path, post_id,"
            " transport_id FROM testing_site"
            " WHERE round_id = %s AND area_path LIKE %s ORDER BY name",
            [round_id, path + "%"],
        )
        sites = [
            SimpleNamespace(pk=i, name=n, place=pl, lanes=ln, opens_at=o, closes_at=c,
                            area_path=ap, post=post, transport=transport)
            for i, n, pl, ln, o, c, ap, post, transport in cursor.fetchall()
        ]  # fmt: skip
        # The bench's sites name no duty posts: no one on shift to list.
        assert all(s.post is None and s.transport is None for s in sites)
        sample = paths(Action.TESTING_SAMPLE)
        cursor.execute(
            "SELECT t.id, t.barcode, t.size, s.name FROM testing_tube t"
            " JOIN testing_site s ON s.id = t.site_id"
            " JOIN testing_labresult r ON r.tube_id = t.id AND r.result = 'positive'"
            " WHERE t.round_id = %s AND t.area_path LIKE %s ORDER BY r.result_at DESC"
            " LIMIT 50",
            [round_id, path + "%"],
        )
        positives = [
            SimpleNamespace(pk=i, barcode=b, size=n, site=SimpleNamespace(name=s))
            for i, b, n, s in cursor.fetchall()
        ]
    manage = paths(Action.TESTING_MANAGE)
    return {
        "round": round_,
        "unit": unit,
        "parent": parent,
        "rows": rows,
        "total": total,
        "drill": below < depth_cap,
        "sites": sites,
        "sampling": {s.pk for s in sites if any(s.area_path.startswith(p) for p in sample)},
        "site_rows": [(s, [], []) for s in sites],
        "adds_sites": any(path.startswith(p) for p in manage),
        "positives": positives,
        "manages": any(round_path.startswith(p) for p in manage),
        "results_form": ResultsForm(),
    }


def counted_from_rows(round_id: int, path: str, length: int) -> dict[str, tuple[int, int, int]]:
    """The same coverage counted from the rows themselves, as the page counted it before
    it kept counters (people, distinct people sampled, the excused not sampled; one
    grouped statement each): not a floor, the cost the counters save, timed beside."""
    from django.db import connection

    found: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    with connection.cursor() as cursor:
        for column, sql, params in (
            (0, "SELECT substr(area_path, 1, %s), count(*) FROM residents_person"
                " WHERE area_path LIKE %s GROUP BY 1", [length, path + "%"]),
            (1, "SELECT substr(area_path, 1, %s), count(DISTINCT person_id) FROM testing_sample"
                " WHERE round_id = %s AND area_path LIKE %s GROUP BY 1",
             [length, round_id, path + "%"]),
            (2, "SELECT substr(e.area_path, 1, %s), count(*) FROM testing_exemption e"
                " WHERE e.round_id = %s AND e.area_path LIKE %s AND e.reason <> 'bedridden'"
                " AND NOT EXISTS (SELECT 1 FROM testing_sample s WHERE s.round_id = e.round_id"
                " AND s.person_id = e.person_id) GROUP BY 1", [length, round_id, path + "%"]),
        ):  # fmt: skip
            cursor.execute(sql, params)
            for unit_path, n in cursor.fetchall():
                found[unit_path][column] = n
    return {p: (a, b, c) for p, (a, b, c) in found.items()}


CSRF_TOKEN = re.compile(r"\b[A-Za-z0-9]{64}\b")


def _same_html(page: str, floor: str) -> bool | str:
    page, floor = CSRF_TOKEN.sub("…", page), CSRF_TOKEN.sub("…", floor)
    if page == floor:
        return True
    at = next(
        (i for i, (a, b) in enumerate(zip(page, floor, strict=False)) if a != b),
        min(len(page), len(floor)),
    )
    return f"page {page[at - 80 : at + 80]!r} / floor {floor[at - 80 : at + 80]!r}"


# The run -----------------------------------------------------------------------------


def main() -> None:
    setup_django()
    from django.conf import settings
    from django.contrib.messages.storage import default_storage
    from django.core.exceptions import ValidationError
    from django.db import connection, transaction
    from django.template.loader import render_to_string
    from django.test import Client, RequestFactory
    from django.utils import translation

    from jijie.accounts.models import User
    from jijie.areas.demo import CITY, build
    from jijie.areas.models import KIND_DEPTH, Area, AreaKind
    from jijie.audit.services import verify_chain
    from jijie.core.demo import DemoContext
    from jijie.residents import demo as residents_demo
    from jijie.residents.models import Household, Person
    from jijie.testing import counters, imports, services
    from jijie.testing.models import Exemption, Round, Sample, Site, Tube

    load_at_start = [round(x, 2) for x in os.getloadavg()]
    rng = random.Random(2020)
    built: dict[str, float] = {}
    city = Area.objects.filter(code=CITY[0]).first()
    if city is None:
        began = time.perf_counter()
        city = build("seed", 2020)
        built["tree_s"] = round(time.perf_counter() - began, 1)
    district = Area.objects.get(code=DISTRICT_CODE)
    street = (
        Area.objects.filter(path__startswith=district.path, kind=AreaKind.STREET)
        .order_by("path")
        .first()
        if SMALL
        else None
    )
    if not Household.objects.exists():
        began = time.perf_counter()
        ctx = DemoContext(scale="seed", seed=2020, out=print)
        buildings = list(
            Area.objects.filter(path__startswith=city.path, kind="building").order_by("path")
        )
        residents_demo.build(ctx, buildings, street.path if street else None)
        built["households_and_people_s"] = round(time.perf_counter() - began, 1)
        print(built, flush=True)
    if "--reload" in sys.argv:
        found = Round.objects.filter(name=ROUND).first()
        if found is not None:
            Sample.objects.filter(round=found).delete()
            Tube.objects.filter(round=found).delete()
            Exemption.objects.filter(round=found).delete()
            Site.objects.filter(round=found).delete()
            found.delete()
    world = _world(street)
    round_ = world.round
    loaded = None
    results: dict[str, Any] = {}
    checks: dict[str, str] = {}
    _reset(world)
    if not Tube.objects.filter(round=round_).exists():
        loaded = _load(world, rng)
        print(loaded, flush=True)
    # The copied day (and an earlier run's live samples, deleted) bypassed the counters.
    began = time.perf_counter()
    with transaction.atomic():
        corrected = counters.rebuild(round_)
    results["counters_rebuild"] = {
        "s": round(time.perf_counter() - began, 1),
        "buildings_corrected": corrected,
    }
    print("counters", results["counters_rebuild"], flush=True)
    sizes = {
        "people": Person.objects.filter(area_path__startswith=world.scope.path).count(),
        "samples": Sample.objects.filter(round=round_).count(),
        "tubes": Tube.objects.filter(round=round_).count(),
        "exemptions": Exemption.objects.filter(round=round_).count(),
        "sites": len(world.sites),
        "lanes": len(world.lanes),
    }
    print(sizes, flush=True)

    # 1. Registration under load ------------------------------------------------------
    _queues(world)
    lanes = world.lanes
    users = {
        lane.key: (User.objects.get(pk=lane.user.pk), User.objects.get(pk=lane.user.pk))
        for lane in lanes
    }
    people = {
        p.pk: p for p in Person.objects.filter(pk__in=[pk for lane in lanes for pk in lane.queue])
    }
    product_tubes = _open_tubes(world, LIVE + "P")
    floor_tubes = _open_tubes(world, LIVE + "F")
    with transaction.atomic():  # the part-filled tubes were copied in, past the counters
        counters.rebuild(round_)
    per_lane = SEGMENTS * (int(SEGMENT_S // EVERY_S) + 1)
    product_queue = {lane.key: lane.queue[:per_lane] for lane in lanes}
    floor_queue = {lane.key: lane.queue[per_lane : 2 * per_lane] for lane in lanes}
    assert all(len(q) == per_lane for q in floor_queue.values()), "queues too short"
    spare = [pk for lane in lanes for pk in lane.queue[2 * per_lane :]]

    def code(prefix: str, lane: Lane, opened: dict[str, tuple[int, int]], k: int) -> str:
        number, size = opened[lane.key]
        return f"{prefix}{lane.key}-{number + (size + k) // TUBE_SIZE:05d}"

    def product_register(lane: Lane, k: int) -> None:
        user = users[lane.key][0]
        vars(user).pop("_jijie_assignments", None)  # read afresh, as by a new request
        done = services.sample_register(
            actor=user,
            site=lane.site,
            barcode=code(LIVE + "P", lane, product_tubes, k),
            person=people[product_queue[lane.key][k]],
            client_ref=uuid.uuid4(),
        )
        assert done.created

    def floor_call(lane: Lane, k: int) -> tuple[int, bool]:
        user = users[lane.key][1]
        person = people[floor_queue[lane.key][k]]
        return floor_register(
            user_id=user.pk, username=user.username, round_=lane.site.round,
            site_id=lane.site.pk, site_path=lane.site.area_path,
            barcode=code(LIVE + "F", lane, floor_tubes, k), person_id=person.pk,
            person_path=person.area_path, client_ref=uuid.uuid4(),
        )  # fmt: skip

    def floor_registered(lane: Lane, k: int) -> None:
        assert floor_call(lane, k)[1]

    # The floor gives the product's answer: two twin registrations, each into its own
    # tube (the first person of a fresh tube, then one who seals a tube of 10), compared
    # row for row; both refuse a retest without a reason and a full tube.
    twin_site = lanes[0].site
    twin_user = users[lanes[0].key][0]
    for size in (0, TUBE_SIZE - 1):
        pair = []
        for who in ("P", "F"):
            barcode = f"{LIVE}{who}CHK{size}-00001"
            for _n in range(size):
                filler = Person.objects.get(pk=spare.pop())
                services.do_sample_register(
                    actor=twin_user, site=twin_site, barcode=barcode, person=filler
                )
            person = Person.objects.get(pk=spare.pop())
            if who == "P":
                vars(twin_user).pop("_jijie_assignments", None)
                sample_id = services.sample_register(
                    actor=twin_user, site=twin_site, barcode=barcode, person=person,
                    client_ref=uuid.uuid4(),
                ).sample.pk  # fmt: skip
            else:
                sample_id = floor_register(
                    user_id=twin_user.pk, username=twin_user.username, round_=round_,
                    site_id=twin_site.pk, site_path=twin_site.area_path, barcode=barcode,
                    person_id=person.pk, person_path=person.area_path, client_ref=uuid.uuid4(),
                )[0]  # fmt: skip
            row = _registered(sample_id)
            assert row[1:3] == (person.pk, person.area_path), row
            pair.append(row[:1] + row[3:])  # the person's own aside
        assert pair[0] == pair[1], pair
    sealed = Tube.objects.get(round=round_, barcode=f"{LIVE}PCHK{TUBE_SIZE - 1}-00001")
    assert sealed.size == TUBE_SIZE
    assert sealed.sealed_at is not None
    again = (
        Sample.objects.filter(round=round_, tube__barcode__startswith="T")
        .select_related("person")
        .first()
        .person
    )
    refusals = []
    for barcode in (f"{LIVE}PCHK0-00001", f"{LIVE}PCHK{TUBE_SIZE - 1}-00001"):
        try:
            services.do_sample_register(
                actor=twin_user, site=twin_site, barcode=barcode, person=again
            )
        except ValidationError as error:
            product_said = sorted(error.message_dict)
        try:
            floor_register(
                user_id=twin_user.pk, username=twin_user.username, round_=round_,
                site_id=twin_site.pk, site_path=twin_site.area_path, barcode=barcode,
                person_id=again.pk, person_path=again.area_path, client_ref=uuid.uuid4(),
            )  # fmt: skip
        except RefusedError as error:
            refusals.append((product_said, str(error)))
    assert refusals == [(["retest_reason"], "retest"), (["barcode"], "sealed")], refusals
    checks["register"] = (
        "the floor's sample, tube and audit row equal to the product's (a fresh tube, a tube "
        "sealed by its tenth person); both refuse a retest without a reason and a sealed tube"
    )
    print("registration checked", flush=True)

    load_before = [round(x, 2) for x in os.getloadavg()]
    segments: dict[str, list[dict[str, Any]]] = {"register": [], "register_floor": []}
    next_k = {"register": [0] * len(lanes), "register_floor": [0] * len(lanes)}
    for _segment in range(SEGMENTS):  # the product's and the floor's windows in turn
        for name, register in (
            ("register", product_register),
            ("register_floor", floor_registered),
        ):
            segments[name].append(drive(lanes, register, SEGMENT_S, next_k[name]))
            print(name, _summary(segments[name][-1]["times"]), flush=True)
    results["register"] = combined(segments["register"])
    results["register_floor"] = combined(segments["register_floor"])
    load_after = [round(x, 2) for x in os.getloadavg()]
    for prefix in ("P", "F"):
        seals = Tube.objects.filter(
            round=round_, barcode__startswith=LIVE + prefix, sealed_at__isnull=False
        ).exclude(barcode__contains="CHK")
        results["register" if prefix == "P" else "register_floor"]["tubes_sealed"] = seals.count()
    problems = list(verify_chain())
    assert not problems, problems[:3]
    checks["audit_chain"] = "the audit chain verifies after both (every row's hash and link)"
    with transaction.atomic():
        wrong = counters.rebuild(round_)
    assert wrong == 0, wrong
    checks["counters"] = (
        "the round's kept coverage counters equal a recount from the rows after both"
        " (the product's and the floor's registrations each keep them)"
    )

    # 2. The lab's results ------------------------------------------------------------
    command = User.objects.get(pk=world.command.pk)
    data, positives = lab_file(round_.pk, rng)
    # A served worker freezes what it loaded (config/wsgi.py); the bench's own long-lived
    # data (the world, the lanes, the file) is frozen alike, for the product and floor.
    gc.freeze()
    with connection.cursor() as cursor:
        # the registrations above (and an earlier run's) leave dead rows behind; a
        # working database's autovacuum would have cleared them
        cursor.execute("VACUUM ANALYZE testing_tube")
        cursor.execute("VACUUM ANALYZE testing_labresult")
    tubes = Tube.objects.filter(round=round_).count()

    def product_import() -> Any:
        vars(command).pop("_jijie_assignments", None)
        return imports.results_import(actor=command, round=round_, data=data)

    states = []
    for run in (product_import, lambda: floor_import(data, read_calamine, command, round_)):
        with transaction.atomic():
            run()
            states.append(_results_state(round_.pk))
            transaction.set_rollback(True)
    (p_by, p_pos, p_audit), (f_by, f_pos, f_audit) = states
    assert p_by == f_by, (p_by, f_by)
    assert p_pos == f_pos == positives, (p_pos, f_pos)
    assert p_audit == f_audit, (p_audit, f_audit)
    assert read_openpyxl(data) == read_calamine(data)
    assert len(read_calamine(data)) == tubes
    checks["import"] = (
        f"the floor's tubes equal to the product's ({tubes:,} tubes: by result, sealed, result "
        "time; the positives), the same audit row (its data); both readers read the same rows"
    )
    print("import checked", flush=True)
    # openpyxl, twenty times slower, is measured apart, to be sure it is not the faster
    read_openpyxl_ms = measure(lambda: read_openpyxl(data), runs=2, warmup=0)
    rows = read_calamine(data)

    def bare_copy() -> None:
        with connection.cursor() as cursor:
            copy_rows(cursor, rows)

    turns = interleaved(
        {
            "product": lambda: rolled_back_once(product_import),
            "floor": lambda: rolled_back_once(
                lambda: floor_import(data, read_calamine, command, round_)
            ),
            "read_calamine": lambda: timed(lambda: read_calamine(data)),
            "copy": lambda: rolled_back_once(bare_copy),
        },
        IMPORT_RUNS,
    )
    read_calamine_ms = turns["read_calamine"]
    assert read_calamine_ms["median_ms"] <= read_openpyxl_ms["median_ms"]
    results["import"] = {
        "file_bytes": len(data),
        "rows": len(rows),
        "product": turns["product"],
        "floor": turns["floor"],
        "read_openpyxl": read_openpyxl_ms,
        "read_calamine": read_calamine_ms,
        "floor_reader": "read_calamine",
        "copy": turns["copy"],
    }
    read_ms = min(read_openpyxl_ms["median_ms"], read_calamine_ms["median_ms"])
    results["import"]["read_plus_copy_ms"] = round(
        read_ms + results["import"]["copy"]["median_ms"], 3
    )
    print("import", results["import"], flush=True)
    product_import()  # kept: the page lists the positive tubes
    results["import"]["committed_positive"] = len(positives)

    # 3. The coverage page --------------------------------------------------------------
    session_store = import_module(settings.SESSION_ENGINE).SessionStore
    factory = RequestFactory()
    url = f"/testing/rounds/{round_.pk}/"
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE testing_tube")
        cursor.execute("ANALYZE testing_sample")
        cursor.execute("ANALYZE testing_labresult")
    for label, user, params in (
        ("district", world.command, {}),
        ("community", world.secretary, {"area": world.community.code}),
    ):
        client = Client()
        client.force_login(user)
        floor_user = User.objects.get(pk=user.pk)
        session_key = client.session.session_key

        def signed_in(params: dict[str, str] = params, floor_user: Any = floor_user,
                      session_key: str = session_key) -> Any:  # fmt: skip
            request = factory.get(url, params)
            vars(floor_user).pop("_jijie_assignments", None)
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

        def data_floor(floor_user: Any = floor_user, params: dict[str, str] = params) -> Any:
            return page_context(
                floor_user, round_.pk, params.get("area"), KIND_DEPTH[AreaKind.BUILDING]
            )

        def page_floor(params: dict[str, str] = params, signed_in: Any = signed_in,
                       floor_user: Any = floor_user) -> str:  # fmt: skip
            request = signed_in()
            context = page_context(
                floor_user, round_.pk, params.get("area"), KIND_DEPTH[AreaKind.BUILDING]
            )
            return render_to_string("testing/round.html", context, request)

        began = time.perf_counter()
        product = page()
        once_ms = (time.perf_counter() - began) * 1000
        same = _same_html(product, page_floor())
        assert same is True, (label, same)
        checks[f"page_{label}"] = "the floor's HTML equal to the page's (CSRF tokens aside)"
        context = data_floor()
        length = len(context["rows"][0][1].path)
        rows_counted = counted_from_rows(round_.pk, context["unit"].path, length)
        assert {
            found.path: (found.people, found.tested, found.excused) for _a, found in context["rows"]
        } == {p: n for p, n in rows_counted.items() if p in {f.path for _a, f in context["rows"]}}
        checks[f"counters_{label}"] = (
            "the page's kept counts equal a count of the rows (people, distinct people"
            " sampled, the excused not sampled) for every row"
        )
        results[f"page_{label}"] = {
            "bytes": len(product),
            "rows": len(context["rows"]),
            "to_test": context["total"].to_test,
            "tested": context["total"].tested,
            # a page of seconds is timed fewer times (warmed by the check's request)
            "page": measure(page, runs=PAGE_RUNS, warmup=3)
            if once_ms < SLOW_PAGE_MS
            else measure(page, runs=SLOW_PAGE_RUNS, warmup=0),
            "floor": measure(page_floor, runs=PAGE_RUNS),
            "data_floor": measure(data_floor, runs=PAGE_RUNS),
            "counted_from_rows": measure(
                lambda unit=context["unit"].path, length=length: counted_from_rows(
                    round_.pk, unit, length
                ),
                runs=10,
            ),
        }
        print(label, results[f"page_{label}"], flush=True)

    reg, reg_floor = results["register"], results["register_floor"]
    imp = results["import"]
    ratios = {
        "register_p99": ratio(reg, reg_floor, "p99_ms"),
        "register_median": ratio(reg, reg_floor),
        "import": ratio(imp["product"], imp["floor"]),
        "import_to_read_plus_copy": round(
            imp["product"]["median_ms"] / imp["read_plus_copy_ms"], 2
        ),
        "page_district": ratio(results["page_district"]["page"], results["page_district"]["floor"]),
        "page_community": ratio(
            results["page_community"]["page"], results["page_community"]["floor"]
        ),
    }
    goals = {
        "register_p99_ms": GOAL_REGISTER_P99_MS,
        "import_times_read_plus_copy": GOAL_IMPORT_TIMES,
        "page_p95_ms": GOAL_PAGE_MS,
    }
    met = {
        "register": reg["p99_ms"] <= GOAL_REGISTER_P99_MS,
        "import": ratios["import_to_read_plus_copy"] <= GOAL_IMPORT_TIMES,
        "page_district": results["page_district"]["page"]["p95_ms"] <= GOAL_PAGE_MS,
        "page_community": results["page_community"]["page"]["p95_ms"] <= GOAL_PAGE_MS,
    }
    data_out = {
        "machine": {
            **machine(),
            "load_average_at_start": load_at_start,
            "load_average_before_registration": load_before,
            "load_average_after_registration": load_after,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        },
        "scale": "one street" if SMALL else "seed district",
        "built": built or None,
        "loaded": loaded,
        "sizes": sizes,
        "window_s": WINDOW_S,
        "workers": WORKERS,
        "results": results,
        "ratios": ratios,
        "goals": goals,
        "met": met,
        "checks": checks,
    }
    write("testing_round", data_out, _markdown(data_out))


def _markdown(f: dict[str, Any]) -> str:
    m, s, r, q, met = f["machine"], f["sizes"], f["results"], f["ratios"], f["met"]
    reg, reg_floor, imp = r["register"], r["register_floor"], r["import"]

    def yes(ok: bool) -> str:
        return "yes" if ok else "NO"

    lines = [
        "# bench/testing_round.py",
        "",
        f"{m['when']} · {m['database']} · {m['cpus']} CPUs · load average at start "
        f"{m['load_average_at_start']}, before/after the registrations "
        f"{m['load_average_before_registration']} / {m['load_average_after_registration']}, "
        f"at end {m['load_average_at_end']}",
        "",
        f"A round over the {f['scale']}: {s['people']:,} people, {s['samples']:,} samples in "
        f"{s['tubes']:,} tubes of 10, {s['exemptions']:,} exemptions, {s['sites']} sites × 2 "
        f"lanes.",
        "",
    ]
    if f["loaded"]:
        lo = f["loaded"]
        lines += [
            f"Loaded in this run: {lo['sampled']:,} samples in {lo['tubes']:,} tubes and "
            f"{lo['exempt']:,} exemptions copied in {lo['copy_s']} s "
            f"({lo['held_back']:,} people held back).",
            "",
        ]
    lines += [
        "## Registration under load",
        "",
        f"{s['lanes']} lanes, one person every {EVERY_S} s each (offered "
        f"{reg['offered_per_s']}/s), for {f['window_s']} s, {f['workers']} threads each with "
        f"its own connection; the window in {SEGMENTS} turns of {SEGMENT_S:g} s, the product's "
        "and the floor's in turn. Time of each call; late start: how long after its due time "
        "a call began.",
        "",
        "| what | registrations | achieved /s | median ms | p95 ms | p99 ms | max ms | "
        "late start p99 ms | tubes sealed |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for label, row in (("`sample_register` (product)", reg), ("floor: bare SQL", reg_floor)):
        lines.append(
            f"| {label} | {row['registrations']} | {row['achieved_per_s']} | {row['median_ms']} | "
            f"{row['p95_ms']} | {row['p99_ms']} | {row['max_ms']} | {row['start_late_p99_ms']} | "
            f"{row['tubes_sealed']} |"
        )
    lines += [
        "",
        f"× floor: p99 {q['register_p99']}×, median {q['register_median']}×. Goal p99 ≤ "
        f"{GOAL_REGISTER_P99_MS} ms: {yes(met['register'])}.",
        "",
        "## The lab's results",
        "",
        f"{imp['rows']:,} rows (.xlsx, {imp['file_bytes']:,} bytes), {POSITIVES} positive; each "
        f"run in a transaction rolled back; the product, the floor, the read and the COPY "
        f"in turn, {IMPORT_RUNS} turns after a warm-up.",
        "",
        "| what | median ms | p95 ms | min ms |",
        "|---|---|---|---|",
    ]
    for label, key in (
        ("`results_import` (product)", "product"),
        (
            f"floor: read ({imp['floor_reader']}) + tubes read + COPY into the ledger + audit row",
            "floor",
        ),
        ("read alone: openpyxl read-only", "read_openpyxl"),
        ("read alone: python-calamine", "read_calamine"),
        ("bare COPY alone (temp table)", "copy"),
    ):
        row = imp[key]
        lines.append(f"| {label} | {row['median_ms']} | {row['p95_ms']} | {row['min_ms']} |")
    lines += [
        "",
        f"× floor {q['import']}×; × (read + bare COPY = {imp['read_plus_copy_ms']} ms) "
        f"{q['import_to_read_plus_copy']}×. Goal ≤ {GOAL_IMPORT_TIMES}× (read + COPY): "
        f"{yes(met['import'])}.",
        "",
        "## The coverage page",
        "",
        "| what | rows | median ms | p95 ms | × floor | goal p95 ≤ 200 ms |",
        "|---|---|---|---|---|---|",
    ]
    for label in ("district", "community"):
        row = r[f"page_{label}"]
        who = "district command" if label == "district" else "community secretary, ?area="
        lines += [
            f"| page, {who} | {row['rows']} | {row['page']['median_ms']} | "
            f"{row['page']['p95_ms']} | {q[f'page_{label}']}× | {yes(met[f'page_{label}'])} |",
            f"|   floor: hand SQL + the same template | | {row['floor']['median_ms']} | "
            f"{row['floor']['p95_ms']} | | |",
            f"|   floor's data alone | | {row['data_floor']['median_ms']} | "
            f"{row['data_floor']['p95_ms']} | | |",
            f"|   the same figures counted from the rows (no counters; not a floor) | | "
            f"{row['counted_from_rows']['median_ms']} | {row['counted_from_rows']['p95_ms']} | | |",
        ]
    rebuilt = r["counters_rebuild"]
    lines += [
        "",
        f"The round's counters recounted from the rows at the start (the copied day bypasses"
        f" them): {rebuilt['s']} s, {rebuilt['buildings_corrected']} buildings corrected.",
    ]
    lines += ["", "Checks in this run:", ""]
    lines += [f"- {name}: {said}" for name, said in f["checks"].items()]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
