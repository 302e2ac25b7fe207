"""bench/pages.py — the staff's everyday pages under a concurrent page load, served the
two ways the app has been served (before the scan lane got its own application: every
page under gunicorn's uvicorn workers, where Django runs sync views one at a time a
worker, config/asgi.py; since: gunicorn's threaded workers, config/wsgi.py), next to a floor served by the same threaded workers in the same run:
the same page bytes, captured once from the app for each page and account, answered by
a dict lookup with no framework. Latency p50/p95/p99 a shape, and each shape's p95 as a
multiple of the floor's at the same number of users: what rendering the pages costs
over sending them, under load.

The demo city (small scale, `make demo`'s loaders) in a database of its own; four demo
accounts of different levels signed in, each virtual user with a session of its own on
one keep-alive connection, arriving one by one and then asking for its account's pages
in turn as fast as they come. Pages only: no scan traffic is sent.

    make bench   # or: python -m bench.pages
    BENCH_PAGES_USERS=16 BENCH_PAGES_WORKERS=2 BENCH_PAGES_THREADS=4  to change the shape
"""

from __future__ import annotations

import http.client
import json
import math
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bench.common import DEFAULT_URL, machine, setup_django, write

# What each shape serves, as gunicorn names it: the app before and since, and the
# floor (below, in this module). Only the names: this module imports no config module,
# so that a shape can be pointed elsewhere (config.lane, plain Django ASGI) by name.
ASGI_APP = "config.asgi:application"
WSGI_APP = "config.wsgi:application"
FLOOR_APP = "bench.pages:floor_application"
PORT = 8781
DATABASE_NAME = "jijie_bench_pages"
WORKERS = int(os.environ.get("BENCH_PAGES_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_PAGES_THREADS", "4"))
# Production's pool a worker process when served by ASGI (docs/operations.md).
ASGI_POOL_SIZE = "4"
USERS = int(os.environ.get("BENCH_PAGES_USERS", "16"))
LIGHT_USERS = 4
SECONDS = float(os.environ.get("BENCH_PAGES_SECONDS", "20"))
# Each run: the users arrive one by one over the first half of a warm-up not counted,
# each asking for pages as soon as it is connected, then SECONDS counted. A worker
# serves the connections it accepted for their life: opened all at once onto an idle
# server, a uvicorn worker's event loop accepts the whole burst and the other worker
# gets none; arriving while the others are being served, they spread as on a work day.
WARMUP_SECONDS = 3
# Load sent before a shape's first run: gunicorn answers once one worker is up, and the
# others would still be importing the app (and opening connections).
BOOT_SECONDS = 3
CLIENT_PROCESSES = 2
# Sent by every user as a browser would: without it, each page with a form would make a
# new CSRF secret and set its cookie, which a browser's second page no longer costs.
CSRF_SECRET = "benchpagescsrfsecret0123456789ab"  # noqa: S105 - a made-up cookie value
FLOOR_FILE_VARIABLE = "BENCH_PAGES_FLOOR"

# The demo's accounts signed in: a community worker and its secretary, a street office
# and the city's command (who also sees the city committee's call-up).
ACCOUNTS = {
    "worker_xingang": "community worker, 新港路社区",
    "secretary_xingang": "community secretary, 新港路社区",
    "street_yuanxi": "street office, 源西街道",
    "city_command": "command, 河源市",
}
COMMUNITY = "441602004001"  # 新港路社区, where the demo's cases, sweep, gates and duty are
STREET = "441602004000"  # 源西街道
CITY = "441600"


# The floor -------------------------------------------------------------------------------


def _floor_load() -> dict[tuple[str, str], tuple[str, list[tuple[str, str]], list[bytes]]]:
    name = os.environ.get(FLOOR_FILE_VARIABLE)
    if not name:
        return {}
    saved = json.loads(Path(name).read_text())
    bodies = [body.encode() for body in saved["bodies"]]
    return {
        (target, cookie): (
            status,
            [("Content-Type", content_type), ("Content-Length", str(len(bodies[body])))],
            [bodies[body]],
        )
        for target, cookie, status, content_type, body in saved["pages"]
    }


