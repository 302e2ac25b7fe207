"""The scan API: three actors, replays, conflicts, an offline batch with a bad item, as
its views answer them (the scan lane in front of them is tested in test_lane.py)."""

import json
import uuid
from datetime import timedelta

import pytest
import schemathesis
from django.db import connection
from django.test.utils import CaptureQueriesContext
from schemathesis.checks import response_schema_conformance

from jijie.accounts.services import token_create
from jijie.audit.actors import SYSTEM
from jijie.core.testing_api import validate
from jijie.gates import signing
from jijie.gates.models import Scan
from jijie.gates.tests.fixtures import NOON, scan_body
from jijie.residents.services import do_household_register


def _headers(user):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone')}"}


def _post(client, user, path, body):
    return client.post(
        f"/api/gates/{path}",
        json.dumps(body),
        content_type="application/json",
        headers=_headers(user),
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [("guard", 201), ("manager", 201), ("street", 403), ("outsider", 404), ("member", 404)],
)
def test_scan_three_actors(client, setup, actors, who, status):
    response = _post(client, getattr(actors, who), "scans", scan_body(setup))
    assert response.status_code == status, response.content
    assert Scan.objects.count() == (1 if status == 201 else 0)


def test_scan_answers_the_decision(client, setup, actors):
    answer = _post(client, actors.guard, "scans", scan_body(setup, temperature="38.2")).json()
    assert answer["is_allowed"] is False
    assert answer["reason"] == "fever"
    assert "38.2" in answer["message"]
    assert answer["pass_id"] == setup.pass_.pk


def test_replays_are_stored_once_and_a_changed_body_is_a_409(client, setup, actors):
    body = scan_body(setup)
    statuses = [_post(client, actors.guard, "scans", body).status_code for _ in range(3)]
    assert statuses == [201, 200, 200]
    conflict = _post(client, actors.guard, "scans", {**body, "temperature": "36.9"})
    assert conflict.status_code == 409
    assert body["client_id"] in conflict.json()["detail"]
    assert Scan.objects.count() == 1


def test_bad_input_is_a_clear_400_or_422(client, setup, actors):
    no_zone = _post(
        client, actors.guard, "scans", scan_body(setup, device_at="2026-11-24T12:00:00")
    )
    assert no_zone.status_code == 400
    assert "device_at" in no_zone.json()["detail"]
    hot = _post(client, actors.guard, "scans", scan_body(setup, temperature="99"))
    assert hot.status_code == 422
    assert not Scan.objects.exists()


def test_offline_batch_with_one_bad_item(client, setup, actors):
    good = [
        scan_body(setup, device_at=(NOON - timedelta(minutes=m)).isoformat()) for m in (30, 10, 20)
    ]
    replay = dict(good[0])
    bad = scan_body(setup, gate_id=999999)
    conflict = {**good[1], "temperature": "37.0"}
    answer = _post(
        client, actors.guard, "scans/batch", {"scans": [*good, replay, bad, conflict]}
    ).json()
    statuses = [r["status"] for r in answer["results"]]
    assert statuses == ["stored", "stored", "stored", "replayed", "not_found", "conflict"]
    assert answer["results"][4]["client_id"] == bad["client_id"]
    assert "999999" in answer["results"][4]["detail"]
    assert (answer["stored"], answer["replayed"], answer["failed"]) == (3, 1, 2)
    assert Scan.objects.count() == 3


def test_a_gate_without_a_response_in_force_refuses_scans_under_gate_id(client, setup, actors):
    setup.response.status, setup.response.closed_at = "closed", NOON
    setup.response.save()
    single = _post(client, actors.guard, "scans", scan_body(setup))
    assert single.status_code == 400
    assert list(single.json()["errors"]) == ["gate_id"]
    batch = _post(client, actors.guard, "scans/batch", {"scans": [scan_body(setup)]}).json()
    assert batch["results"][0]["status"] == "invalid"
    assert batch["results"][0]["detail"].startswith("gate_id: ")
    assert Scan.objects.count() == 0


def test_batch_item_with_bad_values_is_named(client, setup, actors):
    items = [scan_body(setup), scan_body(setup, device_at=(NOON - timedelta(days=60)).isoformat())]
    answer = _post(client, actors.guard, "scans/batch", {"scans": items}).json()
    assert [r["status"] for r in answer["results"]] == ["stored", "invalid"]
    assert "device_at" in answer["results"][1]["detail"]


