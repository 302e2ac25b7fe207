"""The scan lane answers every scan exactly as the API's view does (status, body, every
header, and the row stored) or leaves it to the view; it reads in one statement and
stores in one. Both are driven as the ASGI workers serve them (config/asgi.py), the lane
turned on and off; the lane has connections of its own, so these tests commit."""

import asyncio
import contextlib
import json
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from asgiref.sync import async_to_sync
from django.core.asgi import get_asgi_application
from django.db import connection, connections
from django.utils import timezone

from jijie.accounts.models import ApiToken
from jijie.accounts.services import do_role_assign, token_create
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.gates import lane, services
from jijie.gates.models import GateRule, Scan
from jijie.gates.tests.fixtures import NOON, scan_body
from jijie.residents.services import do_household_register

pytestmark = [
    pytest.mark.postgres_only("the scan lane"),
    pytest.mark.django_db(transaction=True),
]

LATER = (NOON + timedelta(hours=1)).isoformat()
# The fields of a stored scan that differ between two stores of the same scan.
UNSTABLE = {"id", "received_at"}


class Answer:
    def __init__(self, status, headers, content):
        self.status_code = status
        self.headers = headers
        self.content = content

    def json(self):
        return json.loads(self.content)


async def _call(app, raw, headers):
    return await _call_raw(app, raw, [(k.lower().encode(), v.encode()) for k, v in headers.items()])


async def _call_raw(app, raw, headers, path="/api/gates/scans", method="POST"):
    messages = [{"type": "http.request", "body": raw, "more_body": False}]
    sent = []

    async def receive():
        if messages:
            return messages.pop()
        await asyncio.Future()  # the phone waits for the answer: it never goes away

    async def send(message):
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    start = sent[0]
    content = b"".join(m.get("body", b"") for m in sent[1:])
    return Answer(
        start["status"],
        sorted((k.decode().lower(), v.decode()) for k, v in start["headers"]),
        content,
    )


def post(key, bodies, **headers):
    """Each of `bodies` posted in turn to the app as served (config/asgi.py)."""
    headers = {"Host": "127.0.0.1", "Content-Type": "application/json", **headers}
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    raws = [(b if isinstance(b, str) else json.dumps(b)).encode() for b in bodies]

    async def run():
        # Django's middleware reads some settings once, when it is built: built anew,
        # it answers under the settings of the test.
        app = lane.ScanLane(get_asgi_application())
        try:
            return [await _call(app, raw, headers) for raw in raws]
        finally:
            await app.close()

    return _on_a_thread_of_its_own(run)


def _on_a_thread_of_its_own(run):
    """`run()` awaited on a thread without an event loop (the browser tests leave one in
    the main thread), whose database connection is closed after."""

    def call():
        try:
            return async_to_sync(run)()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(1) as thread:
        return thread.submit(call).result()


@pytest.fixture(autouse=True)
def answered_fast(monkeypatch):
    """How many requests the lane answered itself."""
    count = [0]
    answer = lane.ScanLane._answer

    async def counting(self, scope, body, send):
        answered = await answer(self, scope, body, send)
        count[0] += answered
        return answered

    monkeypatch.setattr(lane.ScanLane, "_answer", counting)
    return count


@pytest.fixture
def statements(monkeypatch):
    """The statements the lane ran on its own connections."""
    ran = []
    for name in ("execute", "fetch", "fetchrow", "fetchval"):
        method = getattr(asyncpg.Connection, name)

        def counting(self, query, *args, _method=method, **kwargs):
            ran.append(query)
            return _method(self, query, *args, **kwargs)

        monkeypatch.setattr(asyncpg.Connection, name, counting)
    return ran


def _answers(settings, fast, key, bodies, **headers):
    """What the app answers to `bodies` in turn, and the rows stored, with the lane on or
    off; the scans are deleted after."""
    settings.GATES_FAST_SCAN = fast
    answers = []
    for response in post(key, bodies, **headers):
        content = response.json()
        if isinstance(content, dict):
            for field in UNSTABLE:
                content.pop(field, None)
        headers_ = [(k, v) for k, v in response.headers if k != "content-length"]
        length = dict(response.headers).get("content-length")
        answers.append(
            (response.status_code, content, headers_, length == str(len(response.content)))
        )
    rows = [
        {k: v for k, v in row.items() if k not in UNSTABLE}
        for row in Scan.objects.order_by("id").values()
    ]
    Scan.objects.all().delete()
    return answers, rows


