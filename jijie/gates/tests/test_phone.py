"""A guard's phone at the gate, through the outbox's sync: a scan recorded with no
signal is judged at the phone's time and stored once however often it is sent, its
decision in the answer; what is wrong is refused by field, nothing stored; a gate out of
the guard's sight or role is refused; the page is kept on the phone for use with no
signal."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse

from jijie.core.views import OFFLINE_HEADER
from jijie.gates.models import Scan
from jijie.gates.tests.fixtures import NOON

pytestmark = pytest.mark.django_db


def _sync(client, *items):
    answer = client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    )
    assert answer.status_code == 200, answer.content
    return answer.json()["results"]


def _scan(setup, ref=None, **fields):
    values = {
        "gate": str(setup.gate.pk),
        "direction": "in",
        "token": setup.token,
        "temperature": "36.5",
        "certificate_checked": "on",
        "recorded_at": (NOON - timedelta(minutes=20)).isoformat(),
        **fields,
    }
    return {"kind": "gates.scan", "client_ref": ref or str(uuid.uuid4()), "fields": values}


def test_a_scan_sent_twice_is_stored_once_at_the_phones_time(client, setup, actors):
    client.force_login(actors.guard)
    item = _scan(setup)
    first, again = _sync(client, item, item)
    # The household has no one on the ledger: the guard checked the person's certificate.
    nobody = "核酸:台账无本户须检测人员的记录。"
    assert (first["status"], first["message"]) == ("stored", f"放行 · {nobody}")
    assert first["data"] == {"allowed": True, "proof": "none", "why": nobody}
    assert again["status"] == "already"
    assert again["data"]["allowed"] is True
    scan = Scan.objects.get()
    assert str(scan.client_id) == item["client_ref"]
    assert scan.device_at == NOON - timedelta(minutes=20)
    assert scan.recorded_by == actors.guard


def test_the_decision_comes_back_with_its_reason(client, setup, actors):
    client.force_login(actors.guard)
    fever, unchecked, out = _sync(
        client,
        _scan(setup, temperature="38.1"),
        _scan(setup, certificate_checked=""),
        _scan(setup, direction="out", temperature=""),
    )
    assert fever["status"] == "stored"
    assert fever["data"]["allowed"] is False
    assert fever["message"].startswith("禁止通行:体温 38.1℃")
    assert unchecked["data"]["allowed"] is False
    assert unchecked["data"]["proof"] == "none"
    assert (
        unchecked["data"]["why"] == "核酸:台账无本户须检测人员的记录。请查验本人证明后勾选,再登记。"
    )
    assert out["data"]["allowed"] is True
    assert sorted(Scan.objects.values_list("reason", flat=True)) == [
        "certificate_missing",
        "fever",
        "ok",
    ]


def test_what_is_wrong_is_refused_by_field_and_nothing_stored(client, setup, actors):
    client.force_login(actors.guard)
    ref = str(uuid.uuid4())
    hot, nothing, ahead = _sync(
        client,
        _scan(setup, ref=ref, temperature="99"),
        _scan(setup, token=""),
        _scan(setup, recorded_at=(NOON + timedelta(hours=1)).isoformat()),
    )
    assert hot["status"] == "refused"
    assert list(hot["errors"]) == ["temperature"]
    assert nothing["status"] == "refused"
    assert nothing["message"] == "请扫描或粘贴通行证二维码,或登记访客。"
    assert ahead["status"] == "refused"
    assert list(ahead["errors"]) == ["recorded_at"]
    assert Scan.objects.count() == 0
    # fixed and sent again under the same id, it is stored
    (fixed,) = _sync(client, _scan(setup, ref=ref))
    assert fixed["status"] == "stored"
    assert str(Scan.objects.get().client_id) == ref


def test_an_id_reused_for_another_scan_is_refused(client, setup, actors):
    client.force_login(actors.guard)
    ref = str(uuid.uuid4())
    _sync(client, _scan(setup, ref=ref))
    (other,) = _sync(client, _scan(setup, ref=ref, temperature="36.9"))
    assert other["status"] == "refused"
    assert "已用于另一条不同的记录" in other["message"]
    assert Scan.objects.count() == 1


@pytest.mark.parametrize(("who", "status"), [("street", "refused"), ("outsider", "refused")])
def test_a_gate_out_of_the_guards_reach_is_refused(client, setup, actors, who, status):
    client.force_login(getattr(actors, who))
    (answer,) = _sync(client, _scan(setup))
    assert answer["status"] == status
    assert Scan.objects.count() == 0


def test_no_session_no_scan(client, setup):
    answer = client.post(
        reverse("sync"),
        json.dumps({"items": [_scan(setup)]}),
        content_type="application/json",
    )
    assert answer.status_code == 401
    assert Scan.objects.count() == 0


def test_the_scan_page_is_kept_for_use_with_no_signal(client, setup, actors):
    client.force_login(actors.guard)
    page = client.get(f"/gates/{setup.gate.pk}/scan/")
    assert page[OFFLINE_HEADER] == "keep"
    assert 'data-outbox-form="gates.scan"' in page.text
    assert 'name="client_ref"' in page.text
    # nothing of a household on it until a scan is posted (its door is shown as the
    # building's name then the door; a random client id may hold the digits alone)
    household = setup.household
    assert f"{household.building.name} {household.door_number}" not in page.text