_FLOOR_PAGES = _floor_load()
_NOT_FOUND = ("404 Not Found", [("Content-Type", "text/plain"), ("Content-Length", "0")], [b""])


def floor_application(
    environ: dict[str, Any], start_response: Callable[..., Any]
) -> Iterable[bytes]:
    """The best anyone could write for the same answer: the page the app gave this
    signed-in user at this address, found by the address and the cookie."""
    target = environ["PATH_INFO"]
    if environ.get("QUERY_STRING"):
        target += "?" + environ["QUERY_STRING"]
    status, headers, body = _FLOOR_PAGES.get((target, environ.get("HTTP_COOKIE", "")), _NOT_FOUND)
    start_response(status, headers)
    return body


# The data, the accounts and their pages --------------------------------------------------


def _database_url() -> str:
    base, _, _name = os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL).rpartition("/")
    return f"{base}/{DATABASE_NAME}"


def _populate() -> None:
    """The demo city, once: its steps are idempotent, and the care cases are its last."""
    from jijie.care.models import IsolationCase
    from jijie.core.demo import DemoContext, run_demo

    if not IsolationCase.objects.exists():
        run_demo(DemoContext(scale="small", seed=2020, out=print))


def _pages() -> dict[str, list[tuple[str, str]]]:
    """Each account's everyday pages, (name, address), each answering it 200."""
    from django.urls import reverse

    from jijie.areas.models import Area
    from jijie.care.models import IsolationCase
    from jijie.duty.models import Demand
    from jijie.gates.models import Pass
    from jijie.mobilization.demo import CALL_UP
    from jijie.mobilization.models import CallUp
    from jijie.residents.models import Household
    from jijie.screening.demo import NAME as CAMPAIGN
    from jijie.screening.models import Campaign

    community = Area.objects.get(code=COMMUNITY)
    grid = Area.objects.filter(path__startswith=community.path, kind="grid").order_by("path")[0]
    household = (
        Household.objects.filter(area_path__startswith=grid.path, people__isnull=False)
        .select_related("building")
        .order_by("area_path", "door_number")
        .first()
    )
    assert household is not None, "the demo has no people in 新港路社区"
    campaign = Campaign.objects.get(name=CAMPAIGN)
    case = IsolationCase.objects.filter(area_path__startswith=community.path).order_by("pk")[0]
    demand = Demand.objects.filter(community=community).order_by("pk")[0]
    shift = demand.shifts.order_by("starts_at")[0]
    call_up = CallUp.objects.get(title=CALL_UP)
    passes_at = (
        Pass.objects.filter(household__area_path__startswith=community.path)
        .select_related("household__building")
        .order_by("pk")[0]
        .household.building.code
    )

    def page(name: str, *args: object, query: str = "") -> tuple[str, str]:
        return name, reverse(name, args=args) + query

    community_pages = [
        page("accounts:home"),
        page("areas:detail", COMMUNITY),
        page("residents:list"),
        page("residents:household", household.pk),
        page("screening:coverage", campaign.pk),
        page("screening:doors", campaign.pk, household.building.code),
        page("care:board", COMMUNITY),
        page("care:case", case.pk),
        page("gates:passes", query=f"?building={passes_at}"),
        page("duty:board", COMMUNITY),
        page("duty:demand", demand.pk),
        page("mobilization:community", COMMUNITY),
    ]
    return {
        "worker_xingang": community_pages,
        # The secretary also leads the duty: a shift's page is theirs, not the worker's.
        "secretary_xingang": [*community_pages[:-1], page("duty:shift", shift.pk)],
        "street_yuanxi": [
            page("accounts:home"),
            page("areas:detail", STREET),
            page("residents:list"),
            page("residents:household", household.pk),
            page("screening:coverage", campaign.pk),
            page("screening:revisits", campaign.pk),
            page("care:day"),
            page("care:board", COMMUNITY),
            page("gates:passes", query=f"?building={passes_at}"),
            page("duty:index"),
            page("duty:board", COMMUNITY),
            page("mobilization:community", STREET),
        ],
        "city_command": [
            page("accounts:home"),
            page("areas:detail", CITY),
            page("residents:list"),
            page("screening:coverage", campaign.pk),
            page("care:day"),
            page("care:board", COMMUNITY),
            page("duty:index"),
            page("mobilization:index"),
            page("mobilization:members"),
            page("mobilization:call_up", call_up.pk),
            page("mobilization:sign_ups", call_up.pk),
        ],
    }