def test_keys_carry_the_public_key_and_revocations(client, setup, actors):
    from jijie.gates import services

    services.do_pass_revoke(actor=SYSTEM, pass_=setup.pass_, reason="遗失")
    answer = client.get("/api/gates/keys", headers=_headers(actors.guard)).json()
    assert answer["public_key"] == signing.public_key_b64()
    assert answer["revoked_pass_ids"] == [setup.pass_.pk]
    outsider = client.get("/api/gates/keys", headers=_headers(actors.outsider)).json()
    assert outsider["revoked_pass_ids"] == []


def test_gates_and_counts(client, setup, actors):
    gates = client.get("/api/gates/gates", headers=_headers(actors.guard)).json()
    assert [g["name"] for g in gates] == ["东门"]
    assert gates[0]["rule"]["certificate_hours"] == 48
    assert client.get("/api/gates/gates", headers=_headers(actors.outsider)).json() == []
    _post(client, actors.guard, "scans", scan_body(setup))
    counts = client.get(
        f"/api/gates/gates/{setup.gate.pk}/counts?day=2026-11-24", headers=_headers(actors.street)
    ).json()
    assert counts[12] == {"hour": 12, "entered": 1, "exited": 0, "denied": 0}
    missing = client.get(
        f"/api/gates/gates/{setup.gate.pk}/counts?day=2026-11-24", headers=_headers(actors.outsider)
    )
    assert missing.status_code == 404


def test_openapi_documents_the_scan_endpoints(client, db):
    schema = client.get("/api/openapi.json").json()
    assert "/api/gates/scans" in schema["paths"]
    assert "/api/gates/scans/batch" in schema["paths"]
    assert "ScanIn" in schema["components"]["schemas"]


@pytest.mark.parametrize("day", ["1999-12-31", "2100-01-01"])
def test_counts_of_a_day_out_of_range_is_a_400(client, setup, actors, day):
    answer = client.get(
        f"/api/gates/gates/{setup.gate.pk}/counts?day={day}", headers=_headers(actors.guard)
    )
    assert answer.status_code == 400
    assert "2000-01-01" in answer.json()["detail"]


def _statements(queries, table=""):
    """The statements run, leaving out the savepoints of the test's transaction."""
    # A prepared statement is logged without its text on PostgreSQL (None).
    return [
        q["sql"]
        for q in queries.captured_queries
        if "SAVEPOINT" not in (q["sql"] or "") and table in (q["sql"] or "")
    ]


def test_a_scan_runs_seven_statements_through_the_view(client, setup, actors):
    headers = _headers(actors.guard)
    client.get("/api/gates/keys", headers=headers)  # the token's first use is written once
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            "/api/gates/scans", scan_body(setup), content_type="application/json", headers=headers
        )
    assert response.status_code == 201
    # Token and user, role assignments, gate, response and rule, pass, the testing
    # ledger's word on the household (the rule asks for a negative result), insert.
    assert len(_statements(queries)) == 7, _statements(queries)


def test_the_gate_list_reads_the_rules_in_the_same_queries_for_one_gate_or_five(
    client, setup, actors, tree
):
    from jijie.gates import services

    headers = _headers(actors.guard)
    client.get("/api/gates/keys", headers=headers)  # the token's first use is written once

    def listed():
        with CaptureQueriesContext(connection) as queries:
            gates = client.get("/api/gates/gates", headers=headers).json()
        return gates, len(_statements(queries))

    one, for_one = listed()
    for name in ("西门", "南门", "北门", "后门"):
        gate = services.do_gate_create(actor=SYSTEM, area=tree.community, name=name)
        services.do_gate_rule_set(
            actor=SYSTEM, gate=gate, response=setup.response, data=services.RuleData()
        )
    five, for_five = listed()
    assert len(one) == 1
    assert len(five) == 5
    assert all(g["rule"]["response_id"] == setup.response.pk for g in five)
    assert for_five == for_one


