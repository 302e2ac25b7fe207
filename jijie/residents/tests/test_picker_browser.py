"""On a phone: a community secretary registers a household, picking its building with
taps (community › grid › building), no code typed."""

import pytest

from jijie.residents.models import Household
from tests.browser import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_household_registered_in_a_picked_building(live_server, actors, tree, phone):
    page = phone
    sign_in(page, live_server.url, "manager")
    page.goto(f"{live_server.url}/residents/households/new/")
    picker = page.locator("[data-testid=picker-building_code]")
    picker.locator("summary").click()
    picker.locator("button:has-text('新港路社区')").click()
    picker.locator("button:has-text('第01网格')").click()
    picker.locator("button[data-pick-value]:has-text('2栋')").click()
    assert page.input_value("input[name=building_code]") == "441602004001-01-002"
    page.fill("input[name=door_number]", "1203")
    screenshot(page, "residents-pick-building-phone")
    page.click("main button[type=submit]")
    page.wait_for_url("**/residents/households/*/")
    household = Household.objects.get(door_number="1203")
    assert household.building.code == "441602004001-01-002"
