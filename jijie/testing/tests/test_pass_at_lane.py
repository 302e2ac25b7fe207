"""A resident shows their household's pass at the lane instead of an ID card: the
sampler scans it, the household's people are listed (by name only for a sampler who may
see the household in the registry), and the one picked is swabbed. A bad, revoked or
outside pass lists no one; a pick from another household is refused."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.gates import services as gates
from jijie.residents.models import Household
from jijie.residents.services import PersonData, do_person_add
from jijie.testing import selectors
from jijie.testing.models import Sample
from jijie.testing.tests.conftest import NOW, at, ric
from tests.browser import PHONE, new_context, screenshot, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def home(people, round_):
    """居民0's household with a second member carrying an ID card, and its pass."""
    head = people[0]
    wife = do_person_add(
        actor=SYSTEM,
        household=head.household,
        data=PersonData(name="妻子", relation="spouse", document_number=ric(7)),
    ).person
    pass_ = gates.do_pass_issue(
        actor=SYSTEM,
        household=head.household,
        response=round_.response,
        valid_from=NOW - timedelta(days=1),
        valid_until=NOW + timedelta(days=10),
    )
    return head, wife, pass_


def _pass_of(household, round_):
    return gates.pass_token(
        gates.do_pass_issue(
            actor=SYSTEM,
            household=household,
            response=round_.response,
            valid_from=NOW - timedelta(days=1),
            valid_until=NOW + timedelta(days=10),
        )
    )


def _sync(client, *items):
    return client.post(
        reverse("sync"), json.dumps({"items": list(items)}), content_type="application/json"
    ).json()["results"]


def _swab(site, token, member, **more):
    fields = {"site": str(site.pk), "barcode": "AB-0001", "pass_token": token,
              "member": str(member), "recorded_at": at(9, 30).isoformat(), **more}  # fmt: skip
    return {"kind": "testing.sample", "client_ref": str(uuid.uuid4()), "fields": fields}


def test_the_person_picked_from_the_household_shown_is_swabbed(client, site, home, actors):
    head, wife, pass_ = home
    client.force_login(actors.grid_worker)
    listed = client.post(
        reverse("testing:pass_members", args=[site.pk]), {"token": gates.pass_token(pass_)}
    )
    assert "no-store" in listed["Cache-Control"]
    members = listed.json()["members"]
    assert [m["id"] for m in members] == [head.pk, wife.pk]
    assert members[1]["label"].startswith("妻子 · ")
    (answer,) = _sync(client, _swab(site, gates.pass_token(pass_), wife.pk))
    assert answer["status"] == "stored", answer
    assert Sample.objects.get().person == wife


def test_a_sampler_who_may_not_see_the_household_reads_no_names(site, home, actors):
    head, wife, _pass = home
    labels = dict(selectors.household_members(head.household, actor=actors.nobody))
    assert "妻子" not in labels[wife.pk]
    assert labels[wife.pk].endswith(wife.document_masked)
    assert ric(7) not in labels[wife.pk]
    assert "居民0" not in labels[head.pk]


def test_what_does_not_fit_is_refused_and_nothing_stored(
    client, site, home, people, actors, round_
):
    _head, wife, pass_ = home
    token = gates.pass_token(pass_)
    neighbour = people[1]
    outside = Household.objects.exclude(area_path__startswith=round_.area.path).get()
    client.force_login(actors.grid_worker)
    no_pick, other_home, garbage, elsewhere = _sync(
        client,
        _swab(site, token, ""),
        _swab(site, token, neighbour.pk),
        _swab(site, "JJ1.garbage", wife.pk),
        _swab(site, _pass_of(outside, round_), wife.pk),
    )
    assert [a["status"] for a in (no_pick, other_home, garbage, elsewhere)] == ["refused"] * 4
    assert list(no_pick["errors"]) == ["member"]
    assert list(other_home["errors"]) == ["member"]
    assert list(garbage["errors"]) == ["pass_token"]
    assert list(elsewhere["errors"]) == ["pass_token"]
    gates.do_pass_revoke(actor=SYSTEM, pass_=pass_, reason="遗失")
    (revoked,) = _sync(client, _swab(site, token, wife.pk))
    assert list(revoked["errors"]) == ["pass_token"]
    assert not Sample.objects.exists()
    listed = client.post(reverse("testing:pass_members", args=[site.pk]), {"token": token})
    assert listed.json()["members"] == []
    assert "身份证号" in listed.json()["error"]


def test_only_a_sampler_of_the_site_lists_a_household(client, site, home, actors):
    url = reverse("testing:pass_members", args=[site.pk])
    token = gates.pass_token(home[2])
    assert client.post(url, {"token": token}).status_code == 302  # to sign in
    for who in (actors.outsider, actors.member):
        client.force_login(who)
        assert client.post(url, {"token": token}).status_code == 404
    client.force_login(actors.grid_worker)
    assert client.get(url).status_code == 405


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_pass_shown_at_the_lane_on_the_phone(live_server, browser, site, home, actors):
    _head, wife, pass_ = home
    with time_machine.travel(NOW, tick=True):
        context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, "gridworker")
        page.goto(f"{live_server.url}/testing/sites/{site.pk}/sample/")
        page.fill("[name=barcode]", "AB-0001")
        # the camera reads the pass (as jijie/scanner.js reports a code read)
        page.evaluate(
            """token => {
                const box = document.querySelector('[data-pass-scanner]');
                document.getElementById(box.dataset.target).value = token;
                box.dispatchEvent(new CustomEvent('scanned', {detail: {text: token}, bubbles: true}));
            }""",
            gates.pass_token(pass_),
        )
        page.wait_for_selector("[data-testid=members] input[name=member]")
        screenshot(page, "testing-pass-at-lane-phone")
        page.check(f"[data-testid=members] input[value='{wife.pk}']")
        page.click("[data-testid=sample-form] button[type=submit]")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 1 条')")
        assert page.is_hidden("[data-testid=members]")
        context.close()
    assert Sample.objects.get().person == wife
