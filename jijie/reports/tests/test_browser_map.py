"""The report's map in a browser: the district's communities drawn from their outlines
and coloured, a community named on hover and opened by a click, the colouring changed
by its tabs — and on a phone, no page wider than the screen."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from conftest import make_user
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.reports import boundaries, demo, services
from jijie.reports.models import Boundary
from jijie.reports.tests.test_rollup import DAY, UNTIL, World
from tests.browser import page_width, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tree):
    made = World(tree, 11)
    made.visits(25)
    made.problems(8)
    services.report_refresh(response=made.response, day=DAY, now=UNTIL + timedelta(minutes=1))
    outlines = demo.plausible_boundaries(tree.district, random.Random(3))
    boundaries.do_boundaries_load(actor=SYSTEM, features=boundaries.check(outlines))
    make_user("citycmd", Role.COMMAND, tree.city)
    return made


def inside(page: Any, code: str) -> tuple[float, float]:
    """A point of the page inside the community `code` as the map draws it: the middle
    of its outline's corners, through the chart's own projection."""
    ring = Boundary.objects.get(area__code=code).geometry["coordinates"][0][:-1]
    lon = sum(p[0] for p in ring) / len(ring)
    lat = sum(p[1] for p in ring) / len(ring)
    x, y = page.evaluate(
        "([lon, lat]) => echarts.getInstanceByDom(document.querySelector('[data-map]'))"
        ".convertToPixel({seriesIndex: 0}, [lon, lat])",
        [lon, lat],
    )
    box = page.locator("[data-testid=map]").bounding_box()
    return box["x"] + x, box["y"] + y


def test_the_command_opens_a_community_from_the_district_map(live_server, tree, world, desktop):
    url = live_server.url
    sign_in(desktop, url, "citycmd")
    desktop.goto(f"{url}/reports/?day={DAY.isoformat()}&area={tree.district.code}")
    desktop.wait_for_selector("[data-testid=map] svg path")  # drawn locally, no tiles
    assert desktop.locator("[data-testid=map] svg path").count() >= 3
    desktop.locator("#map").scroll_into_view_if_needed()
    desktop.mouse.move(*inside(desktop, tree.sibling.code))
    tooltip = desktop.locator("[data-testid=map] div:has-text('新江三路社区')").last
    tooltip.wait_for()
    assert "排查覆盖率" in tooltip.inner_text()
    screenshot(desktop, "reports-map-district-desktop")

    desktop.click("nav.tabs a:has-text('未办结问题')")
    desktop.wait_for_url("**indicator=problems_open**")
    desktop.wait_for_selector("[data-testid=map] svg path")
    assert desktop.locator("nav.tabs a[aria-current=page]").inner_text() == "未办结问题"
    screenshot(desktop, "reports-map-problems-desktop")

    desktop.mouse.click(*inside(desktop, tree.community.code))
    desktop.wait_for_selector("h1:has-text('新港路社区 日报')")
    assert f"area={tree.community.code}" in desktop.url
    assert "indicator=problems_open" in desktop.url  # the same colouring, one level down
    desktop.wait_for_selector("[data-testid=map] svg path")


def test_the_map_on_a_phone(live_server, tree, world, phone):
    url = live_server.url
    sign_in(phone, url, "citycmd")
    phone.goto(f"{url}/reports/?day={DAY.isoformat()}&area={tree.district.code}")
    phone.wait_for_selector("[data-testid=map] svg path")
    assert page_width(phone) <= 390
    width = phone.locator("[data-testid=map]").bounding_box()["width"]
    assert 300 < width <= 390
    phone.locator("#map").scroll_into_view_if_needed()
    screenshot(phone, "reports-map-district-phone")
