"""bench/pages_scale.py — every page of every role's menu at seed scale (361,876
households, 658,787 people), on PostgreSQL and on SQLite, with 20 users at once: each
page's latency p50/p95/p99 next to its floor in the same run. Goal: p95 ≤ 300 ms on
PostgreSQL and ≤ 500 ms on SQLite for every page.

The pages. One demo account of each role that has a menu (a community worker and its
secretary, a grid worker, a gate guard, a member, a street office, the city's command,
the district's working committee, an inspector, an auditor), signed in. For each: its
home, every entry of the menu its home draws (the `data-menu` links of
`data-testid="menu-wide"`), its profile (/account/), and of each of those that is a
paginated list, its last page too (`?page=N`, N read from the first page's "1 / N").
An entry that redirects (a role's menu entry leading to the page that applies to it) is
measured where it leads; a page that does not end in a 200 is left out and named in
the results.

The load. The app served as production serves pages: gunicorn's threaded workers on
`config.wsgi:application` (2 workers × 4 threads), on loopback. 20 users, each with a
session of its own, each user an account's (the accounts in turn), asking for its
account's pages round and round with no think time, arriving over the first half of a
warm-up not counted, then a counted period. The load generator (bench/pages.py's)
shares the machine's cores with the server and the database.

How the users' requests reach the workers. Production puts nginx in front, keeping idle
upstream connections (docs/operations.md: `keepalive 32`): a request goes on the idle
connection put back last, or a new one, whoever asked. The load generator does the
same by default ("proxy": each of its two processes, as nginx's two, keeps its own
idle connections). A connection stays with the worker that accepted it, but a worker
that answers slowly has its connections free less often, so the requests go where
they are answered. "own" gives each user one keep-alive connection of its own, as a
browser talking to gunicorn directly: a user then stays with one worker, and how the
20 connections happened to split between the 2 workers moved whole accounts' pages
over or under the goal from run to run (11 + 9 to 12 + 8).

The floor, per page, in the same run: the SQL that page runs (captured from a GET of it
by the bench process as its account, session and auth queries included, BEGIN/COMMIT
included), replayed bare with a DB-API cursor of the same database, statement after
statement with each result fetched, by 20 users at once (threads, each with its own
connection, the same accounts' pages in the same turn): p95 of the whole sequence a
page. A page's ratio is its p95 over its floor's p95: what the app costs over its own
queries. For each page the bench also times each of its statements alone (one user, the
median of three), so the results name the statement a slow page spends most on.

Each database is its own process (Django's settings are a process's), seeded once with
the whole demo city at seed scale (every step of `run_demo`, scale "seed"; about a
quarter of an hour a database the first time, on 2 cores) and reused after. PostgreSQL is ANALYZEd before each run, as
autovacuum would have; SQLite is left as the app leaves it.

    make bench   # or: python -m bench.pages_scale
    BENCH_PAGES_SCALE_DATABASES=postgresql,sqlite    which databases, in turn (the
        others keep their figures of the last run in the results, each with its date)
    BENCH_PAGES_SCALE_PG_URL=postgres://postgres@127.0.0.1:5432/jijie_bench_pages_seed
    BENCH_PAGES_SCALE_SQLITE_URL=sqlite:///<repo>/var/bench_pages_seed.sqlite3
    BENCH_PAGES_SCALE_USERS=20 BENCH_PAGES_SCALE_SECONDS=30 BENCH_PAGES_SCALE_WARMUP=10
    BENCH_PAGES_SCALE_WORKERS=2 BENCH_PAGES_SCALE_THREADS=4
    BENCH_PAGES_SCALE_CONNECTIONS=proxy   (or own: a connection a user, see above)
    BENCH_PAGES_SCALE_ACCOUNTS=worker_xingang,city_command   (default: one a role)
"""

from __future__ import annotations

import contextlib
import html
import importlib
import json
import multiprocessing
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from bench.common import RESULTS, machine, setup_django, write
from bench.pages import (
    CSRF_SECRET,
    _connections,
    _cookie,
    _database_cpu,
    _drive,
    _serve,
    _server_cpu,
    _sign_in,
    _sleep_until,
    _stop,
    _summary,
    _used,
)