@pytest.fixture
def key(actors):
    key = token_create(user=actors.guard, name="phone")
    ApiToken.objects.update(last_used_at=timezone.now())  # used a moment ago
    return key


@pytest.fixture
def more(setup, tree):
    """A revoked pass, an expired one and a household found by the guard."""
    building = setup.household.building
    revoked = services.do_pass_issue(
        actor=SYSTEM,
        household=do_household_register(actor=SYSTEM, building=building, door_number="302"),
        response=setup.response,
        valid_from=NOON - timedelta(days=1),
        valid_until=NOON + timedelta(days=1),
    )
    revoked_token = services.pass_token(revoked)
    services.do_pass_revoke(actor=SYSTEM, pass_=revoked, reason="遗失")
    expired = services.do_pass_issue(
        actor=SYSTEM,
        household=do_household_register(actor=SYSTEM, building=building, door_number="303"),
        response=setup.response,
        valid_from=NOON - timedelta(days=3),
        valid_until=NOON - timedelta(hours=1),
    )
    return {"revoked": revoked_token, "expired": services.pass_token(expired)}


# The status of the last request of each case that is not stored (201): the view answers
# all but the reused id (409).
LAST_STATUS = {
    "replay and conflict": 409,
    "device time without zone": 400,
    "temperature out of range": 422,
    "visitor with a pass": 400,
    "no such gate": 404,
    "gate id past any key": 404,
    "not JSON": 400,
    "not an object": 422,
}


def _cases(setup, more):
    tampered = setup.token[:-3] + ("AAA" if not setup.token.endswith("AAA") else "BBB")
    replayed = scan_body(setup)
    out = scan_body(setup, direction="out", temperature=None)
    return {
        "allowed": [scan_body(setup)],
        "fever": [scan_body(setup, temperature="38.2")],
        "no certificate": [scan_body(setup, certificate_checked=False)],
        "no temperature": [scan_body(setup, temperature=None)],
        "tampered": [scan_body(setup, token=tampered)],
        "garbage code": [scan_body(setup, token="JJ1.garbage")],
        "revoked": [scan_body(setup, token=more["revoked"])],
        "expired": [scan_body(setup, token=more["expired"])],
        "household found": [scan_body(setup, token="", household_id=setup.household.pk)],
        "no pass at all": [scan_body(setup, token="")],
        "visitor": [scan_body(setup, token="", visitor={"name": "王某", "visiting": "301"})],
        "vehicle not disinfected": [scan_body(setup, vehicle_plate="津A12345")],
        "gate closed": [scan_body(setup, device_at=(NOON + timedelta(hours=11)).isoformat())],
        "outings used up": [out, {**out, "client_id": str(uuid.uuid4()), "device_at": LATER}],
        "replay and conflict": [replayed, replayed, {**replayed, "temperature": "36.9"}],
        "device time without zone": [scan_body(setup, device_at="2026-11-24T12:00:00")],
        "temperature out of range": [scan_body(setup, temperature="99")],
        "visitor with a pass": [scan_body(setup, visitor={"name": "王某"})],
        "no such gate": [scan_body(setup, gate_id=999999)],
        "gate id past any key": [scan_body(setup, gate_id=2**70)],
        "household id past any key": [scan_body(setup, token="", household_id=2**70)],
        "not JSON": ["{not json"],
        "not an object": ["[1, 2]"],
    }


