"""A sampler's phone at the lane, through the outbox's sync: a person found by the ID
number on their card (wherever they live), a walk-in registered on the spot, a retry
stored once, and every refusal said by field; the same form posted without the page's
script; the page itself kept for use with no signal, and only for those who sample."""

from __future__ import annotations

import json
import uuid

import pytest
import time_machine
from django.urls import reverse

from jijie.core.views import OFFLINE_HEADER
from jijie.residents.models import Household, Person, ResidentType
from jijie.testing.models import Sample, Tube
from jijie.testing.tests.conftest import NOW, at, ric

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _sync(client, *items):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    ).json()["results"]


def _swab(site, barcode, id_number, ref=None, **more):
    fields = {"site": str(site.pk), "barcode": barcode, "id_number": id_number,
              "recorded_at": at(9, 30).isoformat(), **more}  # fmt: skip
    return {"kind": "testing.sample", "client_ref": ref or str(uuid.uuid4()), "fields": fields}


def test_a_swab_sent_twice_is_stored_once(client, site, carded, actors):
    client.force_login(actors.grid_worker)
    item = _swab(site, "ab-0001", ric(0))
    first, again = _sync(client, item, item)
    assert first["status"] == "stored"
    assert "AB-0001 第 1/10 人" in first["message"]
    assert again["status"] == "already"
    (sample,) = Sample.objects.all()
    assert sample.person == carded[0]
    assert sample.taken_at == at(9, 30)
    assert str(sample.client_ref) == item["client_ref"]
    assert _sync(client, item)[0]["status"] == "already"
    assert Sample.objects.count() == 1


def test_a_walk_in_from_elsewhere_is_found_by_the_card(client, site, carded, actors):
    client.force_login(actors.grid_worker)
    (answer,) = _sync(client, _swab(site, "AB-0001", ric(3)))
    assert answer["status"] == "stored"
    assert Sample.objects.get().person == carded[3]


def test_someone_the_registry_lacks_is_registered_at_their_door(client, site, carded, actors, tree):
    client.force_login(actors.grid_worker)
    stranger = ric(50)
    (answer,) = _sync(client, _swab(site, "AB-0001", stranger))
    assert answer["status"] == "refused"
    assert list(answer["errors"]) == ["id_number"]
    assert stranger not in json.dumps(answer)  # masked
    assert not Person.objects.filter(name="过路人").exists()
    (answer,) = _sync(
        client,
        _swab(site, "AB-0001", stranger, name="过路人", building=tree.building.code, door="1201"),
    )
    assert answer["status"] == "stored"
    person = Sample.objects.get().person
    assert person.name == "过路人"
    assert person.resident_type == ResidentType.FLOATING
    assert person.household == Household.objects.get(building=tree.building, door_number="1201")
    # a building outside the site's community is refused, and nothing is registered
    other = _swab(site, "AB-0001", ric(51), name="外人", building="441602004002-01-001", door="1")
    (answer,) = _sync(client, other)
    assert answer["status"] == "refused"
    assert "building" in answer["errors"]
    assert not Person.objects.filter(name="外人").exists()


def test_bad_swabs_are_refused_by_field_and_leave_nothing(client, site, carded, actors, round_):
    client.force_login(actors.grid_worker)
    answers = _sync(
        client,
        _swab(site, "AB-0001", "441602199001010011"),  # check digit wrong
        _swab(site, "AB 0001 ??", ric(0)),
        _swab(site, "AB-0001", ric(0), recorded_at="yesterday"),
        _swab(site, "AB-0001", ric(0), ref="not-a-uuid"),
        {
            **_swab(site, "AB-0001", ric(0)),
            "fields": {**_swab(site, "x", "")["fields"], "site": "9999"},
        },
    )
    assert [a["status"] for a in answers] == ["refused"] * 5
    assert "id_number" in answers[0]["errors"]
    assert "barcode" in answers[1]["errors"]
    assert "recorded_at" in answers[2]["errors"]
    assert "编号" in answers[3]["message"]
    assert "不在您的辖区" in answers[4]["message"]
    huge = _swab(site, "AB-0001", ric(0))
    huge["fields"]["site"] = "9" * 40
    assert _sync(client, huge)[0]["status"] == "refused"
    assert not Sample.objects.exists()
    assert not Tube.objects.exists()


