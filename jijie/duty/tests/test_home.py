"""Duty on home: the community's shifts of today and tomorrow still short of people,
leading to its board."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.duty import services
from jijie.duty.tests.fixtures import claim, demand, resident, shifts, with_account

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)


def _home(client, user):
    client.force_login(user)
    return client.get(reverse("accounts:home")).content.decode()


def test_the_secretary_sees_the_shifts_short_of_people(client, tree, posts, actors, time_machine):
    today = TODAY
    time_machine.move_to(datetime.combine(today, time(10), tzinfo=SHANGHAI), tick=False)
    assert 'data-testid="card-gaps"' not in _home(client, actors.manager)
    # one place a day at 08:00 from tomorrow, for three days: the next 48 hours hold two
    made = demand(
        tree.community, posts.guard, days=3, per_day=1, low=1, high=1,
        start=today + timedelta(days=1),
    )  # fmt: skip
    html = _home(client, actors.manager)
    card = html[html.index('data-testid="card-gaps"') :][:500]
    assert '<span class="badge">2</span>' in card
    assert reverse("duty:board", args=[tree.community.code]) in card
    # a shift filled is no longer short
    someone = with_account(resident(1, tree), "resident1")
    claimed = claim(someone, shifts(made)[0])
    services.do_participation_confirm(actor=SYSTEM, participation=claimed)
    html = _home(client, actors.manager)
    card = html[html.index('data-testid="card-gaps"') :][:500]
    assert '<span class="badge">1</span>' in card
    # those who do not run the community's duty see no such card
    for other in (actors.outsider, actors.lower, actors.grid_worker):
        assert 'data-testid="card-gaps"' not in _home(client, other)


def test_the_members_card_says_how_many_shifts_are_open_to_claim(
    client, tree, posts, actors, time_machine
):
    time_machine.move_to(datetime.combine(TODAY, time(10), tzinfo=SHANGHAI), tick=False)
    someone = with_account(resident(1, tree), "resident1")
    assert 'data-testid="card-shifts"' not in _home(client, someone.user)
    made = demand(
        tree.community, posts.guard, days=2, per_day=1, low=1, high=1,
        start=TODAY + timedelta(days=1),
    )  # fmt: skip
    html = _home(client, someone.user)
    card = html[html.index('data-testid="card-shifts"') :][:600]
    assert '<span class="badge">2</span>' in card
    assert "暂无已排的班次,2 个班次可认领" in card
    # once one is claimed, the card names the next shift instead
    claim(someone, shifts(made)[0])
    card = _home(client, someone.user)
    card = card[card.index('data-testid="card-shifts"') :][:600]
    assert "下一班:03-11 08:00" in card
