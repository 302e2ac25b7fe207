"""Supplies on home: a shortage reaches the street the same day, a request from below
waits on the street's home and in its menu's badge, a transfer on its way waits on the
community's home."""

from datetime import timedelta

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from jijie.areas import access
from jijie.supplies import home, services
from jijie.supplies.tests.fixtures import NOW, ask, receive


def _home(client, user) -> str:
    client.force_login(user)
    html: str = client.get(reverse("accounts:home")).content.decode()
    return html


def _card(html: str, key: str) -> str:
    return html[html.index(f'data-testid="card-{key}"') :][:800]


def test_a_shortage_and_a_request_reach_the_street_the_same_day(client, supplies, actors):
    for who in (actors.street, actors.manager, actors.outsider):
        assert 'data-testid="card-supplies-short"' not in _home(client, who)
    receive(supplies, supplies.community, supplies.thermometers, 1)
    services.threshold_set(
        actor=actors.manager, store=supplies.community, item=supplies.thermometers, minimum="3"
    )
    services.request_submit(
        actor=actors.manager,
        store=supplies.community,
        response=supplies.response,
        data=services.RequestData(
            lines=[services.Line(supplies.thermometers, 2)],
            reason="我们社区没有耳温枪",
            needed_by=timezone.localdate() + timedelta(days=1),
        ),
    )
    street = _home(client, actors.street)
    assert "新港路社区物资室 耳温枪 1/3" in _card(street, "supplies-short")
    assert '<span class="badge">1</span>' in _card(street, "supplies-requests")
    client.force_login(actors.street)
    badges = client.get(reverse("accounts:badges")).content.decode()
    assert '<span hx-swap-oob="innerHTML:.badge-supplies">1</span>' in badges
    # the community sees its own shortage; the sibling community nothing of it
    assert "耳温枪" in _card(_home(client, actors.manager), "supplies-short")
    assert 'data-testid="card-supplies-short"' not in _home(client, actors.outsider)
    assert 'data-testid="card-supplies-requests"' not in _home(client, actors.manager)


def test_a_transfer_on_its_way_waits_on_the_receivers_home(client, supplies, actors):
    receive(supplies, supplies.street, supplies.masks, 100)
    services.transfer_send(
        actor=actors.street,
        source=supplies.street,
        destination=supplies.community,
        response=supplies.response,
        lines=[services.Line(supplies.masks, 40)],
    )
    card = _card(_home(client, actors.lower), "supplies-arriving")
    assert "源西街道物资库 调来" in card
    assert reverse("supplies:store", args=[supplies.community.pk]) in card
    assert 'data-testid="card-supplies-arriving"' not in _home(client, actors.outsider)


def test_requests_past_their_day_are_counted_not_read(supplies, actors):
    """Home names how many requests are past their day; it never reads them, however many
    a city has: a count, with the stores under their minimum."""
    for days in (0, 0, 3):
        ask(supplies, actors.manager, (supplies.masks, 5), needed_by=NOW.date() + timedelta(days))
    access.assignments(actors.street)  # read before every page's view, not the card's
    with (
        time_machine.travel(NOW + timedelta(days=1), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        cards = home.shortages(actors.street)
    assert [(c.key, c.count, str(c.note)) for c in cards] == [
        ("supplies-short", 2, "逾期申请 2 份")
    ]
    asked = [q["sql"] for q in queries.captured_queries if "supplies_supplyrequest" in q["sql"]]
    assert len(asked) == 1
    assert "COUNT(" in asked[0]
    # the day after the third's, all three
    with time_machine.travel(NOW + timedelta(days=4), tick=False):
        assert [c.count for c in home.shortages(actors.street)] == [3]