def test_a_retest_needs_its_reason_and_a_full_tube_takes_no_one(
    client, site, carded, actors, round_
):
    client.force_login(actors.grid_worker)
    round_.tube_size = 2
    round_.save()
    _first, second, third = _sync(
        client,
        _swab(site, "AB-0001", ric(0)),
        _swab(site, "AB-0001", ric(1)),
        _swab(site, "AB-0001", ric(2)),
    )
    assert "已满封管" in second["message"]
    assert third["status"] == "refused"
    assert "barcode" in third["errors"]
    (again,) = _sync(client, _swab(site, "AB-0002", ric(0)))
    assert again["status"] == "refused"
    assert "retest_reason" in again["errors"]
    (again,) = _sync(client, _swab(site, "AB-0002", ric(0), retest_reason="混管复核"))
    assert again["status"] == "stored"


def test_only_a_sampler_of_the_site_sends_there(client, site, carded, actors):
    for who in (actors.outsider, actors.member, actors.auditor):
        client.force_login(who)
        (answer,) = _sync(client, _swab(site, "AB-0001", ric(0)))
        assert answer["status"] == "refused"
        assert client.get(reverse("testing:sample", args=[site.pk])).status_code in (403, 404)
    assert not Sample.objects.exists()


def test_the_page_is_kept_for_no_signal_and_posts_without_its_script(client, site, carded, actors):
    client.force_login(actors.grid_worker)
    page = reverse("testing:sample", args=[site.pk])
    shown = client.get(page)
    assert shown[OFFLINE_HEADER] == "keep"
    body = shown.content.decode()
    assert 'data-outbox-form="testing.sample"' in body
    assert carded[0].name not in body
    ref = str(uuid.uuid4())
    form = {"client_ref": ref, "site": site.pk, "barcode": "ab-0009", "id_number": ric(1)}
    answer = client.post(page, form)
    assert answer.status_code == 302
    assert "barcode=AB-0009" in answer.url
    assert client.post(page, form).status_code == 302  # sent twice: stored once
    assert Sample.objects.get().person == carded[1]
    refused = client.post(page, {**form, "client_ref": "", "id_number": ric(77)})
    assert refused.status_code == 200
    assert "登记库中没有" in refused.content.decode()
    assert Sample.objects.count() == 1
    # the index leads a sampler to today's sites
    assert page in client.get(reverse("testing:index")).content.decode()


def _seal(site, barcode):
    fields = {"site": str(site.pk), "barcode": barcode}
    return {"kind": "testing.seal", "client_ref": str(uuid.uuid4()), "fields": fields}


def test_a_tube_sealed_early_takes_no_one_more(client, site, carded, actors):
    client.force_login(actors.grid_worker)
    _sync(client, _swab(site, "AB-0001", ric(0)), _swab(site, "AB-0001", ric(1)))
    sealed, again, unknown = _sync(
        client, _seal(site, "ab-0001"), _seal(site, "AB-0001"), _seal(site, "AB-0404")
    )
    assert sealed["status"] == "stored"
    assert "共 2 人" in sealed["message"]
    assert again["status"] == "already"
    assert unknown["status"] == "refused"
    assert "barcode" in unknown["errors"]
    assert Tube.objects.get().sealed_at is not None
    (late,) = _sync(client, _swab(site, "AB-0001", ric(2)))
    assert late["status"] == "refused"
    assert "已封管" in late["message"]
    # without the page's script
    _sync(client, _swab(site, "AB-0002", ric(2)))
    answer = client.post(reverse("testing:seal", args=[site.pk]), {"barcode": "AB-0002"})
    assert answer.status_code == 302
    assert Tube.objects.get(barcode="AB-0002").sealed_at is not None
    client.force_login(actors.outsider)
    assert (
        client.post(reverse("testing:seal", args=[site.pk]), {"barcode": "AB-0002"}).status_code
        == 404
    )
