"""The worker's day before going out (`screening:today`): the buildings of their part of
the sweep with doors not yet reached or revisits due today, counts and building names
only, marked for the phone to keep; and who may open it."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.responses.services import do_response_activate
from jijie.screening.services import VisitData, do_campaign_create, do_visit_record

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STOP = re.compile(
    r'data-testid="today-stop">\s*<td>\s*<a href="([^"]+)"\s+data-keep>([^<]+)</a>\s*</td>'
    r'\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>\s*<td class="num">(\d+)</td>'
)


@pytest.fixture
def day(tree, households):
    with time_machine.travel(NOW, tick=False):
        response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        campaign = do_campaign_create(
            actor=SYSTEM, response=response, name="第一轮扫楼", areas=[tree.community],
            starts_on=NOW.date(), ends_on=NOW.date(),
        )  # fmt: skip
        yield campaign


def _visit(campaign, home, outcome):
    do_visit_record(
        actor=SYSTEM, campaign=campaign, household=home,
        data=VisitData(mode="door", outcome=outcome), at=NOW,
    )  # fmt: skip


def _stops(client, user, campaign):
    client.force_login(user)
    answer = client.get(reverse("screening:today", args=[campaign.pk]))
    assert answer.status_code == 200
    page = answer.content.decode()
    return (
        answer,
        page,
        [(name, int(a), int(b), int(c)) for _u, name, a, b, c in STOP.findall(page)],
    )


def test_the_day_lists_the_buildings_with_work_left(client, day, households, tree, actors):
    campaign = day
    _visit(campaign, households[0], "done")
    _visit(campaign, households[1], "no_answer")  # to knock again at 13:00 today
    _visit(campaign, households[2], "refused")  # tomorrow: not today's work
    answer, page, stops = _stops(client, actors.grid_worker, campaign)
    # grid 01 alone: 1栋 (its three doors reached, one revisit due today); 2栋 has no one
    assert stops == [("1栋", 3, 0, 1)]
    assert answer["X-Offline-Page"] == "keep"
    assert "王小明" not in page  # no one's name on a page kept on the phone
    assert [found[0] for found in STOP.findall(page)] == [
        reverse("screening:doors", args=[campaign.pk, tree.building.code])
    ]
    # the secretary's day is the community's: 3栋's door not yet reached too
    _answer, _page, stops = _stops(client, actors.manager, campaign)
    assert stops == [("1栋", 3, 0, 1), ("3栋", 1, 1, 0)]
    # 102 answers: 1栋 has nothing left today (103's revisit is tomorrow's)
    _visit(campaign, households[1], "done")
    _answer, page, stops = _stops(client, actors.grid_worker, campaign)
    assert stops == []
    assert 'data-testid="today-done"' in page


@pytest.mark.parametrize(
    ("who", "status"),
    [("guard", 403), ("member", 403), ("street", 403), ("nobody", 403), ("outsider", 404)],
)
def test_only_a_worker_of_the_sweep_opens_the_day(client, day, actors, who, status):
    client.force_login(getattr(actors, who))
    answer = client.get(reverse("screening:today", args=[day.pk]))
    assert answer.status_code == status
    assert "1栋" not in answer.content.decode()


def test_signed_out_is_sent_to_sign_in(client, day):
    answer = client.get(reverse("screening:today", args=[day.pk]))
    assert answer.status_code == 302
    assert answer["Location"].startswith(reverse(settings.LOGIN_URL))
