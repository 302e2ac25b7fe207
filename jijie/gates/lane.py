"""The scan lane: `POST /api/gates/scans` from a phone with a bearer token, answered on
the event loop of an ASGI worker, before Django's request cycle.

It is an application of its own (`config/lane.py`), served by uvicorn workers on its
one path, which the reverse proxy routes to it; every page and the rest of the API are
served by WSGI (`config/wsgi.py`, threaded workers). A request for another path is a
404 here: a proxy that sends one was set up wrong (docs/operations.md).

A district's gates at rush hour post a thousand scans a second (issue 7), each a small
insert after a small read. Through Django's request cycle on threaded workers a scan cost
about 2.6 ms of CPU on the machine, server, database and phones together; on 2 cores
that is under 800 scans a second (docs/decisions.md). Here the server parses HTTP in C
(uvicorn, httptools, uvloop), the database is spoken to in its binary protocol with
prepared statements (asyncpg, a small pool a worker), and a scan does only what it must:

- one read (`selectors.scan_contexts_statement`): the token, whether its user may scan
  at the gate (`access.may_path_sql`), the gate, the response in force and its rule,
  the scanned pass;
- the rules decide as they always do (`services.scan_judge`);
- one insert, `services.SCAN_INSERT` for many rows, which finds a replay by its client
  id.

The scans a worker has in hand at once share those statements (`_Together`): while one
read or insert is on its way, the scans that need one wait and go in the next, together.
A statement that finds none on its way first waits a moment (`GATES_LANE_GATHER_MS`,
2 ms) for others to go with it; under load, a round trip and a commit serve many scans.
Each is still judged on its own and answered once its row is committed.

The API's view stays the reference. The lane answers only what it is sure of, a scan it
stores, a replay of one, or an id reused for another scan (409), with the status, body
and headers the view would give (tests/test_lane.py sends the same scans both ways), and
hands every other request to Django untouched and unanswered, nothing written: no token
or a dead one, a gate out of sight or missing, a role that may not scan, no response in
force, a body that does not validate, a household found by hand, a host Django would
refuse, a request Django would redirect to HTTPS. Where the rule asks for a negative
test result, it reads the testing ledger's rows for the household (`proofs.query`, the
ORM's statement run on its own connection) as it counts outings. It writes down a token's use as the
API does, at most once a minute. It runs on PostgreSQL only; `GATES_FAST_SCAN = False`
turns it off, and on any other database it is off: Django then answers every scan.

The answer carries the headers Django's middleware would add to the view's: the lane
runs the `process_response` of each middleware in `settings.MIDDLEWARE` that it
`REPLAYS`, and knows the others add nothing to a scan's answer (`SILENT`). A middleware
in neither is a system check's error (`gates.E001`), so a new one cannot slip past.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, Generic, TypeAlias, TypeVar, cast

import asyncpg
from django.conf import settings
from django.core.exceptions import DisallowedHost, ValidationError
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.http.cookie import parse_cookie
from django.middleware.clickjacking import XFrameOptionsMiddleware
from django.middleware.locale import LocaleMiddleware
from django.middleware.security import SecurityMiddleware
from django.urls import reverse
from django.utils import timezone, translation
from ninja.responses import NinjaJSONEncoder
from pydantic import BaseModel
from pydantic import ValidationError as SchemaError

from jijie.accounts import tokens
from jijie.accounts.models import ApiToken
from jijie.core.middleware import ResponseHeadersMiddleware
from jijie.core.queries import RowReader
from jijie.gates import proofs, rules, selectors, services
from jijie.gates.api import ErrorOut, ScanIn, scan_data, scan_out
from jijie.gates.models import Direction, Scan

if TYPE_CHECKING:
    from asyncpg import Record
    from asyncpg.pool import PoolConnectionProxy
    from django.db.backends.base.base import BaseDatabaseWrapper

Scope = dict[str, Any]
Message = Mapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
Connection: TypeAlias = "PoolConnectionProxy[Record]"

CONTENT_TYPE = "application/json; charset=utf-8"  # as the API's renderer answers
# The middleware whose headers a scan's answer carries through Django, replayed on the
# lane's answer in the order of `settings.MIDDLEWARE`: each only adds headers to a
# response, from the request's headers and the settings.
REPLAYS: dict[str, type[Any]] = {
    "django.middleware.security.SecurityMiddleware": SecurityMiddleware,
    "django.middleware.clickjacking.XFrameOptionsMiddleware": XFrameOptionsMiddleware,
    "jijie.core.middleware.ResponseHeadersMiddleware": ResponseHeadersMiddleware,
    "django.middleware.locale.LocaleMiddleware": LocaleMiddleware,
}
# The middleware that add nothing to the answer of a scan the lane would store: it
# carries a bearer token and no cookie is read or set for it (session, CSRF, auth,
# messages), it is no static file, no redirect, no lockout (the lane leaves to Django
# every request these would answer themselves), and no page of htmx's.
SILENT = frozenset(
    {
        "jijie.core.middleware.ForwardedForMiddleware",
        "whitenoise.middleware.WhiteNoiseMiddleware",
        "jijie.core.middleware.ReadSessionMiddleware",
        "django.middleware.common.CommonMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "jijie.accounts.middleware.AccountSetupMiddleware",
        "django_htmx.middleware.HtmxMiddleware",
        "axes.middleware.AxesMiddleware",
    }
)


def unknown_middleware() -> list[str]:
    """The middleware of `settings.MIDDLEWARE` the lane does not know: it would answer
    scans without what they add."""
    return [m for m in settings.MIDDLEWARE if m not in REPLAYS and m not in SILENT]


def _header_middleware() -> list[type[Any]]:
    return [REPLAYS[m] for m in settings.MIDDLEWARE if m in REPLAYS]


_STORED = RowReader(Scan, [f.name for f in Scan._meta.concrete_fields])


def enabled() -> bool:
    return bool(getattr(settings, "GATES_FAST_SCAN", True)) and (
        settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    )


@cache
def _numbered(sql: str) -> str:
    """A statement written for Django (`%s` marks) as asyncpg takes it (`$1`, `$2`...).
    The lane's statements are the app's own and hold no literal `%`."""
    numbers = iter(range(1, 65536))
    return re.sub("%s", lambda _: f"${next(numbers)}", sql)


@cache
def _touch_sql() -> str:
    table, column = ApiToken._meta.db_table, ApiToken._meta.get_field("last_used_at").column
    return f"UPDATE {table} SET {column} = $1 WHERE id = $2"  # noqa: S608 - the model's names


@cache
def _replay_sql() -> str:
    return _numbered(
        f"SELECT {_STORED.columns('s')} FROM {Scan._meta.db_table} s"  # noqa: S608 - the model's columns
        " WHERE s.client_id = %s"
    )


class _Request(HttpRequest):
    """What the header middleware and the language choice read of a request: its
    cookies, its headers, and whether it came over HTTPS."""

    def __init__(self, scope: Scope, headers: dict[bytes, bytes]) -> None:
        super().__init__()
        self.method = "POST"
        self.path = self.path_info = scope["path"]
        self.COOKIES = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))
        for name, value in headers.items():
            key = name.decode("latin-1").upper().replace("-", "_")
            self.META[f"HTTP_{key}"] = value.decode("latin-1")
        self.META["SERVER_NAME"], self.META["SERVER_PORT"] = "", ""
        self.scheme_of_scope = scope.get("scheme", "http")

    def _get_scheme(self) -> str:
        return str(self.scheme_of_scope)


_PER_REQUEST = (b"authorization", b"content-length")


@dataclass(frozen=True)
class _Shape:
    language: str
    headers: list[tuple[bytes, bytes]]


@dataclass(frozen=True)
class _Answer:
    status: int
    content: bytes


class ScanLane:
    """The scan path's ASGI application: answers a scan when it can (see the module's
    docstring) and passes every other request for the path to `app`, Django's; a
    request for another path is a 404."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.path: str | None = None
        self._pool: asyncpg.Pool | None = None
        self._opening = asyncio.Lock()
        self._shapes: dict[tuple[Any, ...], _Shape | None] = {}
        self._ops: BaseDatabaseWrapper | None = None
        gather = settings.GATES_LANE_GATHER_MS / 1000
        self._reads = _Together(_read_many, gather)
        self._inserts = _Together(_insert_many, gather)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return  # no websockets here
        if self.path is None:
            self.path = reverse("api:gates_scan")
        if scope["path"] != self.path:
            await _not_here(send, self.path)
            return
        if scope["method"] == "POST" and enabled():
            body = await _read_body(receive)
            if body is None:
                return  # the phone went away before it finished sending
            if await self._answer(scope, body, send):
                return
            receive = _replaying(body, receive)
        await self.app(scope, receive, send)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await self.close()
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def close(self) -> None:
        if self._pool is not None:
            pool, self._pool = self._pool, None
            await pool.close()

    async def _connections(self) -> asyncpg.Pool:
        if self._pool is None:
            async with self._opening:
                if self._pool is None:
                    self._pool = await _open_pool()
        return self._pool

    async def _answer(self, scope: Scope, body: bytes, send: Send) -> bool:
        """Answer the scan and True, or False (nothing sent, nothing written) for Django
        to answer it."""
        headers = dict(scope["headers"])
        key = _bearer(headers.get(b"authorization", b"").decode("latin-1"))
        if not key:
            return False
        shape = self._shape(scope, headers)
        if shape is None:
            return False  # Django refuses the host, or sends the phone to HTTPS
        try:
            payload = ScanIn.model_validate(json.loads(body))
        except (ValueError, SchemaError):  # not JSON, or not a scan: the view says why
            return False
        if not payload.token and payload.household_id is not None:
            return False  # a household found by hand: the view looks it up
        with translation.override(shape.language):
            answer = await self._judge_and_store(key, payload)
        if answer is None:
            return False
        await send(
            {
                "type": "http.response.start",
                "status": answer.status,
                "headers": [
                    *shape.headers,
                    (b"content-length", str(len(answer.content)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": answer.content})
        return True

    async def _judge_and_store(self, key: str, payload: ScanIn) -> _Answer | None:
        if self._ops is None:  # its operations and converters only, never connected
            self._ops = connections.create_connection(Scan.objects.db)
        connection = self._ops
        now = timezone.now()
        query = selectors.scan_context_query(
            key_hash=tokens.key_hash(key),
            gate_id=payload.gate_id,
            token=payload.token,
            now=now,
            connection=connection,
        )
        if query is None:
            return None
        pool = await self._connections()
        row = await self._reads.run(pool, query)
        context = selectors.scan_context_read(query, row, connection)
        if context is None or not context.may_scan or context.response is None:
            return None
        data = scan_data(payload)
        pass_ = context.passes.get(payload.token)
        used = None
        if (
            pass_ is not None
            and context.rule is not None
            and data.direction == Direction.OUT
            and data.device_at.tzinfo is not None
            and rules.outings_limit(pass_, context.rule) is not None
        ):
            count = services.outings_query(pass_, context.rule, data.device_at)
            sql, params = count.query.get_compiler(connection=connection).as_sql()
            async with pool.acquire() as db:
                used = await db.fetchval(_numbered(f"SELECT count(*) FROM ({sql}) q"), *params)  # noqa: S608 - the ORM's own statement
        proof = None
        hours = proofs.hours_asked(context.rule, data.direction)
        if pass_ is not None and hours and proofs.has_source() and data.device_at.tzinfo:
            sql, params = proofs.bound(connection, pass_.household_id, data.device_at, hours)
            async with pool.acquire() as db:
                rows = await db.fetch(_numbered(sql), *params)
            proof = proofs.from_rows(hours, [tuple(r) for r in rows])
        try:
            scan = services.scan_judge(
                gate=context.gate,
                response=context.response,
                rule=context.rule,
                data=data,
                recorded_by_id=context.user_id,
                passes=context.passes,
                outings_used=used,
                proof=proof,
            )
        except ValidationError:
            return None
        if tokens.needs_touch(context.token_last_used_at, now):
            # The token's use, written down as `token_authenticate` does: at most once a
            # minute.
            async with pool.acquire() as db:
                await db.execute(_touch_sql(), now, context.token_id)
        stored = await self._inserts.run(pool, services.scan_values(scan, connection))
        if stored is not None:
            scan.pk = stored
            return _Answer(status=201, content=_json(scan_out(scan)))
        # The phone sent this scan before (or a retry raced the first try).
        async with pool.acquire() as db:
            stored_row = await db.fetchrow(_replay_sql(), scan.client_id)
        existing = _STORED.read(list(stored_row), connection) if stored_row is not None else None
        if existing is None:
            return None
        if existing.body_hash != scan.body_hash:
            error = ErrorOut(detail=str(services.ScanConflictError(scan.client_id)))
            return _Answer(status=409, content=_json(error))
        return _Answer(status=200, content=_json(scan_out(existing)))

    def _shape(self, scope: Scope, headers: dict[bytes, bytes]) -> _Shape | None:
        """What a request's headers other than its token and length decide, as Django
        decides them: whether Django would refuse the host or redirect to HTTPS (None),
        the language of the answer, and the headers the middleware adds to the view's
        answer. Worked out once per kind of request (a guard's phone sends the same
        headers every time) by Django's own functions and middleware."""
        key = (scope.get("scheme"), *(h for h in scope["headers"] if h[0] not in _PER_REQUEST))
        if key in self._shapes:
            return self._shapes[key]
        request = _Request(scope, headers)
        shape = None
        if _host_allowed(request) and not (
            settings.SECURE_SSL_REDIRECT and not request.is_secure()
        ):
            language = translation.get_language_from_request(request)
            response = HttpResponse(content_type=CONTENT_TYPE)
            with translation.override(language):
                for middleware in reversed(_header_middleware()):
                    answer = middleware(_unused).process_response(request, response)
                    response = cast("HttpResponse", answer)
            shape = _Shape(
                language=language,
                headers=[
                    (name.lower().encode("latin-1"), value.encode("latin-1"))
                    for name, value in response.headers.items()
                ],
            )
        if len(self._shapes) >= 1024:
            self._shapes.clear()
        self._shapes[key] = shape
        return shape


@cache
def _insert_many_sql() -> str:
    """`services.SCAN_INSERT` for many scans at once: a column of values each."""
    connection = connections[Scan.objects.db]
    fields = services.SCAN_FIELDS
    arrays = ", ".join(f"${n}::{f.db_type(connection)}[]" for n, f in enumerate(fields, 1))
    return (
        f"INSERT INTO {Scan._meta.db_table} ({', '.join(f.column for f in fields)})"  # noqa: S608 - the model's columns
        f" SELECT * FROM unnest({arrays})"
        " ON CONFLICT (client_id) DO NOTHING RETURNING client_id, id"
    )


_CLIENT_ID = [f.name for f in services.SCAN_FIELDS].index("client_id")
AT_ONCE = 200  # scans a shared statement carries at most

T = TypeVar("T")
R = TypeVar("R")


class _Together(Generic[T, R]):
    """Statements of a worker's scans, run together. While one is on its way to the
    database, the scans that need it meanwhile wait and go in the next, as one
    statement: under load a worker's scans share a round trip (and, writing, a commit)
    instead of one each. `many` runs the statement for a list of items and gives a
    result each, in order; when the database refuses it, each item is run on its own,
    so that only the one refused fails. When the database cannot be reached, every scan
    of the batch is told so, and the scans waiting behind it still get their turn.

    A statement that finds none on its way waits `gather` seconds for others first:
    at a thousand scans a second on two cores, statements of one or two scans each kept
    the machine so busy that the p99 was 100 ms and more; waiting 2 ms brought it to
    23 to 42 ms in the runs measured, at 2 to 3.5 ms more for the median
    (bench/gates.py)."""

    def __init__(
        self, many: Callable[[Connection, list[T]], Awaitable[list[R]]], gather: float = 0
    ) -> None:
        self.many = many
        self.gather = gather
        self.waiting: list[tuple[T, asyncio.Future[R]]] = []
        self.running: asyncio.Task[None] | None = None

    async def run(self, pool: asyncpg.Pool, item: T) -> R:
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self.waiting.append((item, future))
        if self.running is None:
            self.running = asyncio.create_task(self._run_waiting(pool))
        return await future

    async def _run_waiting(self, pool: asyncpg.Pool) -> None:
        try:
            if self.gather:
                await asyncio.sleep(self.gather)
            while self.waiting:
                batch = self.waiting[:AT_ONCE]
                del self.waiting[:AT_ONCE]
                await self._run(pool, batch)
        finally:
            self.running = None

    async def _run(self, pool: asyncpg.Pool, batch: list[tuple[T, asyncio.Future[R]]]) -> None:
        try:
            async with pool.acquire() as db:
                if len(batch) > 1:
                    try:
                        results = await self.many(db, [item for item, _ in batch])
                    except asyncpg.PostgresError:
                        pass  # one of them is refused: each on its own, below
                    else:
                        for (_, future), result in zip(batch, results, strict=True):
                            future.set_result(result)
                        return
                for item, future in batch:
                    try:
                        future.set_result((await self.many(db, [item]))[0])
                    except asyncpg.PostgresError as error:  # this scan's own refusal
                        future.set_exception(error)
        except Exception as error:  # the database is out of reach: every scan of the batch
            for _, future in batch:
                if not future.done():
                    future.set_exception(error)


async def _read_many(
    db: Connection, queries: list[selectors.ScanContextQuery]
) -> list[tuple[Any, ...] | None]:
    """The rows `selectors.scan_contexts_statement` finds for `queries`, in order."""
    sql, params = selectors.scan_contexts_statement(queries)
    found: list[tuple[Any, ...] | None] = [None] * len(queries)
    for row in await db.fetch(_numbered(sql), *params):
        found[row[0] - 1] = tuple(row)[1:]
    return found


async def _insert_many(db: Connection, rows: list[list[Any]]) -> list[int | None]:
    """The ids of the scans stored, None where the client id was taken (a replay, or
    the same scan twice among them), as `services.SCAN_INSERT` finds."""
    stored = await db.fetch(_insert_many_sql(), *zip(*rows, strict=True))
    ids = {row["client_id"]: row["id"] for row in stored}
    return [ids.pop(values[_CLIENT_ID], None) for values in rows]


def _unused(request: HttpRequest) -> HttpResponse:
    raise AssertionError("only the middleware's process_response is called")


async def _open_pool() -> asyncpg.Pool:
    db = settings.DATABASES["default"]
    options = db.get("OPTIONS", {})
    prepared = options.get("prepare_threshold") is not None
    return await asyncpg.create_pool(
        database=db["NAME"],
        user=db.get("USER") or None,
        password=db.get("PASSWORD") or None,
        host=db.get("HOST") or None,
        port=int(db["PORT"]) if db.get("PORT") else None,
        ssl=options.get("sslmode"),
        min_size=1,
        max_size=settings.GATES_LANE_CONNECTIONS,
        # Without prepared statements kept (a pooler in transaction mode), none cached.
        statement_cache_size=100 if prepared else 0,
        # The lane's statements leave nothing behind on a connection to reset.
        reset=_nothing_to_reset,
    )


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    return None


def _bearer(header: str) -> str | None:
    """The token of an `Authorization: Bearer …` header, read as the API reads it."""
    parts = header.split(" ")
    if parts[0].lower() != "bearer":
        return None
    return " ".join(parts[1:])


def _host_allowed(request: _Request) -> bool:
    """Whether Django would take the request's host: `HttpRequest.get_host` decides,
    reading `X-Forwarded-Host` where `USE_X_FORWARDED_HOST` says so."""
    try:
        request.get_host()
    except DisallowedHost:
        return False
    return True


async def _not_here(send: Send, path: str) -> None:
    content = f"Not found: this server answers {path} alone.\n".encode()
    await send(
        {
            "type": "http.response.start",
            "status": 404,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(content)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": content})


def _json(body: BaseModel) -> bytes:
    """A body as the API's renderer writes it."""
    return json.dumps(body.model_dump(), cls=NinjaJSONEncoder).encode()


async def _read_body(receive: Receive) -> bytes | None:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return None
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """`receive` for Django, which reads the body the lane has read already."""
    sent = False

    async def again() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again