def _sign_in(username: str) -> str:
    """A session for the account, as `django.contrib.auth.login` leaves it: its key."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.base import SessionBase
    from django.utils import timezone

    from jijie.accounts.middleware import pending_step
    from jijie.accounts.models import User
    from jijie.accounts.requests import signed_in_mark

    user = User.objects.get(username=username)
    assert pending_step(user) is None, f"{username} would be sent to a setup step first"
    session: SessionBase = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    signed_in_mark(session, timezone.now())
    session.create()
    assert session.session_key is not None
    return session.session_key


def _cookie(session_key: str) -> str:
    from django.conf import settings

    return (
        f"{settings.CSRF_COOKIE_NAME}={CSRF_SECRET}; {settings.SESSION_COOKIE_NAME}={session_key}"
    )


def _capture(
    pages: dict[str, list[tuple[str, str]]], sessions: dict[str, str]
) -> dict[tuple[str, str], Any]:
    """Each account's pages as the app answers them: 200, HTML, and the bytes."""
    from django.conf import settings
    from django.test import Client

    captured = {}
    for username, account_pages in pages.items():
        client = Client()
        client.cookies[settings.SESSION_COOKIE_NAME] = sessions[username]
        client.cookies[settings.CSRF_COOKIE_NAME] = CSRF_SECRET
        for _name, target in account_pages:
            response = client.get(target)
            content_type = response.get("Content-Type", "")
            assert response.status_code == 200, f"{username} {target}: {response.status_code}"
            assert content_type.startswith("text/html"), f"{username} {target}: {content_type}"
            assert b"<html" in response.content[:500].lower(), f"{username} {target}: no HTML"
            captured[username, target] = (content_type, response.content)
    return captured


def _floor_file(
    directory: str, users: list[dict[str, Any]], captured: dict[tuple[str, str], Any]
) -> str:
    """The floor's pages, for its workers to read: each body once, and each (address,
    cookie) every user sends with the body captured for its account."""
    keys = list(captured)
    bodies = [captured[key][1].decode() for key in keys]
    rows = []
    for user in users:
        for _name, target in user["pages"]:
            key = (user["account"], target)
            rows.append((target, user["cookie"], "200 OK", captured[key][0], keys.index(key)))
    path = Path(directory) / "floor.json"
    path.write_text(json.dumps({"pages": rows, "bodies": bodies}, ensure_ascii=False))
    return str(path)


# Serving ---------------------------------------------------------------------------------


def _serve(
    module: str,
    worker: list[str],
    env: dict[str, str],
    port: int = PORT,
    workers: int = WORKERS,
) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "gunicorn"),
            module,
            *worker,
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
    )
    for _ in range(150):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            conn.getresponse().read()
            conn.close()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    process.kill()
    raise RuntimeError(f"{module} did not start on port {port}")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def _server_cpu(process: subprocess.Popen[bytes]) -> dict[int, float]:
    """CPU seconds used so far by the server's processes (master and workers), by pid."""
    import psutil

    parent = psutil.Process(process.pid)
    used = {}
    for p in [parent, *parent.children(recursive=True)]:
        try:
            times = p.cpu_times()
        except psutil.NoSuchProcess:
            continue
        used[p.pid] = times.user + times.system
    return used