@pytest.mark.parametrize(
    "case",
    [
        "allowed",
        "fever",
        "no certificate",
        "no temperature",
        "tampered",
        "garbage code",
        "revoked",
        "expired",
        "household found",
        "no pass at all",
        "visitor",
        "vehicle not disinfected",
        "gate closed",
        "outings used up",
        "replay and conflict",
        "device time without zone",
        "temperature out of range",
        "visitor with a pass",
        "no such gate",
        "gate id past any key",
        "household id past any key",
        "not JSON",
        "not an object",
    ],
)
def test_the_lane_answers_as_the_view_does(settings, setup, more, key, answered_fast, case):
    bodies = _cases(setup, more)[case]
    by_view = _answers(settings, False, key, bodies)
    assert answered_fast == [0]
    by_fast = _answers(settings, True, key, bodies)
    assert by_fast == by_view
    # What is stored, replayed or refused as a reused id, the lane answers itself; a
    # household found by hand it leaves to the view.
    found_by_hand = case.startswith("household")
    by_lane = 0 if found_by_hand else sum(a[0] in (200, 201, 409) for a in by_view[0])
    assert answered_fast == [by_lane]
    expected = LAST_STATUS.get(case, 201)
    assert by_view[0][-1][0] == expected


@pytest.mark.parametrize(
    ("who", "status"),
    [("guard", 201), ("manager", 201), ("street", 403), ("outsider", 404), ("member", 404)],
)
def test_three_actors_lane_or_not(settings, setup, actors, who, status):
    key = token_create(user=getattr(actors, who), name="phone")
    ApiToken.objects.update(last_used_at=timezone.now())
    body = scan_body(setup)
    by_view = _answers(settings, False, key, [body])
    by_fast = _answers(settings, True, key, [body])
    assert by_fast == by_view
    assert by_view[0][0][0] == status


def test_a_role_over_another_community_does_not_scan_here(settings, setup, tree, key):
    """A guard of the next community: the gate is out of sight, 404 either way."""
    other = token_create(user=_guard_of(tree.sibling), name="phone")
    ApiToken.objects.update(last_used_at=timezone.now())
    by_view = _answers(settings, False, other, [scan_body(setup)])
    assert by_view[0][0][0] == 404
    assert _answers(settings, True, other, [scan_body(setup)]) == by_view


def _guard_of(area):
    from jijie.accounts.models import User

    user = User.objects.create_user(username=f"guard-{area.code}")
    do_role_assign(actor=SYSTEM, user=user, role=Role.GATE_GUARD, area=area)
    return user


@pytest.mark.parametrize(
    "token",
    ["revoked", "expired", "unknown", "inactive", "empty", "password_step", "mfa_step"],
)
def test_a_dead_token_is_a_401_either_way(settings, setup, actors, token):
    key = token_create(user=actors.guard, name="phone")
    if token == "revoked":
        ApiToken.objects.update(revoked_at=timezone.now())
    elif token == "expired":
        ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    elif token == "unknown":
        key = "not-a-token"
    elif token == "inactive":
        actors.guard.is_active = False
        actors.guard.save()
    elif token == "password_step":  # a password someone else set, not yet replaced
        actors.guard.password_change_required = True
        actors.guard.save()
    elif token == "mfa_step":  # a second factor to enrol first
        actors.guard.mfa_enrolment_required = True
        actors.guard.save()
    else:
        key = ""
    by_view = _answers(settings, False, key, [scan_body(setup)])
    assert by_view[0][0][0] == 401
    assert _answers(settings, True, key, [scan_body(setup)]) == by_view


def test_a_token_for_another_part_of_the_api_is_a_403_either_way(settings, setup, actors):
    key = token_create(user=actors.guard, name="phone", scopes=["residents", "screening"])
    by_view = _answers(settings, False, key, [scan_body(setup)])
    assert by_view[0][0][0] == 403
    assert by_view[1] == []  # nothing stored
    assert _answers(settings, True, key, [scan_body(setup)]) == by_view


def test_no_response_in_force_is_the_views_400(settings, setup, key):
    setup.response.status, setup.response.closed_at = "closed", NOON
    setup.response.save()
    by_view = _answers(settings, False, key, [scan_body(setup)])
    assert by_view[0][0][0] == 400
    assert _answers(settings, True, key, [scan_body(setup)]) == by_view


