"""The city command drills from the city to a community and opens its report, on a
desktop (its trend chart drawn) and on a phone (no page wider than the screen)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from conftest import make_user
from jijie.areas.roles import Role
from jijie.reports import services
from jijie.reports.tests.test_rollup import DAY, UNTIL, World
from tests.browser import page_width, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def world(tree):
    made = World(tree, 11)
    made.visits(25)
    made.problems(8)
    for back in (2, 1, 0):
        services.report_refresh(
            response=made.response,
            day=DAY - timedelta(days=back),
            now=UNTIL - timedelta(days=back) + timedelta(minutes=1),
        )
    return made


def drill(page, url: str) -> None:
    page.goto(f"{url}/reports/?day={DAY.isoformat()}")
    page.wait_for_selector("h1:has-text('河源市 日报')")
    page.click("[data-testid=children] a:has-text('源城区')")
    page.wait_for_selector("h1:has-text('源城区 日报')")
    page.click("[data-testid=children] a:has-text('源西街道')")
    page.wait_for_selector("h1:has-text('源西街道 日报')")
    page.click("[data-testid=children] a:has-text('新港路社区')")
    page.wait_for_selector("h1:has-text('新港路社区 日报')")


def test_the_command_drills_from_the_city_to_a_community(live_server, tree, world, desktop):
    make_user("citycmd", Role.COMMAND, tree.city)
    url = live_server.url
    sign_in(desktop, url, "citycmd")
    desktop.goto(f"{url}/reports/?day={DAY.isoformat()}&area={tree.district.code}")
    desktop.wait_for_selector("[data-testid=trend] svg")  # the chart, drawn locally
    assert "源城区累计排查住户" in desktop.inner_text("[data-testid=bulletin]")
    screenshot(desktop, "reports-district-desktop")
    drill(desktop, url)
    bulletin = desktop.inner_text("[data-testid=bulletin]")
    assert bulletin.startswith("截至3月10日18时,新港路社区累计排查住户")
    screenshot(desktop, "reports-community-desktop")


def test_on_a_phone(live_server, tree, world, phone):
    make_user("citycmd", Role.COMMAND, tree.city)
    url = live_server.url
    sign_in(phone, url, "citycmd")
    drill(phone, url)
    assert page_width(phone) <= 390
    screenshot(phone, "reports-community-phone")
    phone.goto(f"{url}/reports/?day={DAY.isoformat()}&area={tree.district.code}")
    phone.wait_for_selector("[data-testid=trend] svg")
    assert page_width(phone) <= 390
    screenshot(phone, "reports-district-phone")