def _database_cpu(url: str | None = None) -> dict[int, float] | None:
    """CPU seconds used so far by the PostgreSQL backends connected to the bench
    database at `url` (this module's own by default: the servers' connections, kept
    between requests by the pool or by CONN_MAX_AGE), by pid; None on SQLite (it runs
    in the server's processes) or where they cannot be read."""
    url = url or _database_url()
    if not url.startswith("postgres"):
        return None
    import psutil
    import psycopg

    base, _, name = url.rpartition("/")
    try:
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            pids = [
                row[0]
                for row in conn.execute(
                    "SELECT pid FROM pg_stat_activity"
                    " WHERE datname = %s AND pid <> pg_backend_pid()",
                    [name],
                )
            ]
        used = {}
        for pid in pids:
            times = psutil.Process(pid).cpu_times()
            used[pid] = times.user + times.system
    except (psutil.Error, psycopg.Error):
        return None
    return used


def _used(before: dict[int, float], after: dict[int, float]) -> dict[int, float]:
    """CPU seconds each process used between the two readings (a process started in
    between: all of its time)."""
    return {pid: seconds - before.get(pid, 0.0) for pid, seconds in after.items()}


# The load --------------------------------------------------------------------------------


class _Connection:
    """One user's keep-alive HTTP/1.1 connection, written and read by hand, as in
    bench/gates.py: the load generator shares the 2 cores with the servers it measures,
    and `http.client` costs it more than twice the CPU a request."""

    def __init__(self, port: int) -> None:
        self.port = port
        self._open()

    def _open(self) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    def reopen(self) -> None:
        self.close()
        self._open()

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def get(self, request: bytes) -> int:
        """Send one request and read its whole answer; its status."""
        self.sock.sendall(request)
        status_line = self.reader.readline()
        if not status_line:
            raise ConnectionError("closed by the server")
        status = int(status_line.split()[1])
        length, chunked, close = 0, False, False
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.partition(b":")
            name = name.lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"transfer-encoding" and b"chunked" in value.lower():
                chunked = True
            elif name == b"connection" and b"close" in value.lower():
                close = True
        if chunked:
            while (size := int(self.reader.readline().split(b";")[0], 16)) > 0:
                self.reader.read(size + 2)
            self.reader.readline()
        else:
            self.reader.read(length)
        if close:  # the server will not take another request on this connection
            self.reopen()
        return status


def _request(target: str, cookie: str) -> bytes:
    head = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", f"Cookie: {cookie}", "Accept: text/html"]
    return ("\r\n".join(head) + "\r\n\r\n").encode()


def _sleep_until(moment: float) -> None:
    while (wait := moment - time.perf_counter()) > 0:
        time.sleep(wait)


def _user_thread(
    port: int,
    requests: list[tuple[str, bytes]],
    first: int,
    times: tuple[float, float, float],
    out: list[tuple[float, int, str]],
    idle: _Idle | None = None,
) -> None:
    """One person at a browser with no think time: arrived at its time, the next page as
    soon as the last has come, round their pages from the `first`, until the deadline;
    the pages asked for from the counted time on are counted. Each request goes on the
    person's own connection, or with `idle`, on a connection taken from that pool of
    idle ones and put back after (a proxy's upstream connections)."""
    connect_at, counted_from, deadline = times
    _sleep_until(connect_at)
    own = None if idle is not None else _Connection(port)
    n = first
    while (start := time.perf_counter()) < deadline:
        name, request = requests[n % len(requests)]
        n += 1
        conn = own or (idle.take() if idle is not None else None) or _Connection(port)
        try:
            status = conn.get(request)
        except (OSError, ValueError, IndexError):
            conn.reopen()
            status = 0
        if idle is not None:
            idle.put(conn)
        if start >= counted_from:
            out.append(((time.perf_counter() - start) * 1000, status, name))
    if own is not None:
        own.close()


