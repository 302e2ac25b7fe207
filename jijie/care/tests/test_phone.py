"""A supervisor's phone at an isolated household's door, through the outbox's sync: a
follow-up stored once however often it is sent, at the time the phone recorded it, a
fever raising its alert; refused by field, and only for a case the sender follows."""

from __future__ import annotations

import json
import uuid

import pytest
from django.urls import reverse

from jijie.care.models import Alert, AlertKind, FollowUp
from jijie.care.tests.fixtures import TODAY, local

pytestmark = pytest.mark.django_db


def _sync(client, *items):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    ).json()["results"]


def _follow_up(target, ref=None, **more):
    fields = {"case": str(target.pk), "contact": "visit", "temperature": "36.6",
              "recorded_at": local(TODAY, 9, 5).isoformat(), **more}  # fmt: skip
    return {"kind": "care.follow_up", "client_ref": ref or uuid.uuid4().hex, "fields": fields}


def test_a_follow_up_sent_twice_is_stored_once_at_the_phones_time(client, case, actors):
    client.force_login(actors.grid_worker)
    item = _follow_up(case)
    first, again = _sync(client, item, item)
    assert first["status"] == "stored"
    assert again["status"] == "already"
    stored = FollowUp.objects.get()
    assert stored.recorded_at == local(TODAY, 9, 5)
    assert stored.slot == 0  # the 9:00 slot, though it reached the server at 10:00
    (fever,) = _sync(client, _follow_up(case, temperature="38.4"))
    assert "发热预警" in fever["message"]
    assert Alert.objects.filter(kind=AlertKind.FEVER, case=case).exists()


def test_bad_follow_ups_are_refused_by_field_and_store_nothing(client, case, actors):
    client.force_login(actors.grid_worker)
    answers = _sync(
        client,
        _follow_up(case, temperature="50"),
        _follow_up(case, temperature="热"),
        _follow_up(case, contact="pigeon"),
        _follow_up(case, case="99999"),
        _follow_up(case, recorded_at=local(TODAY, 23).isoformat()),
    )
    assert [a["status"] for a in answers] == ["refused"] * 5
    assert "temperature" in answers[0]["errors"]
    assert "temperature" in answers[1]["errors"]
    assert "contact" in answers[2]["errors"]
    assert "不在您的辖区" in answers[3]["message"]
    assert "recorded_at" in answers[4]["errors"]
    assert not FollowUp.objects.exists()


def test_only_those_who_follow_the_case_send_for_it(client, case, actors):
    for who in (actors.outsider, actors.auditor, actors.nobody):
        client.force_login(who)
        (answer,) = _sync(client, _follow_up(case))
        assert answer["status"] == "refused"
    assert not FollowUp.objects.exists()


def test_the_day_page_records_through_the_phones_outbox(client, case, actors):
    client.force_login(actors.grid_worker)
    shown = client.get(reverse("care:day")).content.decode()
    assert 'data-outbox-form="care.follow_up"' in shown
    assert f'data-outbox-key="{case.pk}"' in shown
    assert 'data-testid="outbox"' in shown
