"""Care on home: the supervisor's follow-ups due today, the community's open alerts."""

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijie.care import services
from jijie.care.services import FollowUpData
from jijie.core import home


def _home(client, user):
    client.force_login(user)
    return client.get(reverse("accounts:home")).content.decode()


def test_the_supervisor_sees_the_days_follow_ups(client, actors, case):
    # 10:00, the 9:00 follow-up of the day due and not yet made
    html = _home(client, actors.grid_worker)
    card = html[html.index('data-testid="card-follow-ups"') :]
    assert '<span class="badge">1</span>' in card[:400]
    assert reverse("care:day") in card


def test_a_fever_shows_as_an_alert_on_the_secretarys_home(client, actors, case, tree):
    assert 'data-testid="card-alerts"' not in _home(client, actors.manager)
    services.follow_up_record(
        actor=actors.grid_worker,
        case=case,
        data=FollowUpData(contact="visit", temperature="38.2"),
    )
    html = _home(client, actors.manager)
    card = html[html.index('data-testid="card-alerts"') :]
    assert '<span class="badge">1</span>' in card[:400]
    assert reverse("care:board", args=[tree.community.code]) in card
    # the supervisor's day is done: nothing left to follow up
    assert '<span class="badge">0</span>' in _home(client, actors.grid_worker)


def _fever(actors, case):
    services.follow_up_record(
        actor=actors.grid_worker,
        case=case,
        data=FollowUpData(contact="visit", temperature="38.2"),
    )


def test_open_alerts_show_as_a_badge_on_the_care_menu_entry(client, actors, case):
    client.force_login(actors.manager)
    assert 'hx-get="/badges/"' in client.get(reverse("accounts:home")).content.decode()
    assert "badge-care" not in client.get(reverse("accounts:badges")).content.decode()
    _fever(actors, case)
    badges = client.get(reverse("accounts:badges")).content.decode()
    assert '<span hx-swap-oob="innerHTML:.badge-care">1</span>' in badges
    assert '<span hx-swap-oob="innerHTML:.badge-all">1</span>' in badges  # a phone's menu
    # Those who do not handle the community's alerts see no badge for them.
    for other in (actors.grid_worker, actors.street, actors.outsider, actors.member):
        client.force_login(other)
        assert "badge-care" not in client.get(reverse("accounts:badges")).content.decode()


def test_the_street_sees_which_communities_need_attention(client, actors, case, tree):
    assert 'data-testid="card-communities-alerts"' not in _home(client, actors.street)
    _fever(actors, case)
    html = _home(client, actors.street)
    card = html[html.index('data-testid="card-communities-alerts"') :][:800]
    assert "新港路社区 1" in card
    assert reverse("care:board", args=[tree.community.code]) in card
    assert 'data-testid="card-communities-alerts"' not in _home(client, actors.manager)
    assert 'data-testid="card-communities-alerts"' not in _home(client, actors.outsider)


def test_a_home_reads_the_members_record_once(client, actors):
    # The member's shifts and errands both start from their member record.
    client.force_login(actors.member)
    client.get(reverse("accounts:home"))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("accounts:home")).status_code == 200
    member_reads = [q for q in queries if 'FROM "mobilization_member"' in q["sql"]]
    assert len(member_reads) == 1


def test_what_home_providers_share_is_read_once_a_home_and_afresh_outside():
    reads = []

    def read():
        reads.append(1)
        return len(reads)

    assert home.shared("k", read) == 1
    assert home.shared("k", read) == 2  # outside a home page: read each time
    token = home._SHARED.set({})
    try:
        assert home.shared("k", read) == 3
        assert home.shared("k", read) == 3
    finally:
        home._SHARED.reset(token)