class _Idle:
    """The idle connections of one proxy process, as nginx's upstream `keepalive` keeps
    them: a request takes the one put back last (a new one when none is idle), and puts
    it back once answered. A connection belongs to the server worker that accepted it;
    which worker answers a request is then whichever connection is free, not which
    person asked."""

    def __init__(self) -> None:
        self._stack: list[_Connection] = []
        self._lock = threading.Lock()

    def take(self) -> _Connection | None:
        with self._lock:
            return self._stack.pop() if self._stack else None

    def put(self, conn: _Connection) -> None:
        with self._lock:
            self._stack.append(conn)

    def close(self) -> None:
        with self._lock:
            while self._stack:
                self._stack.pop().close()


def _client_process(args: tuple[Any, ...]) -> tuple[list[tuple[float, int, str]], float]:
    port, users, counted_from, deadline, pooled = args
    out: list[tuple[float, int, str]] = []
    idle = _Idle() if pooled else None
    threads = [
        threading.Thread(
            target=_user_thread,
            args=(port, requests, first, (connect_at, counted_from, deadline), out, idle),
        )
        for connect_at, first, requests in users
    ]
    for t in threads:
        t.start()
    # The CPU this process used in the counted time (the threads' requests, the GIL).
    _sleep_until(counted_from)
    cpu = time.process_time()
    _sleep_until(deadline)
    cpu = time.process_time() - cpu
    for t in threads:
        t.join()
    if idle is not None:
        idle.close()
    return out, cpu


def _percentile(ordered: list[float], share: float) -> float:
    """Nearest rank: the smallest sample with at least `share` of them at or under it."""
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)]


def _summary(latencies: list[float]) -> dict[str, float]:
    ordered = sorted(latencies)
    return {
        "p50_ms": round(_percentile(ordered, 0.50), 1),
        "p95_ms": round(_percentile(ordered, 0.95), 1),
        "p99_ms": round(_percentile(ordered, 0.99), 1),
        "max_ms": round(ordered[-1], 1),
    }


def _connections(process: subprocess.Popen[bytes], port: int = PORT) -> list[int]:
    """The connections each of the server's workers holds open on the port."""
    import psutil

    held = []
    for worker in psutil.Process(process.pid).children():
        try:
            sockets = worker.net_connections("tcp")
        except psutil.Error:
            continue
        held.append(
            sum(1 for c in sockets if c.status == psutil.CONN_ESTABLISHED and c.laddr.port == port)
        )
    return sorted(held, reverse=True)


def _cpu_reading(server: subprocess.Popen[bytes]) -> dict[str, Any]:
    import psutil

    return {
        "server": _server_cpu(server),
        "database": _database_cpu(),
        "machine": psutil.cpu_times(),
    }


def _cpu_used(before: dict[str, Any], after: dict[str, Any], wall: float) -> dict[str, Any]:
    """CPU seconds between two readings `wall` seconds apart: the server's by process,
    its database backends' (None where they cannot be read), and the whole machine's
    busy time."""
    server = _used(before["server"], after["server"])
    database = (
        sum(_used(before["database"], after["database"]).values())
        if before["database"] is not None and after["database"] is not None
        else None
    )
    busy = sum(
        getattr(after["machine"], field) - getattr(before["machine"], field)
        for field in after["machine"]._fields
        if field not in ("idle", "iowait", "guest", "guest_nice")
    )
    return {"server": server, "database": database, "busy": busy, "wall": wall}


