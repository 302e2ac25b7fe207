"""A member's phone at the door of a household they run an errand for, through the
outbox's sync: the errand reported run once however often it is sent, at the time the
phone recorded it; refused by field, before it was accepted, or by anyone but its
runner, changing nothing."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from jijie.care import services
from jijie.care.models import Errand, ErrandState
from jijie.care.services import ErrandData
from jijie.care.tests.fixtures import TODAY, local, resident_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def running(clock, case, actors, homes, tree):
    """王家's groceries, claimed by 小明 (a member living in the community) at 10:00."""
    ming = resident_member(1, tree, username="ming")
    errand = services.errand_create(
        actor=actors.grid_worker,
        household=homes.wang,
        data=ErrandData(
            kind="groceries", needed="青菜两斤", due_by=timezone.now() + timedelta(hours=3),
            money_advanced="0",
        ),
    )  # fmt: skip
    assert ming.user is not None
    services.errand_claim(actor=ming.user, errand=errand)
    return ming, errand


def _sync(client, *items):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    ).json()["results"]


def _done(target, **more):
    fields = {"errand": str(target.pk), "proof_note": "已放门口,拍照发给住户",
              "recorded_at": local(TODAY, 10, 40).isoformat(), **more}  # fmt: skip
    return {"kind": "care.errand_done", "client_ref": uuid.uuid4().hex, "fields": fields}


def test_an_errand_reported_twice_is_run_once_at_the_phones_time(client, running, clock):
    ming, errand = running
    clock.shift(timedelta(hours=1))  # the signal is back at 11:00
    client.force_login(ming.user)
    item = _done(errand)
    first, again, other_id = _sync(client, item, item, _done(errand))
    assert (first["status"], again["status"], other_id["status"]) == (
        "stored", "already", "already",
    )  # fmt: skip
    stored = Errand.objects.get(pk=errand.pk)
    assert stored.state == ErrandState.DONE
    assert stored.done_at == local(TODAY, 10, 40)
    assert stored.minutes == 40  # from accepting at 10:00 to the phone's 10:40


def test_bad_reports_are_refused_and_change_nothing(client, running, clock, tree):
    ming, errand = running
    clock.shift(timedelta(hours=1))
    client.force_login(ming.user)
    answers = _sync(
        client,
        _done(errand, proof_note=""),
        _done(errand, minutes="9999"),
        _done(errand, recorded_at=local(TODAY, 9, 30).isoformat()),  # before it was claimed
        _done(errand, errand="99999"),
    )
    assert [a["status"] for a in answers] == ["refused"] * 4
    assert "proof_note" in answers[0]["errors"]
    assert "minutes" in answers[1]["errors"]
    assert "recorded_at" in answers[2]["errors"]
    hong = resident_member(2, tree, username="hong")
    client.force_login(hong.user)
    (not_theirs,) = _sync(client, _done(errand))
    assert not_theirs["status"] == "refused"
    assert Errand.objects.get(pk=errand.pk).state == ErrandState.ACCEPTED


def test_the_members_page_reports_through_the_outbox(client, running):
    ming, errand = running
    client.force_login(ming.user)
    shown = client.get(reverse("care:mine")).content.decode()
    assert 'data-outbox-form="care.errand_done"' in shown
    assert f'data-outbox-key="{errand.pk}"' in shown
    assert 'data-testid="outbox"' in shown
