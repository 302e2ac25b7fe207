"""The report pages for three actors and an outsider, the sign-off with its completeness
and timeliness at a frozen clock, and a correction through the page."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from jijie.reports import indicators, services
from jijie.reports.models import Submission
from jijie.reports.tests.test_rollup import DAY, UNTIL, World
from jijie.supplies.models import Item

pytestmark = pytest.mark.django_db

URL = reverse("reports:index")


@pytest.fixture
def world(tree, actors):
    made = World(tree, 5)
    made.visits(20)
    made.problems(6)
    return made


def page(client, user, **params):
    client.force_login(user)
    query = {"day": DAY.isoformat(), **params}
    return client.get(URL, query)


def test_each_office_sees_its_own_tree_and_no_sibling(client, tree, actors, world):
    world.refresh(UNTIL - timedelta(minutes=10))
    with time_machine.travel(UNTIL - timedelta(minutes=5), tick=False):
        district = page(client, actors.command).content.decode()
        assert "源城区 日报" in district
        assert "源西街道" in district
        assert "上城街道" in district
        assert "截至3月10日18时,源城区累计排查住户" in district

        street = page(client, actors.street).content.decode()
        assert "源西街道 日报" in street
        assert "新港路社区" in street
        assert "新江三路社区" in street
        assert "上城街道" not in street
        assert page(client, actors.street, area=tree.other_street.code).status_code == 404
        assert page(client, actors.street, area=tree.far_community.code).status_code == 404

        community = page(client, actors.manager).content.decode()
        assert "新港路社区 日报" in community
        assert page(client, actors.manager, area=tree.sibling.code).status_code == 404
        assert page(client, actors.outsider, area=tree.community.code).status_code == 404
        # Grids are counted with their community; a guard or a grid worker has no report.
        assert page(client, actors.command, area=tree.grid.code).status_code == 404
        assert page(client, actors.grid_worker).status_code == 403
        assert page(client, actors.guard).status_code == 403


def test_the_page_reads_kept_figures_and_says_when_none_are_counted(
    client, actors, world, django_assert_max_num_queries
):
    with time_machine.travel(UNTIL - timedelta(minutes=5), tick=False):
        assert "这一天还没有统计" in page(client, actors.command).content.decode()
        world.refresh(UNTIL - timedelta(minutes=5))
        client.force_login(actors.command)
        client.get(URL, {"day": DAY.isoformat()})  # warm the session
        with django_assert_max_num_queries(25):
            body = client.get(URL, {"day": DAY.isoformat()}, HTTP_HX_REQUEST="true")
        assert b"<html" not in body.content  # htmx gets the figures alone
        assert "统计中" in body.content.decode()


def test_sign_off_level_by_level_with_completeness_and_timeliness(client, tree, actors, world):
    world.refresh(UNTIL - timedelta(minutes=1))
    post = {"area": tree.community.code, "response": world.response.pk, "day": DAY.isoformat()}
    client.force_login(actors.manager)
    with time_machine.travel(UNTIL - timedelta(minutes=1), tick=False):
        response = client.post(reverse("reports:submit"), post, follow=True)
        assert "截止后才能上报" in response.content.decode()
    assert not Submission.objects.exists()

    world.refresh(UNTIL + timedelta(minutes=1))  # the cut-off's run closes the day
    with time_machine.travel(UNTIL + timedelta(hours=1), tick=False):
        client.force_login(actors.manager)  # signed in again: the session idled out
        client.post(reverse("reports:submit"), post)
        # Only the unit's own office submits it: the street cannot for its community,
        # nor the community for its street.
        client.post(reverse("reports:submit"), {**post, "area": tree.street.code})
        client.force_login(actors.street)
        assert client.post(reverse("reports:submit"), post).status_code == 403
    submitted = Submission.objects.get()
    assert (submitted.area, submitted.is_on_time) == (tree.community, True)
    assert submitted.due_at == UNTIL + timedelta(hours=2)

    with time_machine.travel(UNTIL + timedelta(hours=2, minutes=30), tick=False):
        body = page(client, actors.street).content.decode()
        assert "已上报 1/2,按时 1" in body
        assert "上报率 50.0%" in body
        assert "及时率 50.0%" in body
        assert "未按时上报" in body  # the sibling is past its 20:00
        client.force_login(actors.outsider)
        client.post(reverse("reports:submit"), {**post, "area": tree.sibling.code})
        body = page(client, actors.street).content.decode()
        assert "已上报 2/2,按时 1" in body
        assert "及时率 50.0%" in body
    late = Submission.objects.get(area=tree.sibling)
    assert late.is_on_time is False


def test_a_correction_through_the_page_needs_a_reason_and_lists_its_revisions(
    client, tree, actors, world
):
    world.refresh(UNTIL + timedelta(minutes=1))
    world.visits(5, late=True)
    world.refresh(UNTIL + timedelta(hours=1))
    post = {"area": tree.community.code, "response": world.response.pk, "day": DAY.isoformat()}
    with time_machine.travel(UNTIL + timedelta(hours=1), tick=False):
        client.force_login(actors.manager)
        assert "截止后有补录" in page(client, actors.manager).content.decode()
        body = client.post(reverse("reports:correct"), {**post, "reason": ""}, follow=True)
        assert "请填写更正原因" in body.content.decode()
        body = client.post(
            reverse("reports:correct"), {**post, "reason": "补录晚间入户"}, follow=True
        ).content.decode()
        assert "已更正" in body
        assert "补录晚间入户" in body
        assert "截止后有补录" not in body
        client.force_login(actors.outsider)
        refused = client.post(reverse("reports:correct"), {**post, "reason": "x"})
        assert refused.status_code == 404


def test_the_scheduled_run_closes_a_day_it_missed(world):
    services.report_refresh(response=world.response, day=DAY, now=UNTIL - timedelta(hours=3))
    done = services.refresh_due(now=UNTIL + timedelta(hours=6))
    days = {(r.report.day, r.closed_now) for r in done}
    assert (DAY, True) in days
    assert (DAY + timedelta(days=1), False) in days
    again = services.refresh_due(now=UNTIL + timedelta(hours=7))
    assert {r.report.day for r in again} == {DAY + timedelta(days=1)}


def test_a_page_reads_the_key_supplies_units_once(client, actors, world):
    """Each key supply's unit is shown in the bulletin, the table of indicators and the
    headline: the page reads them all in one query, as the catalogue has them."""
    Item.objects.create(name="医用外科口罩", category="protection", unit="只")
    Item.objects.create(name="防护服", category="protection", unit="套")
    world.refresh(UNTIL - timedelta(minutes=10))
    with time_machine.travel(UNTIL - timedelta(minutes=5), tick=False):
        client.force_login(actors.command)
        with CaptureQueriesContext(connection) as seen:
            body = client.get(URL, {"day": DAY.isoformat()}).content.decode()
    assert len([q for q in seen if "supplies_item" in q["sql"]]) == 1
    assert "<td>只</td>" in body
    assert "<td>套</td>" in body


def test_units_are_read_as_the_catalogue_has_them_when_shown(db):
    masks = Item.objects.create(name="医用外科口罩", category="protection", unit="只")
    assert indicators.unit_of("stock_masks") == "只"
    assert indicators.unit_of("stock_n95") == ""  # not in the catalogue
    Item.objects.filter(pk=masks.pk).update(unit="个")
    assert indicators.unit_of("stock_masks") == "个"  # outside a page: read each time
    with indicators.units_read_once():
        assert indicators.unit_of("stock_masks") == "个"
        Item.objects.filter(pk=masks.pk).update(unit="盒")
        assert indicators.unit_of("stock_masks") == "个"  # kept for the page
    with indicators.units_read_once():
        assert indicators.unit_of("stock_masks") == "盒"  # the next page reads again