def test_english_messages_either_way(settings, setup, more, key):
    bodies = [scan_body(setup, token=more["expired"])]
    by_view = _answers(settings, False, key, bodies, **{"Accept-Language": "en"})
    assert by_view[0][0][1]["message"].startswith("The pass expired")
    by_fast = _answers(settings, True, key, bodies, **{"Accept-Language": "en"})
    assert by_fast == by_view


def test_a_scan_is_one_read_and_one_insert_on_the_lanes_connections(
    settings, setup, key, statements
):
    settings.GATES_FAST_SCAN = True
    GateRule.objects.filter(pk=setup.rule.pk).update(certificate_hours=None)
    (response,) = post(key, [scan_body(setup)])
    assert response.status_code == 201
    assert len(statements) == 2, statements
    assert "INSERT" in statements[1]


def test_a_rule_asking_for_a_negative_result_reads_the_ledger_once_more(
    settings, setup, key, statements, answered_fast
):
    settings.GATES_FAST_SCAN = True
    (response,) = post(key, [scan_body(setup, certificate_checked=False)])
    assert answered_fast == [1]
    assert response.json()["reason"] == "certificate_missing"
    assert response.json()["proof"] == "none"
    assert len(statements) == 3, statements
    assert '"testing_sample"' in statements[1]
    assert "INSERT" in statements[2]


def test_a_replay_reads_the_stored_scan_once_more(settings, setup, key, statements):
    settings.GATES_FAST_SCAN = True
    body = scan_body(setup)
    first, again = post(key, [body, body])
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    assert len(statements) == 7  # read, the ledger, insert; then again, and the replay
    assert Scan.objects.count() == 1


def test_a_limited_outing_counts_the_households_exits_on_the_lane(
    settings, setup, key, statements, answered_fast
):
    settings.GATES_FAST_SCAN = True
    out = scan_body(setup, direction="out", temperature=None)
    first, second = post(key, [out, {**out, "client_id": str(uuid.uuid4()), "device_at": LATER}])
    assert first.json()["is_allowed"] is True
    assert second.json()["reason"] == "outings_used_up"
    assert answered_fast == [2]
    assert len(statements) == 6  # read, count, insert; twice


def test_the_lane_writes_down_a_tokens_use_once_a_minute(
    settings, setup, actors, answered_fast, statements
):
    """As the API's authentication does: the first use, then not again within the
    minute."""
    settings.GATES_FAST_SCAN = True
    key = token_create(user=actors.guard, name="phone")
    first, second = post(key, [scan_body(setup), scan_body(setup)])
    assert (first.status_code, second.status_code) == (201, 201)
    assert ApiToken.objects.get().last_used_at == NOON  # the tests' clock stands still
    assert answered_fast == [2]
    assert sum(s.startswith("UPDATE") for s in statements) == 1


def test_a_host_django_refuses_is_left_to_django(settings, setup, key, answered_fast):
    settings.GATES_FAST_SCAN = True
    (response,) = post(key, [scan_body(setup)], Host="evil.example")
    assert response.status_code == 400
    assert answered_fast == [0]
    assert Scan.objects.count() == 0


def test_https_redirect_and_hsts_as_django_gives_them(settings, setup, key, answered_fast):
    settings.GATES_FAST_SCAN = True
    settings.SECURE_SSL_REDIRECT = True
    (response,) = post(key, [scan_body(setup)])
    assert response.status_code == 301  # plain HTTP: Django sends the phone to HTTPS
    assert answered_fast == [0]
    settings.SECURE_HSTS_SECONDS = 3600
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # production's default is True
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    body = scan_body(setup, temperature="38.5")
    by_view = _answers(settings, False, key, [body], **{"X-Forwarded-Proto": "https"})
    by_lane = _answers(settings, True, key, [body], **{"X-Forwarded-Proto": "https"})
    assert by_lane == by_view
    assert ("strict-transport-security", "max-age=3600") in by_view[0][0][2]
    assert answered_fast == [1]