def _drive(
    users: list[dict[str, Any]],
    count: int,
    warmup: float,
    seconds: float,
    server: subprocess.Popen[bytes] | None = None,
    port: int = PORT,
    pooled: bool = False,
) -> dict[str, Any]:
    """`count` users arriving over the first half of `warmup`, each on a connection of
    its own (with `pooled`, on the idle connections of the load generator's process, as
    a proxy's upstream connections), then `seconds` counted: the counted samples, the
    load generator's CPU seconds in the counted time, and with the `server`, how many
    connections each of its workers holds and the CPU used in the counted time."""
    # Time for the load generator's processes to start, then the users' arrivals.
    arrive = time.perf_counter() + 0.5
    counted_from = arrive + warmup
    deadline = counted_from + seconds
    chosen = [
        (
            arrive + number * warmup / 2 / count,
            user["first"],
            [(name, _request(target, user["cookie"])) for name, target in user["pages"]],
        )
        for number, user in enumerate(users[:count])
    ]
    chunks = [chosen[i::CLIENT_PROCESSES] for i in range(CLIENT_PROCESSES)]
    driven: dict[str, Any] = {}
    with multiprocessing.Pool(CLIENT_PROCESSES) as pool:
        pending = pool.map_async(
            _client_process, [(port, chunk, counted_from, deadline, pooled) for chunk in chunks]
        )
        if server is not None:
            _sleep_until(counted_from)
            before = _cpu_reading(server)
            driven["connections_a_worker"] = _connections(server)
            _sleep_until(deadline)
            driven["cpu"] = _cpu_used(before, _cpu_reading(server), seconds)
        parts = pending.get()
    driven["samples"] = [s for part, _cpu in parts for s in part]
    driven["client_cpu_s"] = sum(cpu for _part, cpu in parts)
    return driven


def _load(
    users: list[dict[str, Any]], count: int, server: subprocess.Popen[bytes]
) -> dict[str, Any]:
    """`count` users for SECONDS after WARMUP_SECONDS: the figures."""
    driven = _drive(users, count, WARMUP_SECONDS, SECONDS, server)
    samples, client, cpu = driven["samples"], driven["client_cpu_s"], driven["cpu"]
    statuses: dict[str, int] = {}
    by_page: dict[str, list[float]] = {}
    for latency, status, name in samples:
        statuses[str(status)] = statuses.get(str(status), 0) + 1
        by_page.setdefault(name, []).append(latency)
    requests = max(len(samples), 1)
    server_cpu = sum(cpu["server"].values())
    ours = server_cpu + client + (cpu["database"] or 0.0)
    return {
        "users": count,
        "requests": len(samples),
        "requests_per_s": round(len(samples) / SECONDS, 1),
        **_summary([s[0] for s in samples]),
        "statuses": statuses,
        "non_200": len(samples) - statuses.get("200", 0),
        # A worker serves the connections it accepted for their life.
        "connections_a_worker": driven["connections_a_worker"],
        "server_cpu_ms_per_request": round(server_cpu * 1000 / requests, 2),
        "worker_cpu_s": sorted(
            (round(used, 2) for pid, used in cpu["server"].items() if pid != server.pid),
            reverse=True,
        ),
        "database_cpu_ms_per_request": (
            round(cpu["database"] * 1000 / requests, 2) if cpu["database"] is not None else None
        ),
        "client_cpu_ms_per_request": round(client * 1000 / requests, 2),
        # What else the machine did meanwhile (other work, this bench's parent), in cores.
        "other_cpu_cores": round(max(cpu["busy"] - ours, 0.0) / cpu["wall"], 2),
        "pages": {name: _summary(values) for name, values in sorted(by_page.items())},
    }


# The run ---------------------------------------------------------------------------------


def _shapes(
    env: dict[str, str], floor_file: str
) -> list[tuple[str, str, list[str], dict[str, str]]]:
    threaded = ["-k", "gthread", "--threads", str(THREADS)]
    wsgi_env = {k: v for k, v in env.items() if k != "DB_POOL_SIZE"}
    return [
        # name, module, worker options, environment
        (
            "asgi",
            ASGI_APP,
            ["-k", "uvicorn_worker.UvicornWorker"],
            {**env, "DB_POOL_SIZE": ASGI_POOL_SIZE},
        ),
        ("wsgi", WSGI_APP, threaded, wsgi_env),
        ("floor", FLOOR_APP, threaded, {**wsgi_env, FLOOR_FILE_VARIABLE: floor_file}),
    ]