def test_a_batch_reads_the_response_and_rule_once_per_gate(client, setup, actors, tree):
    from jijie.gates import services

    other = services.do_gate_create(actor=SYSTEM, area=tree.community, name="西门")
    items = [scan_body(setup, gate_id=(setup.gate.pk if n % 2 else other.pk)) for n in range(20)]
    headers = _headers(actors.guard)
    client.get("/api/gates/keys", headers=headers)
    with CaptureQueriesContext(connection) as queries:
        answer = client.post(
            "/api/gates/scans/batch",
            {"scans": items},
            content_type="application/json",
            headers=headers,
        ).json()
    assert answer["stored"] == 20
    assert len(_statements(queries, '"responses_response"')) == 2
    assert len(_statements(queries, 'FROM "gates_gate"')) == 2
    assert len(_statements(queries, 'FROM "gates_pass"')) == 1
    # The testing ledger's rows for each of the 10 coming in at the gate whose rule asks
    # for a negative result (at its own instant); the other gate has no such rule.
    assert len(_statements(queries, '"testing_sample"')) == 10
    # token and user, role assignments; gate and rule per gate; the passes; the ledger's
    # rows; a row a scan
    assert len(_statements(queries)) == 2 + 2 * 2 + 1 + 10 + 20


def test_a_batch_decides_each_pass_as_single_scans_do(client, setup, actors):
    from jijie.gates import services

    revoked = services.do_pass_issue(
        actor=SYSTEM,
        household=do_household_register(
            actor=SYSTEM, building=setup.household.building, door_number="302"
        ),
        response=setup.response,
        valid_from=NOON - timedelta(days=1),
        valid_until=NOON + timedelta(days=1),
    )
    revoked_token = services.pass_token(revoked)
    services.do_pass_revoke(actor=SYSTEM, pass_=revoked, reason="遗失")
    tampered = setup.token[:-3] + ("AAA" if not setup.token.endswith("AAA") else "BBB")
    tokens = [setup.token, tampered, revoked_token, setup.token, "", "JJ1.garbage"]
    items = [scan_body(setup, token=token) for token in tokens]
    items[4]["household_id"] = setup.household.pk
    answer = _post(client, actors.guard, "scans/batch", {"scans": items}).json()
    in_batch = [(r["scan"]["reason"], r["scan"]["pass_id"]) for r in answer["results"]]
    one_by_one = [
        (answer["reason"], answer["pass_id"])
        for answer in (
            _post(client, actors.guard, "scans", {**item, "client_id": str(uuid.uuid4())}).json()
            for item in items
        )
    ]
    assert in_batch == one_by_one
    assert in_batch == [
        ("ok", setup.pass_.pk),
        ("pass_invalid", None),
        ("pass_revoked", revoked.pk),
        ("ok", setup.pass_.pk),
        ("ok", setup.pass_.pk),
        ("pass_invalid", None),
    ]


def test_gate_times_conform_to_the_published_schema(client, setup, actors):
    # JSON Schema's `format: time` needs an offset; the gate list sent "06:00:00".
    document = client.get("/api/openapi.json").json()
    gates = client.get("/api/gates/gates", headers=_headers(actors.guard))
    case = schemathesis.openapi.from_dict(document)["/api/gates/gates"]["GET"].Case()
    validate(case, gates, [response_schema_conformance], headers={})
    [gate] = gates.json()
    assert (gate["opens_at"], gate["closes_at"], gate["rule"]["curfew_at"]) == (
        "06:00:00",
        "22:00:00",
        "20:00:00",
    )
    published = json.dumps(document["components"]["schemas"]["GateOut"])
    assert '"format": "time"' not in published


@pytest.mark.parametrize("device_at", [1795521600, "1795521600", "0122-11-24T12:00:00+08:00"])
def test_a_scan_time_is_iso_text_in_the_calendar(client, setup, actors, device_at):
    response = _post(client, actors.guard, "scans", scan_body(setup, device_at=device_at))
    assert response.status_code == 422, response.content
    assert response.json()["detail"][0]["loc"][-1] == "device_at"
    assert not Scan.objects.exists()


@pytest.mark.parametrize("day", ["1795521600", "0122-11-24", "0001-01-01", "9999-12-31"])
def test_a_day_of_counts_is_iso_text_in_the_calendar(client, setup, actors, day):
    response = client.get(
        f"/api/gates/gates/{setup.gate.pk}/counts?day={day}", headers=_headers(actors.guard)
    )
    assert response.status_code == 422, response.content