def test_a_forwarded_host_is_read_as_django_reads_it(settings, setup, key, answered_fast):
    # behind a proxy that names the host it was asked for, as Django is told to trust
    settings.USE_X_FORWARDED_HOST = True
    settings.ALLOWED_HOSTS = ["jijie.example.gov.cn"]
    forwarded = {"X-Forwarded-Host": "jijie.example.gov.cn"}
    body = scan_body(setup)
    by_view = _answers(settings, False, key, [body], **forwarded)
    by_lane = _answers(settings, True, key, [body], **forwarded)
    # the lane answers it (it used to leave every scan to Django then), as the view does
    assert by_lane == by_view
    assert by_view[0][0][0] == 201
    assert answered_fast == [1]
    # and a forwarded host Django refuses is left to Django
    (refused,) = post(key, [body], **{"X-Forwarded-Host": "evil.example"})
    assert refused.status_code == 400
    assert answered_fast == [1]


def test_a_middleware_taken_out_of_the_settings_is_out_of_the_lanes_answer(
    settings, setup, key, answered_fast
):
    settings.MIDDLEWARE = [
        m
        for m in settings.MIDDLEWARE
        if m != "django.middleware.clickjacking.XFrameOptionsMiddleware"
    ]
    body = scan_body(setup)
    by_view = _answers(settings, False, key, [body])
    by_lane = _answers(settings, True, key, [body])
    assert by_lane == by_view
    assert "x-frame-options" not in dict(by_lane[0][0][2])
    assert answered_fast == [1]


def test_the_lane_serves_its_one_path_alone(settings, setup, key, answered_fast):
    settings.GATES_FAST_SCAN = True
    headers = [(b"host", b"127.0.0.1"), (b"authorization", f"Bearer {key}".encode())]

    async def run():
        app = lane.ScanLane(get_asgi_application())
        try:
            return (
                await _call_raw(app, b"", headers, path="/healthz", method="GET"),
                await _call_raw(app, b"", headers, path="/api/gates/scans/batch"),
                await _call_raw(app, b"", headers, method="GET"),
            )
        finally:
            await app.close()

    elsewhere, batch, get = _on_a_thread_of_its_own(run)
    # another path is not Django's page: a proxy that sends it here is set up wrong
    assert (elsewhere.status_code, batch.status_code) == (404, 404)
    assert b"/api/gates/scans alone" in elsewhere.content
    # a request for the path the lane does not answer is Django's (405 for a GET)
    assert get.status_code == 405
    assert answered_fast == [0]


def test_the_lane_is_off_on_request(settings, setup, key, answered_fast):
    settings.GATES_FAST_SCAN = False
    (response,) = post(key, [scan_body(setup)])
    assert response.status_code == 201
    assert answered_fast == [0]


def test_scans_judged_together_are_stored_in_one_statement(settings, setup, key, statements):
    """Phones that post at the same moment: the worker stores their scans in one insert
    once the first is on its way; a replay among them and an id reused are still told
    apart, and each scan is answered on its own."""
    settings.GATES_FAST_SCAN = True
    headers = [
        (b"host", b"127.0.0.1"),
        (b"content-type", b"application/json"),
        (b"authorization", f"Bearer {key}".encode()),
    ]
    bodies = [scan_body(setup, temperature=t) for t in ("36.1", "36.4", "38.0", "36.6", "36.2")]
    reused = {**bodies[0], "temperature": "36.9"}
    posted = [*bodies, bodies[1], reused]

    async def run():
        app = lane.ScanLane(get_asgi_application())
        try:
            return await asyncio.gather(
                *(_call_raw(app, json.dumps(b).encode(), headers) for b in posted)
            )
        finally:
            await app.close()

    answers = _on_a_thread_of_its_own(run)
    statuses = [a.status_code for a in answers]
    # Whichever of two sends of one scan lands first is stored, the other replayed; of a
    # scan and another under its id, the second is refused.
    assert statuses[2:5] == [201] * 3
    assert sorted([statuses[1], statuses[5]]) == [200, 201]
    assert answers[1].json()["id"] == answers[5].json()["id"]
    assert sorted([statuses[0], statuses[6]]) == [201, 409]
    assert [a.json()["is_allowed"] for a in answers[1:5]] == [True, False, True, True]
    assert Scan.objects.count() == 5
    ids = {a.json()["id"] for a in answers if a.status_code in (200, 201)}
    assert len(ids) == 5
    many = [s for s in statements if "unnest" in s]
    assert many, statements  # at least the scans judged meanwhile went in together
    assert sum("INSERT" in s for s in statements) < len(posted)