def _row(name: str, run: dict[str, Any], floor: dict[str, Any]) -> str:
    ratio = run["p95_ms"] / max(floor["p95_ms"], 1e-6)
    statuses = ", ".join(f"{status}: {n}" for status, n in sorted(run["statuses"].items()))
    return (
        f"| {name} | {run['users']} | {run['requests_per_s']} | {run['p50_ms']} ms"
        f" | {run['p95_ms']} ms | {run['p99_ms']} ms | {run['max_ms']} ms | {statuses}"
        f" | {ratio:.2f}× | {' + '.join(map(str, run['connections_a_worker'] or ['?']))}"
        f" | {run['server_cpu_ms_per_request']} ms"
        f" | {run['database_cpu_ms_per_request']} ms | {run['client_cpu_ms_per_request']} ms"
        f" | {run['other_cpu_cores']} |"
    )


def main() -> None:
    url = _database_url()
    os.environ["BENCH_DATABASE_URL"] = url
    setup_django()
    _populate()
    pages = _pages()
    sessions = {account: _sign_in(account) for account in ACCOUNTS}
    captured = _capture(pages, sessions)
    # One session a user, as many people at their own browsers; accounts in turn, so
    # that the first four users are the four accounts.
    users = []
    for number in range(max(USERS, LIGHT_USERS)):
        account = list(ACCOUNTS)[number % len(ACCOUNTS)]
        session_key = _sign_in(account)
        users.append(
            {
                "account": account,
                "session_key": session_key,
                "cookie": _cookie(session_key),
                "pages": pages[account],
                # Users of one account start at different pages, so that no page is
                # asked for by all of them at once.
                "first": number // len(ACCOUNTS),
            }
        )
    results: dict[str, Any] = {
        "machine": machine(),
        "load_average_before": [round(x, 2) for x in os.getloadavg()],
        "workers": WORKERS,
        "threads": THREADS,
        "asgi_pool_size": int(ASGI_POOL_SIZE),
        "users": USERS,
        "light_users": LIGHT_USERS,
        "seconds": SECONDS,
        "warmup_seconds": WARMUP_SECONDS,
        "boot_seconds": BOOT_SECONDS,
        "accounts": {account: [target for _name, target in pages[account]] for account in ACCOUNTS},
        "page_bytes": {f"{a} {t}": len(body) for (a, t), (_ct, body) in captured.items()},
        "shapes": {},
    }
    from django.db import connections

    connections.close_all()  # the servers and the load generator's forks have their own
    env = {**os.environ, "DATABASE_URL": url}
    counts = (USERS, LIGHT_USERS) if USERS != LIGHT_USERS else (USERS,)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-pages-") as directory:
            floor_file = _floor_file(directory, users, captured)
            for name, module, worker, shape_env in _shapes(env, floor_file):
                shape: dict[str, Any] = {
                    "module": module,
                    "load_average_before": [round(x, 2) for x in os.getloadavg()],
                }
                server = _serve(module, worker, shape_env)
                try:
                    _drive(users, USERS, BOOT_SECONDS, 0.0)
                    for count in counts:
                        shape[f"at_{count}"] = _load(users, count, server)
                finally:
                    _stop(server)
                results["shapes"][name] = shape
    finally:
        from django.contrib.sessions.models import Session

        keys = [*sessions.values(), *(user["session_key"] for user in users)]
        Session.objects.filter(session_key__in=keys).delete()
    runs = [
        run
        for shape in results["shapes"].values()
        for key, run in shape.items()
        if key.startswith("at_")
    ]
    results["all_200"] = all(run["non_200"] == 0 for run in runs)
    write("pages", results, _markdown(results, pages))
    if not results["all_200"]:
        raise SystemExit("some pages did not answer 200 under load: see bench/results/pages.md")