ROOT = Path(__file__).resolve().parent.parent
WSGI_APP = "config.wsgi:application"
DATABASES = {
    "postgresql": os.environ.get(
        "BENCH_PAGES_SCALE_PG_URL", "postgres://postgres@127.0.0.1:5432/jijie_bench_pages_seed"
    ),
    "sqlite": os.environ.get(
        "BENCH_PAGES_SCALE_SQLITE_URL", f"sqlite:///{ROOT / 'var' / 'bench_pages_seed.sqlite3'}"
    ),
}
CHOSEN = [
    name.strip()
    for name in os.environ.get("BENCH_PAGES_SCALE_DATABASES", ",".join(DATABASES)).split(",")
    if name.strip()
]
GOAL_MS = {"postgresql": 300.0, "sqlite": 500.0}
PORT = 8782  # not bench/pages.py's, so that the two never answer for each other
WORKERS = int(os.environ.get("BENCH_PAGES_SCALE_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_PAGES_SCALE_THREADS", "4"))
CONNECTIONS = os.environ.get("BENCH_PAGES_SCALE_CONNECTIONS", "proxy")
if CONNECTIONS not in ("proxy", "own"):
    raise SystemExit(f"BENCH_PAGES_SCALE_CONNECTIONS: proxy or own, not {CONNECTIONS!r}")
USERS = int(os.environ.get("BENCH_PAGES_SCALE_USERS", "20"))
SECONDS = float(os.environ.get("BENCH_PAGES_SCALE_SECONDS", "30"))
# The users arrive over the first half of it; nothing in it is counted.
WARMUP_SECONDS = float(os.environ.get("BENCH_PAGES_SCALE_WARMUP", "10"))
# The floor's users, as the load generator's: this many processes, a thread a user.
FLOOR_PROCESSES = 2
# Each page's statements timed one by one, alone, this many times (the median kept).
ALONE_RUNS = 3
TOP_STATEMENTS = 2
SQL_SHOWN = 400  # characters of a statement kept in the results

# The demo's accounts (jijie/accounts/demo.py), one of each role that has a menu.
ROLES = {
    "worker_xingang": "community worker, 新港路社区",
    "secretary_xingang": "community secretary, 新港路社区",
    "grid_xingang01": "grid worker, 新港路社区第01网格",
    "guard_xingang": "gate guard, 新港路社区",
    "member_demo": "member, 新港路社区",
    "street_yuanxi": "street office, 源西街道",
    "city_command": "command, 河源市",
    "committee": "working committee, 源城区",
    "inspector": "inspector, 源城区",
    "auditor": "auditor, 河源市",
}
ACCOUNTS = [
    name.strip()
    for name in os.environ.get("BENCH_PAGES_SCALE_ACCOUNTS", ",".join(ROLES)).split(",")
    if name.strip()
]

_MENU = re.compile(r'data-testid="menu-wide">(.*?)</ul>', re.S)
_MENU_LINK = re.compile(r'<a href="([^"]+)" data-menu="([^"]+)"')
_PAGES = re.compile(r'data-testid="pages">.*?<span>(\d+) / (\d+)</span>', re.S)
_PLACEHOLDER = re.compile(r"[=(,]\s*\$1\b")


# The data ---------------------------------------------------------------------------------


def _populate() -> float | None:
    """The whole demo city at seed scale, once (its steps are idempotent, and the care
    cases are its last): the seconds it took, None when it was there."""
    from jijie.care.models import IsolationCase
    from jijie.core.demo import DemoContext, run_demo

    if IsolationCase.objects.exists():
        return None
    start = time.perf_counter()
    run_demo(DemoContext(scale="seed", seed=2020, out=_say))
    return round(time.perf_counter() - start, 1)


