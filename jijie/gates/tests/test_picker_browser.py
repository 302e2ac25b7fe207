"""On a phone: the community secretary issues a building's passes and opens its list,
picking the building with taps (community › grid › building), no code typed."""

import pytest

from jijie.audit.actors import SYSTEM
from jijie.gates.models import Pass
from jijie.residents.services import do_household_register
from tests.browser import go, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_secretary_picks_a_building_and_issues_its_passes(
    live_server, actors, setup, tree, phone
):
    page = phone
    new = do_household_register(actor=SYSTEM, building=tree.building, door_number="302")
    sign_in(page, live_server.url, "manager")
    go(page, "卡口")
    page.goto(f"{live_server.url}/gates/passes/")
    page.click("summary:has-text('按楼栋发放')")
    picker = page.locator("form[method=post] [data-testid=picker-building]")
    picker.locator("summary").click()
    picker.locator("button:has-text('新港路社区')").click()
    picker.locator("button:has-text('第01网格')").click()
    screenshot(page, "gates-pick-building-phone")
    picker.locator("button[data-pick-value]:has-text('1栋')").click()
    assert page.input_value("form[method=post] input[name=building]") == tree.building.code
    screenshot(page, "gates-picked-phone")
    page.click("form[method=post] button:has-text('发放')")
    page.wait_for_url(f"**/gates/passes/?building={tree.building.code}")
    assert "已发放" in page.content()
    assert Pass.objects.filter(household=new).exists()  # the new door got its pass
    screenshot(page, "gates-issued-phone")

    # the list of another building, picked the same way, opens at once
    viewer = page.locator("[data-testid=building-view] [data-testid=picker-building]")
    viewer.locator("summary").click()
    viewer.locator("button:has-text('新港路社区')").click()
    viewer.locator("button:has-text('第02网格')").click()
    viewer.locator("button[data-pick-value]").first.click()
    page.wait_for_url("**/gates/passes/?building=441602004001-02-*")