def _markdown(results: dict[str, Any], pages: dict[str, list[tuple[str, str]]]) -> str:
    shapes = results["shapes"]
    counts = [int(key[3:]) for key in shapes["floor"] if key.startswith("at_")]
    rows = [
        _row(name, shape[f"at_{count}"], shapes["floor"][f"at_{count}"])
        for count in counts
        for name, shape in shapes.items()
    ]
    names = sorted({name for account in pages.values() for name, _target in account})

    def cell(shape: dict[str, Any], name: str) -> str:
        page = shape[f"at_{USERS}"]["pages"].get(name)
        return f"{page['p50_ms']} / {page['p95_ms']}" if page else "—"

    page_rows = [
        f"| `{name}` | " + " | ".join(cell(shape, name) for shape in shapes.values()) + " |"
        for name in names
    ]
    m = results["machine"]
    load = results["load_average_before"]
    loads = ", ".join(f"{name} {shape['load_average_before'][0]}" for name, shape in shapes.items())
    accounts = "; ".join(
        f"`{account}` ({ACCOUNTS[account]}: {len(pages[account])} pages)" for account in pages
    )
    ratios = "; ".join(
        f"{name} {shape[f'at_{count}']['p95_ms'] / shapes['floor'][f'at_{count}']['p95_ms']:.2f}×"
        f" at {count} users"
        for count in counts
        for name, shape in shapes.items()
        if name != "floor"
    )
    all_200 = "yes" if results["all_200"] else "**no**"
    workers = "; ".join(
        f"{name} at {count}: {' + '.join(map(str, shape[f'at_{count}']['worker_cpu_s']))} s"
        for count in counts
        for name, shape in shapes.items()
    )
    return f"""# Pages: the staff's everyday pages under a concurrent load

{m["when"]}, {m["cpus"]} CPUs, Python {m["python"]}, {m["database"]}.
Load average before the run: {load[0]} (1 min), {load[1]} (5 min);
before each shape (1 min): {loads}.
Other work on the machine shares its 2 cores, and so does the load generator
({CLIENT_PROCESSES} processes, a thread a user).

Shapes, each gunicorn on loopback with {WORKERS} workers:

- **asgi** (before: every page under ASGI): `{ASGI_APP}`, uvicorn workers, DB_POOL_SIZE={ASGI_POOL_SIZE}; Django
  runs the sync views one at a time a worker.
- **wsgi** (since: the pages on WSGI, production's recipe): `{WSGI_APP}`, gthread, {THREADS} threads a worker, no pool
  (CONN_MAX_AGE).
- **floor**: `{FLOOR_APP}`, gthread as wsgi: the same page bytes, captured once
  from the app for each page and account, found by address and cookie (a dict lookup)
  and sent with their status and content type.

Data: the demo city (small scale) in a database of its own. Accounts, a user each in
turn, each page checked to answer its account 200 with HTML before the load:
{accounts}.

Load: {USERS} users, and a lighter run at {LIGHT_USERS}, each with a session of its own
on one keep-alive connection, asking for the next page as soon as the last has come
(no think time), round its account's pages. Each run: the users arrive one by one over
the first half of {WARMUP_SECONDS} s not counted, then {SECONDS:g} s counted; before a
shape's first run, {BOOT_SECONDS} s of load not counted while its workers start. Pages
only: no scan traffic. Every answer 200: {all_200}.

| shape | users | req/s | p50 | p95 | p99 | max | statuses | p95 ÷ floor p95 | connections a worker | server CPU / req | PostgreSQL CPU / req | client CPU / req | other work, cores |
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
{chr(10).join(rows)}

p95 against the floor's at the same number of users:
{ratios}.

A worker serves the connections it accepted for their life; "connections a worker"
is how the users' connections fell on the workers in the run. CPU a request, over the
counted time: the server's (gunicorn's master and workers), the bench database's
backends', and the load generator's; "other work" is the rest of the machine's busy
time in the same time, in cores (of {m["cpus"]}). Each worker's CPU seconds in the
counted time: {workers}.

p50 / p95 of each page at {USERS} users, in ms (over every account that has it):

| page | {" | ".join(shapes)} |
|---|{"---|" * len(shapes)}
{chr(10).join(page_rows)}
"""


if __name__ == "__main__":
    main()