def test_a_refused_scan_in_a_shared_insert_fails_alone(setup):
    """One scan of a shared insert that the database refuses (here a gate that no longer
    exists) fails on its own; the others are stored."""
    from jijie.gates.models import Scan as ScanRow

    scans = [
        services.scan_judge(
            gate=setup.gate,
            response=setup.response,
            rule=setup.rule,
            data=services.ScanData(
                client_id=uuid.uuid4(), device_at=NOON, direction="in", token=""
            ),
            recorded_by_id=None,
            passes={},
        )
        for _ in range(3)
    ]
    values = [services.scan_values(s, connection) for s in scans]
    gate_at = [f.name for f in services.SCAN_FIELDS].index("gate")
    values[1][gate_at] = 10**9  # no such gate: a foreign key the database refuses

    async def run():
        pool = await lane._open_pool()
        inserts = lane._Together(lane._insert_many)
        try:
            return await asyncio.gather(
                *(inserts.run(pool, v) for v in values), return_exceptions=True
            )
        finally:
            await pool.close()

    with ThreadPoolExecutor(1) as thread:
        results = thread.submit(async_to_sync(run)).result()
    assert isinstance(results[0], int)
    assert isinstance(results[1], asyncpg.ForeignKeyViolationError)
    assert isinstance(results[2], int)
    assert sorted(ScanRow.objects.values_list("client_id", flat=True)) == sorted(
        [scans[0].client_id, scans[2].client_id]
    )


def test_fuzzed_scans_get_no_server_error_from_the_lane(
    settings, client, setup, key, answered_fast
):
    """Scans generated from the API's own OpenAPI schema, half of them at the real gate,
    at the right time, with the real pass, sent through the lane: never a server
    error."""
    import schemathesis
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hypothesis_settings

    settings.GATES_FAST_SCAN = True
    schema = schemathesis.openapi.from_dict(client.get("/api/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    (operation,) = [
        o for o in operations if o.path == "/api/gates/scans" and o.method.upper() == "POST"
    ]
    bodies: list[object] = []

    @hypothesis_settings(
        max_examples=60, deadline=None, database=None, suppress_health_check=list(HealthCheck)
    )
    @given(case=operation.as_strategy())
    def collect(case):
        body = case.body
        if isinstance(body, dict) and len(bodies) % 2:
            body = {**body, "gate_id": setup.gate.pk, "device_at": NOON.isoformat()}
            body.pop("household_id", None)
            if not body.get("visitor"):
                body["token"] = setup.token
        bodies.append(body if isinstance(body, dict | list) else "null")

    collect()
    answers = post(key, bodies)
    assert [a.status_code for a in answers if a.status_code >= 500] == []
    assert answered_fast[0] >= 5  # the lane answered a good share of them itself


def test_scans_waiting_behind_a_batch_that_lost_the_database_still_get_their_turn():
    """The database goes away under one shared statement: its scans are told so, and
    the scans that arrived meanwhile are still run (they would otherwise wait for good,
    their statement never sent)."""

    class Pool:
        def __init__(self):
            self.calls = 0

        @contextlib.asynccontextmanager
        async def acquire(self):
            self.calls += 1
            if self.calls == 1:
                await asyncio.sleep(0.01)  # on its way while the others arrive
                raise ConnectionResetError("the database went away")
            yield None

    async def many(db, items):
        return [item * 10 for item in items]

    async def run():
        together = lane._Together(many)
        pool: Any = Pool()  # stands in for asyncpg's pool
        first = asyncio.ensure_future(together.run(pool, 1))
        await asyncio.sleep(0)  # the first statement is on its way
        later = [together.run(pool, n) for n in (2, 3)]
        return await asyncio.wait_for(
            asyncio.gather(first, *later, return_exceptions=True), timeout=2
        )

    first, *later = _on_a_thread_of_its_own(run)
    assert isinstance(first, ConnectionResetError)
    assert later == [20, 30]
