"""The scan API's fast path answers every scan exactly as the API's view does (status,
body, headers and the row stored) or leaves it to the view; it reads in one statement
and stores in one."""

import json
import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jijie.accounts.models import ApiToken, Role
from jijie.accounts.services import role_assign, token_create
from jijie.gates import fastscan, services
from jijie.gates.models import Scan
from jijie.gates.tests.conftest import NOON
from jijie.residents.services import household_register

# The fields of a stored scan that differ between two stores of the same scan.
UNSTABLE = {"id", "received_at"}


def _body(setup, **kw):
    body = {
        "client_id": str(uuid.uuid4()),
        "gate_id": setup.gate.pk,
        "device_at": NOON.isoformat(),
        "direction": "in",
        "token": setup.token,
        "temperature": "36.5",
        "certificate_checked": True,
    }
    body.update(kw)
    return body


def _post(client, key, body, **headers):
    raw = body if isinstance(body, str) else json.dumps(body)
    if key is not None:
        headers["Authorization"] = f"Bearer {key}"
    return client.post("/api/gates/scans", raw, content_type="application/json", headers=headers)


@pytest.fixture(autouse=True)
def answered_fast(monkeypatch):
    """How many requests the fast path answered itself."""
    count = [0]
    answer = fastscan.answer

    def counting(request):
        response = answer(request)
        count[0] += response is not None
        return response

    monkeypatch.setattr(fastscan, "answer", counting)
    return count


