"""A grid worker's phone at a building's doors, through the outbox's sync: a door's
visit stored once however often it is sent, checked as the visit page checks it, and
refused by field; the doors page kept for a basement, with no one's name on it."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from jijie.core.views import OFFLINE_HEADER
from jijie.screening.models import Revisit, Visit

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def frozen():
    """Before the campaign (dated from the day it is made) and every phone's time."""
    with time_machine.travel(NOW, tick=False):
        yield


def _sync(client, *items):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    ).json()["results"]


def _visit(target, household, ref=None, **more):
    fields = {"campaign": str(target.pk), "household": str(household.pk), "mode": "door",
              "outcome": "done", "q_people_home": "2", "q_needs_help": "no", **more}  # fmt: skip
    return {"kind": "screening.visit", "client_ref": ref or str(uuid.uuid4()), "fields": fields}


def test_a_door_sent_twice_is_stored_once(client, campaign, households, actors):
    client.force_login(actors.grid_worker)
    when = NOW - timedelta(minutes=40)  # recorded in the basement, sent later
    item = _visit(campaign, households[0], recorded_at=when.isoformat())
    first, again = _sync(client, item, item)
    assert first["status"] == "stored"
    assert "1栋 101" in first["message"]
    assert again["status"] == "already"
    visit = Visit.objects.get()
    assert visit.people_present == 2
    assert visit.visited_at == when
    assert visit.client_ref == item["client_ref"]
    (nobody,) = _sync(client, _visit(campaign, households[1], outcome="no_answer"))
    assert nobody["status"] == "stored"
    assert Revisit.objects.filter(household=households[1]).exists()
    assert Visit.objects.count() == 2


def test_bad_visits_are_refused_by_field_and_store_nothing(client, campaign, households, actors):
    client.force_login(actors.grid_worker)
    later = (NOW + timedelta(hours=2)).isoformat()
    answers = _sync(
        client,
        _visit(campaign, households[0], q_people_home="很多"),
        _visit(campaign, households[0], outcome="gone"),
        _visit(campaign, households[4]),  # the sibling community's door
        _visit(campaign, households[0], campaign="99999"),
        _visit(campaign, households[0], recorded_at=later),
    )
    assert [a["status"] for a in answers] == ["refused"] * 5
    assert "q_people_home" in answers[0]["errors"]
    assert "outcome" in answers[1]["errors"]
    assert "不在您的辖区" in answers[2]["message"]
    assert "不在您的辖区" in answers[3]["message"]
    assert "recorded_at" in answers[4]["errors"]
    assert not Visit.objects.exists()


def test_only_a_worker_of_the_building_records_there(client, campaign, households, actors):
    for who in (actors.outsider, actors.auditor, actors.member):
        client.force_login(who)
        (answer,) = _sync(client, _visit(campaign, households[0]))
        assert answer["status"] == "refused"
    assert not Visit.objects.exists()


def test_the_doors_page_is_kept_for_a_basement_without_names(
    client, campaign, households, actors, tree
):
    client.force_login(actors.grid_worker)
    page = client.get(reverse("screening:doors", args=[campaign.pk, tree.building.code]))
    assert page[OFFLINE_HEADER] == "keep"
    shown = page.content.decode()
    assert 'data-outbox-form="screening.visit"' in shown
    assert "王小明" not in shown  # 101's head: named on the household's page only
    assert f'<option value="{households[0].pk}" selected>101</option>' in shown