def _say(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _analyze() -> None:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


# The pages --------------------------------------------------------------------------------


def _client(session_key: str) -> Any:
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = session_key
    client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
    return client


def _deep(target: str, page: int) -> str:
    return f"{target}{'&' if '?' in target else '?'}page={page}"


def _discover(account: str, session_key: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The account's pages, each answering it 200 with HTML: home, its menu's entries,
    its profile, and the last page of each paginated one; and those left out."""
    from django.urls import reverse

    client = _client(session_key)
    home = reverse("accounts:home")
    first = client.get(home)
    assert first.status_code == 200, f"{account}: home answered {first.status_code}"
    menu = _MENU.search(first.content.decode())
    entries = [("home", home)]
    if menu:
        entries += [
            (f"menu:{key}", html.unescape(href)) for href, key in _MENU_LINK.findall(menu.group(1))
        ]
    entries.append(("profile", reverse("accounts:profile")))
    pages: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    seen: set[str] = set()

    def add(kind: str, asked: str) -> str | None:
        target, hops = asked, list[str]()
        response = client.get(target)
        while response.status_code in (301, 302, 303, 307, 308) and len(hops) < 3:
            location = response["Location"]
            if not location.startswith("/"):
                break
            hops.append(target)
            target = location
            response = client.get(target)
        content_type = response.get("Content-Type", "")
        if response.status_code != 200 or not content_type.startswith("text/html"):
            skipped.append(
                {"kind": kind, "asked": asked, "target": target, "status": response.status_code}
            )
            return None
        if target in seen:
            skipped.append(
                {"kind": kind, "asked": asked, "target": target, "status": "measured already"}
            )
            return None
        seen.add(target)
        pages.append(
            {
                "kind": kind,
                "target": target,
                "redirected_from": hops[0] if hops else None,
                "bytes": len(response.content),
            }
        )
        return str(response.content.decode())

    for kind, asked in entries:
        body = add(kind, asked)
        numbered = _PAGES.search(body) if body else None
        if numbered and int(numbered.group(2)) > 1:
            last = int(numbered.group(2))
            pages[-1]["pages"] = last
            add(f"{kind} last page", _deep(pages[-1]["target"], last))
    return pages, skipped


def _capture(account: str, session_key: str, page: dict[str, Any]) -> None:
    """The page's SQL as the app runs it (asked for once more, so that the process's
    caches are warm as a serving worker's are), and its time alone."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = _client(session_key)
    client.get(page["target"])
    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        response = client.get(page["target"])
        alone = (time.perf_counter() - start) * 1000
    assert response.status_code == 200, f"{account} {page['target']}: {response.status_code}"
    statements = [query["sql"] for query in captured.captured_queries]
    # A statement bound on the server (a hot path's prepared one) is logged with its
    # placeholders: it could not be replayed as it stands.
    unbound = [
        sql
        for sql in statements
        if sql is None or (connection.vendor == "postgresql" and _PLACEHOLDER.search(sql))
    ]
    assert not unbound, f"{account} {page['target']}: statements not bound: {unbound[:1]}"
    page["statements"] = statements
    page["alone_ms"] = round(alone, 1)


def _run_statements(cursor: Any, statements: list[str]) -> None:
    for sql in statements:
        cursor.execute(sql)
        if cursor.description is not None:
            cursor.fetchall()


def _raw_cursor() -> tuple[Any, Any]:
    """A DB-API cursor of this thread's own connection to the bench database (Django's,
    opened with the app's settings: SQLite's functions and pragmas, PostgreSQL's
    client-side binding), and the connection."""
    from django.db import connections

    wrapper = connections["default"]
    wrapper.ensure_connection()
    return wrapper.connection.cursor(), wrapper


def _statements_alone(page: dict[str, Any]) -> None:
    """Each of the page's statements timed alone, in its sequence: the median of
    ALONE_RUNS, the sum, and the costliest few."""
    cursor, _wrapper = _raw_cursor()
    times: list[list[float]] = [[] for _ in page["statements"]]
    for _ in range(ALONE_RUNS):
        for number, sql in enumerate(page["statements"]):
            start = time.perf_counter()
            _run_statements(cursor, [sql])
            times[number].append((time.perf_counter() - start) * 1000)
    cursor.close()
    medians = [statistics.median(t) for t in times]
    page["sql_alone_ms"] = round(sum(medians), 1)
    order = sorted(range(len(medians)), key=lambda n: medians[n], reverse=True)
    page["costliest"] = [
        {
            "number": n + 1,
            "ms": round(medians[n], 2),
            "sql": _shown(page["statements"][n]),
        }
        for n in order[:TOP_STATEMENTS]
    ]


def _shown(sql: str) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= SQL_SHOWN else sql[:SQL_SHOWN] + " …"


# The floor --------------------------------------------------------------------------------


def _floor_user(
    pages: list[tuple[str, list[str]]],
    first: int,
    times: tuple[float, float, float],
    out: list[tuple[float, bool, str]],
) -> None:
    """As a load user, with the page's statements instead of the page: arrived at its
    time, each page's sequence after the last, from its `first`, until the deadline."""
    connect_at, counted_from, deadline = times
    _sleep_until(connect_at)
    cursor, wrapper = _raw_cursor()
    n = first
    while (start := time.perf_counter()) < deadline:
        name, statements = pages[n % len(pages)]
        n += 1
        ok = True
        try:
            _run_statements(cursor, statements)
        except Exception:  # counted as a failure, and the sequence undone
            ok = False
            with contextlib.suppress(Exception):  # unless no transaction was open
                cursor.execute("ROLLBACK")
        if start >= counted_from:
            out.append(((time.perf_counter() - start) * 1000, ok, name))
    cursor.close()
    wrapper.close()


def _floor_process(args: tuple[Any, ...]) -> list[tuple[float, bool, str]]:
    users, counted_from, deadline = args
    import django
    from django.apps import apps

    if not apps.ready:  # a process started afresh rather than forked
        django.setup()
    out: list[tuple[float, bool, str]] = []
    threads = [
        threading.Thread(
            target=_floor_user, args=(pages, first, (connect_at, counted_from, deadline), out)
        )
        for connect_at, first, pages in users
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def _floor(
    users: list[dict[str, Any]], statements: dict[str, list[str]], capture_keys: dict[str, str]
) -> list[tuple[float, bool, str]]:
    """The users of the load, each replaying its account's pages' statements with its
    own session's key in them: the counted samples."""
    from django.db import connections

    connections.close_all()  # the floor's processes open their own
    arrive = time.perf_counter() + 1.0
    counted_from = arrive + WARMUP_SECONDS
    deadline = counted_from + SECONDS
    chosen = [
        (
            arrive + number * WARMUP_SECONDS / 2 / len(users),
            user["first"],
            [
                (
                    name,
                    [
                        sql.replace(capture_keys[user["account"]], user["session_key"])
                        for sql in statements[name]
                    ],
                )
                for name, _target in user["pages"]
            ],
        )
        for number, user in enumerate(users)
    ]
    chunks = [chosen[i::FLOOR_PROCESSES] for i in range(FLOOR_PROCESSES)]
    with multiprocessing.Pool(FLOOR_PROCESSES) as pool:
        parts = pool.map(_floor_process, [(chunk, counted_from, deadline) for chunk in chunks])
    return [sample for part in parts for sample in part]


# The load ---------------------------------------------------------------------------------


def _load(url: str, users: list[dict[str, Any]]) -> dict[str, Any]:
    """The app under the users: its samples, and the CPU it took."""
    psutil: Any = importlib.import_module("psutil")  # no type stubs installed

    env = {**os.environ, "DATABASE_URL": url}
    env.pop("DB_POOL_SIZE", None)
    server = _serve(
        WSGI_APP, ["-k", "gthread", "--threads", str(THREADS)], env, port=PORT, workers=WORKERS
    )
    try:
        # Load not counted while the workers start and open their connections.
        _drive(users, len(users), 3.0, 0.0, port=PORT, pooled=CONNECTIONS == "proxy")
        holder: dict[str, Any] = {}

        def readings() -> None:
            # The counted time starts 0.5 s + the warm-up after _drive is called.
            _sleep_until(started + 0.5 + WARMUP_SECONDS)
            end = started + 0.5 + WARMUP_SECONDS + SECONDS
            holder["before"] = (_server_cpu(server), _database_cpu(url), psutil.cpu_times())
            holder["connections"] = _connections(server, PORT)
            # A server's connection is closed after CONN_MAX_AGE and another opened:
            # each backend's CPU as last read before it went, read every second.
            database = dict(holder["before"][1] or {})
            while time.perf_counter() < end:
                _sleep_until(min(time.perf_counter() + 1.0, end))
                database.update(_database_cpu(url) or {})
            holder["after"] = (_server_cpu(server), database, psutil.cpu_times())

        started = time.perf_counter()
        reader = threading.Thread(target=readings)
        reader.start()
        driven = _drive(
            users, len(users), WARMUP_SECONDS, SECONDS, port=PORT, pooled=CONNECTIONS == "proxy"
        )
        reader.join()
    finally:
        _stop(server)
    (server_before, db_before, machine_before) = holder["before"]
    (server_after, db_after, machine_after) = holder["after"]
    busy = sum(
        getattr(machine_after, field) - getattr(machine_before, field)
        for field in machine_after._fields
        if field not in ("idle", "iowait", "guest", "guest_nice")
    )
    server_cpu = sum(_used(server_before, server_after).values())
    database_cpu = (
        sum(_used(db_before, db_after).values())
        if db_before is not None and db_after is not None
        else None
    )
    requests = max(len(driven["samples"]), 1)
    ours = server_cpu + driven["client_cpu_s"] + (database_cpu or 0.0)
    return {
        "samples": driven["samples"],
        "requests": len(driven["samples"]),
        "requests_per_s": round(len(driven["samples"]) / SECONDS, 1),
        # A worker serves the connections it accepted for their life.
        "connections_a_worker": holder["connections"],
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 1),
        "database_cpu_ms_per_request": (
            round(database_cpu * 1000 / requests, 1) if database_cpu is not None else None
        ),
        "client_cpu_ms_per_request": round(driven["client_cpu_s"] * 1000 / requests, 1),
        "other_cpu_cores": round(max(busy - ours, 0.0) / SECONDS, 2),
    }


# One database -----------------------------------------------------------------------------


def _measure(database: str) -> dict[str, Any]:
    """Seed (once), discover, capture, load, floor: one database's figures."""
    url = DATABASES[database]
    os.environ["BENCH_DATABASE_URL"] = url
    setup_django()
    _say(f"[{database}] seeding if needed …")
    seeded_s = _populate()
    _analyze()
    from jijie.residents.models import Household, Person

    people = Person.objects.count()
    households = Household.objects.count()
    capture_keys = {account: _sign_in(account) for account in ACCOUNTS}
    _say(f"[{database}] {people} people; finding each account's pages …")
    pages: dict[str, list[dict[str, Any]]] = {}
    skipped: dict[str, list[dict[str, Any]]] = {}
    for account in ACCOUNTS:
        pages[account], skipped[account] = _discover(account, capture_keys[account])
        for page in pages[account]:
            _capture(account, capture_keys[account], page)
            _statements_alone(page)
            _say(
                f"[{database}] {account} {page['target']}: {len(page['statements'])} statements,"
                f" {page['alone_ms']} ms alone, SQL {page['sql_alone_ms']} ms"
            )
    users = []
    by_account: dict[str, int] = {}
    for number in range(USERS):
        account = ACCOUNTS[number % len(ACCOUNTS)]
        by_account[account] = by_account.get(account, 0) + 1
    for number in range(USERS):
        account = ACCOUNTS[number % len(ACCOUNTS)]
        session_key = _sign_in(account)
        turn = number // len(ACCOUNTS)
        count = len(pages[account])
        users.append(
            {
                "account": account,
                "session_key": session_key,
                "cookie": _cookie(session_key),
                "pages": [
                    (f"{account} {page['target']}", page["target"]) for page in pages[account]
                ],
                # An account's users start apart in its round of pages.
                "first": turn * count // by_account[account],
            }
        )
    statements = {
        f"{account} {page['target']}": page["statements"]
        for account in ACCOUNTS
        for page in pages[account]
    }
    facts = machine()
    from django.db import connections

    connections.close_all()  # the server and the load generator's processes have their own
    try:
        load_average = [round(x, 2) for x in os.getloadavg()]
        _say(f"[{database}] load: {USERS} users, {WARMUP_SECONDS:g} s + {SECONDS:g} s …")
        load = _load(url, users)
        floor_load_average = [round(x, 2) for x in os.getloadavg()]
        _say(f"[{database}] floor: {USERS} users, {WARMUP_SECONDS:g} s + {SECONDS:g} s …")
        floor = _floor(users, statements, capture_keys)
    finally:
        from django.contrib.sessions.models import Session

        keys = [*capture_keys.values(), *(user["session_key"] for user in users)]
        Session.objects.filter(session_key__in=keys).delete()
    by_page: dict[str, list[float]] = {}
    failed: dict[str, int] = {}
    for latency, status, name in load.pop("samples"):
        if status == 200:
            by_page.setdefault(name, []).append(latency)
        else:
            failed[name] = failed.get(name, 0) + 1
    floor_by_page: dict[str, list[float]] = {}
    floor_failed: dict[str, int] = {}
    for latency, ok, name in floor:
        if ok:
            floor_by_page.setdefault(name, []).append(latency)
        else:
            floor_failed[name] = floor_failed.get(name, 0) + 1
    goal = GOAL_MS[database]
    rows = []
    for account in ACCOUNTS:
        for page in pages[account]:
            name = f"{account} {page['target']}"
            measured = _summary(by_page[name]) if by_page.get(name) else None
            floored = _summary(floor_by_page[name]) if floor_by_page.get(name) else None
            rows.append(
                {
                    "account": account,
                    "kind": page["kind"],
                    "page": page["target"],
                    "redirected_from": page["redirected_from"],
                    "list_pages": page.get("pages"),
                    "bytes": page["bytes"],
                    "queries": len(page["statements"]),
                    "alone_ms": page["alone_ms"],
                    "sql_alone_ms": page["sql_alone_ms"],
                    "costliest": page["costliest"],
                    "requests": len(by_page.get(name, [])),
                    "non_200": failed.get(name, 0),
                    **({} if measured is None else measured),
                    "floor_requests": len(floor_by_page.get(name, [])),
                    "floor_failed": floor_failed.get(name, 0),
                    "floor_p50_ms": floored["p50_ms"] if floored else None,
                    "floor_p95_ms": floored["p95_ms"] if floored else None,
                    "ratio": (
                        round(measured["p95_ms"] / max(floored["p95_ms"], 1e-6), 2)
                        if measured and floored
                        else None
                    ),
                    "meets_goal": bool(
                        measured and measured["p95_ms"] <= goal and not failed.get(name)
                    ),
                }
            )
    return {
        "database": database,
        "machine": facts,
        "people": people,
        "households": households,
        "seeded_s": seeded_s,
        "goal_p95_ms": goal,
        "workers": WORKERS,
        "threads": THREADS,
        "connections": CONNECTIONS,
        "users": USERS,
        "seconds": SECONDS,
        "warmup_seconds": WARMUP_SECONDS,
        "load_average_before": load_average,
        "load_average_before_floor": floor_load_average,
        "load": load,
        "floor_requests": len(floor),
        "accounts": {account: ROLES.get(account, "") for account in ACCOUNTS},
        "skipped": {account: gone for account, gone in skipped.items() if gone},
        "pages": rows,
        "all_meet_goal": all(row["meets_goal"] for row in rows),
    }


# The run ----------------------------------------------------------------------------------


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        _one(sys.argv[2])
        return
    # The databases not run this time keep their figures of the last run (each says when).
    last = RESULTS / "pages_scale.json"
    results: dict[str, Any] = json.loads(last.read_text()) if last.exists() else {"databases": {}}
    failures = []
    with tempfile.TemporaryDirectory(prefix="bench-pages-scale-") as directory:
        for database in CHOSEN:
            out = Path(directory) / f"{database}.json"
            run = subprocess.run(
                [sys.executable, "-m", "bench.pages_scale", "--one", database],
                cwd=ROOT,
                env={**os.environ, "BENCH_PAGES_SCALE_OUT": str(out)},
                check=False,
            )
            if run.returncode != 0 or not out.exists():
                failures.append(database)
                continue
            results["databases"][database] = json.loads(out.read_text())
    if results["databases"]:
        write("pages_scale", results, _markdown(results))
    if failures:
        raise SystemExit(f"no figures for {', '.join(failures)}: see the output above")


def _one(database: str) -> None:
    """One database's measurement, in a process of its own, written where the parent
    said."""
    figures = _measure(database)
    Path(os.environ["BENCH_PAGES_SCALE_OUT"]).write_text(json.dumps(figures, ensure_ascii=False))


def _ms(value: float | None) -> str:
    return "—" if value is None else f"{value:g}"


def _markdown(results: dict[str, Any]) -> str:
    parts = ["# Pages at seed scale: every menu page, 20 users, next to its floor\n"]
    for database, run in results["databases"].items():
        m, load = run["machine"], run["load"]
        goal = run["goal_p95_ms"]
        rows = run["pages"]
        missing = [row for row in rows if not row["meets_goal"]]
        lines = [
            f"| {row['account']} | `{row['page']}`"
            + (f" (from `{row['redirected_from']}`)" if row["redirected_from"] else "")
            + f" | {row['kind']} | {row['queries']} | {_ms(row.get('p50_ms'))}"
            f" | {_ms(row.get('p95_ms'))} | {_ms(row.get('p99_ms'))} | {row['requests']}"
            + (f" (+{row['non_200']} not 200)" if row["non_200"] else "")
            + f" | {_ms(row['floor_p95_ms'])} | {_ms(row['ratio'])}"
            f" | {'yes' if row['meets_goal'] else '**no**'} |"
            for row in rows
        ]
        slow = sorted(missing, key=lambda row: row.get("p95_ms") or 1e9, reverse=True)
        costly = [
            f"- {row['account']} `{row['page']}`: p95 {_ms(row.get('p95_ms'))} ms"
            f" (goal {goal:g}), alone {row['alone_ms']} ms of which SQL {row['sql_alone_ms']} ms"
            f" in {row['queries']} statements; costliest alone: "
            + "; ".join(f"#{c['number']} {c['ms']} ms `{c['sql'][:160]}`" for c in row["costliest"])
            for row in slow
        ]
        skipped = [
            f"- {account}: {gone['kind']} `{gone['asked']}` → {gone['status']}"
            for account, left in run["skipped"].items()
            for gone in left
        ]
        database_cpu = (
            f"{load['database_cpu_ms_per_request']} ms"
            if load["database_cpu_ms_per_request"] is not None
            else "in the server's"
        )
        load_cpu = (
            f"server CPU {load['server_cpu_ms_per_request']} ms a request, database CPU"
            f" {database_cpu}, load generator"
            f" {load['client_cpu_ms_per_request']} ms; other work on the machine"
            f" {load['other_cpu_cores']} cores; the connections a worker held as the"
            f" counted time began: {' + '.join(map(str, load['connections_a_worker']))}"
        )
        # Runs before the model was named gave each user its own connection.
        connections = run.get("connections", "own")
        how = (
            "the requests on the load generator's idle connections, as nginx's upstream"
            " keepalive passes them on (`proxy`)"
            if connections == "proxy"
            else "each user on a keep-alive connection of its own (`own`)"
        )
        parts.append(f"""
## {database}

{m["when"]}, {m["cpus"]} CPUs, Python {m["python"]}, {m["database"]}.
{run["people"]} people in {run["households"]} households
({"seeded in " + str(run["seeded_s"]) + " s" if run["seeded_s"] else "seeded before"}).
Load average before the load: {run["load_average_before"][0]} (1 min); before the floor:
{run["load_average_before_floor"][0]}. The machine's {m["cpus"]} cores are shared by the
server, the database, the load generator and any other work.

gunicorn gthread `{WSGI_APP}`, {run["workers"]} workers × {run["threads"]} threads;
{run["users"]} users, {how}; {run["warmup_seconds"]:g} s warm-up then {run["seconds"]:g} s
counted: {load["requests"]} pages ({load["requests_per_s"]}/s); {load_cpu}. With no
think time, a page's mean time is the users over the pages a second:
{run["users"] / max(load["requests_per_s"], 1e-6) * 1000:.0f} ms.
Floor: the same users replaying each page's captured SQL bare,
{run["warmup_seconds"]:g} s + {run["seconds"]:g} s: {run["floor_requests"]} sequences.

Goal p95 ≤ {goal:g} ms: {len(rows) - len(missing)} of {len(rows)} pages meet it.

| account | page | kind | queries | p50 ms | p95 ms | p99 ms | requests | floor p95 ms | p95 ÷ floor | goal |
|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(lines)}

Pages missing the goal, slowest first, with their costliest statements timed alone:

{chr(10).join(costly) or "none"}

Pages left out (not 200 for their account):

{chr(10).join(skipped) or "none"}
""")
    return "".join(parts)


if __name__ == "__main__":
    main()