def _answers(client, settings, fast, key, bodies, **headers):
    """What the API answers to `bodies` in turn, and the rows stored, with the fast path
    on or off; everything is rolled back after."""
    settings.GATES_FAST_SCAN = fast
    with transaction.atomic():
        answers = []
        for body in bodies:
            response = _post(client, key, body, **headers)
            content = response.json()
            for field in UNSTABLE:
                content.pop(field, None)
            answers.append(
                (
                    response.status_code,
                    content,
                    response["Content-Type"],
                    response.get("X-Frame-Options"),
                    response.get("Content-Language"),
                    response.has_header("Content-Length"),
                )
            )
        rows = [
            {k: v for k, v in row.items() if k not in UNSTABLE}
            for row in Scan.objects.order_by("id").values()
        ]
        transaction.set_rollback(True)
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
    revoked = services.pass_issue(
        actor=None,
        household=household_register(actor=None, building=building, door_number="302"),
        response=setup.response,
        valid_from=NOON - timedelta(days=1),
        valid_until=NOON + timedelta(days=1),
    )
    revoked_token = services.pass_token(revoked)
    services.pass_revoke(actor=None, pass_=revoked, reason="遗失")
    expired = services.pass_issue(
        actor=None,
        household=household_register(actor=None, building=building, door_number="303"),
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
    replayed = _body(setup)
    out = _body(setup, direction="out", temperature=None)
    return {
        "allowed": [_body(setup)],
        "fever": [_body(setup, temperature="38.2")],
        "no certificate": [_body(setup, certificate_checked=False)],
        "no temperature": [_body(setup, temperature=None)],
        "tampered": [_body(setup, token=tampered)],
        "garbage code": [_body(setup, token="JJ1.garbage")],
        "revoked": [_body(setup, token=more["revoked"])],
        "expired": [_body(setup, token=more["expired"])],
        "household found": [_body(setup, token="", household_id=setup.household.pk)],
        "no pass at all": [_body(setup, token="")],
        "visitor": [_body(setup, token="", visitor={"name": "王某", "visiting": "301"})],
        "vehicle not disinfected": [_body(setup, vehicle_plate="津A12345")],
        "gate closed": [_body(setup, device_at=(NOON + timedelta(hours=11)).isoformat())],
        "outings used up": [out, {**out, "client_id": str(uuid.uuid4())}],
        "replay and conflict": [replayed, replayed, {**replayed, "temperature": "36.9"}],
        "device time without zone": [_body(setup, device_at="2026-11-24T12:00:00")],
        "temperature out of range": [_body(setup, temperature="99")],
        "visitor with a pass": [_body(setup, visitor={"name": "王某"})],
        "no such gate": [_body(setup, gate_id=999999)],
        "gate id past any key": [_body(setup, gate_id=2**70)],
        "household id past any key": [_body(setup, token="", household_id=2**70)],
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
def test_the_fast_path_answers_as_the_view_does(
    client, settings, setup, more, key, answered_fast, case
):
    bodies = _cases(setup, more)[case]
    by_view = _answers(client, settings, False, key, bodies)
    assert answered_fast == [0]
    by_fast = _answers(client, settings, True, key, bodies)
    assert by_fast == by_view
    # What is stored, replayed or refused as a reused id, the fast path answers itself.
    assert answered_fast == [sum(a[0] in (200, 201, 409) for a in by_view[0])]
    expected = LAST_STATUS.get(case, 201)
    assert by_view[0][-1][0] == expected


@pytest.mark.parametrize(
    ("who", "status"),
    [("guard", 201), ("manager", 201), ("street", 403), ("outsider", 404), ("member", 404)],
)
def test_three_actors_fast_or_not(client, settings, setup, actors, who, status):
    key = token_create(user=getattr(actors, who), name="phone")
    ApiToken.objects.update(last_used_at=timezone.now())
    body = _body(setup)
    by_view = _answers(client, settings, False, key, [body])
    by_fast = _answers(client, settings, True, key, [body])
    assert by_fast == by_view
    assert by_view[0][0][0] == status


def test_a_role_over_another_community_does_not_scan_here(client, settings, setup, tree, key):
    """A guard of the next community: the gate is out of sight, 404 either way."""
    other = token_create(user=_guard_of(tree.sibling), name="phone")
    ApiToken.objects.update(last_used_at=timezone.now())
    by_view = _answers(client, settings, False, other, [_body(setup)])
    assert by_view[0][0][0] == 404
    assert _answers(client, settings, True, other, [_body(setup)]) == by_view


def _guard_of(area):
    from jijie.accounts.models import User

    user = User.objects.create_user(username=f"guard-{area.code}")
    role_assign(actor=None, user=user, role=Role.GATE_GUARD, area=area)
    return user


@pytest.mark.parametrize("token", ["revoked", "expired", "unknown", "inactive", "empty"])
def test_a_dead_token_is_a_401_either_way(client, settings, setup, actors, token):
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
    else:
        key = ""
    by_view = _answers(client, settings, False, key, [_body(setup)])
    assert by_view[0][0][0] == 401
    assert _answers(client, settings, True, key, [_body(setup)]) == by_view


def test_no_response_in_force_is_the_views_400(client, settings, setup, key):
    setup.response.status, setup.response.closed_at = "closed", NOON
    setup.response.save()
    by_view = _answers(client, settings, False, key, [_body(setup)])
    assert by_view[0][0][0] == 400
    assert _answers(client, settings, True, key, [_body(setup)]) == by_view


def test_english_messages_either_way(client, settings, setup, more, key):
    bodies = [_body(setup, token=more["expired"])]
    by_view = _answers(client, settings, False, key, bodies, **{"Accept-Language": "en"})
    assert by_view[0][0][1]["message"].startswith("The pass expired")
    by_fast = _answers(client, settings, True, key, bodies, **{"Accept-Language": "en"})
    assert by_fast == by_view


def _statements(queries):
    # A prepared statement is logged without its text on PostgreSQL (None).
    return [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in (q["sql"] or "")]


def test_a_scan_is_one_read_and_one_insert(client, settings, setup, key):
    settings.GATES_FAST_SCAN = True
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, key, _body(setup))
    assert response.status_code == 201
    statements = _statements(queries)
    assert len(statements) == 2, statements


def test_a_replay_reads_the_stored_scan_once_more(client, settings, setup, key):
    settings.GATES_FAST_SCAN = True
    body = _body(setup)
    _post(client, key, body)
    with CaptureQueriesContext(connection) as queries:
        response = _post(client, key, body)
    assert response.status_code == 200
    assert len(_statements(queries)) == 3
    assert Scan.objects.count() == 1


def test_the_first_use_of_a_token_is_written_down_by_the_view(client, settings, setup, actors):
    """A token's use is due to be written: the view answers and writes it; the next
    scans, a moment later, take the fast path."""
    settings.GATES_FAST_SCAN = True
    key = token_create(user=actors.guard, name="phone")
    with CaptureQueriesContext(connection) as first:
        assert _post(client, key, _body(setup)).status_code == 201
    assert ApiToken.objects.get().last_used_at is not None
    with CaptureQueriesContext(connection) as second:
        assert _post(client, key, _body(setup)).status_code == 201
    assert len(_statements(first)) > 2
    assert len(_statements(second)) == 2


def test_a_session_scan_takes_the_view(client, settings, setup, actors):
    settings.GATES_FAST_SCAN = True
    client.force_login(actors.guard)
    response = client.post(
        "/api/gates/scans", json.dumps(_body(setup)), content_type="application/json"
    )
    assert response.status_code == 201
    assert Scan.objects.get().recorded_by == actors.guard
