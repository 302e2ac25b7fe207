"""A community secretary signs in, browses the area tree, and cannot reach a sibling
community by URL."""

import pytest

from tests.browser import go, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")


def test_secretary_browses_own_tree_and_not_the_sibling(live_server, actors, tree, phone):
    page = phone
    _sign_in(page, live_server, "manager")
    assert page.locator("[data-testid=role]").first.inner_text().endswith("新港路社区")
    screenshot(page, "areas-home-phone")

    go(page, "区域")
    page.wait_for_url(f"{live_server.url}/areas/{tree.community.code}/")
    assert page.locator("[data-testid=area-name]").inner_text() == "新港路社区"
    rows = page.locator("[data-testid=children] tbody tr")
    assert rows.count() == 2
    screenshot(page, "areas-community-phone")

    page.click("[data-testid=children] >> text=第01网格")
    page.wait_for_url(f"{live_server.url}/areas/{tree.grid.code}/")
    assert page.locator("[data-testid=children] tbody tr").count() == 2  # two buildings
    assert "新港路社区" in page.locator(".breadcrumb").inner_text()

    # Search narrows to the user's scope, fragment swapped in by htmx.
    page.fill("input[name=q]", "网格")
    page.wait_for_selector("[data-testid=search-results] li")
    results = page.locator("[data-testid=search-results]").inner_text()
    assert "441602004001-02" in results
    assert "441602004002" not in results

    response = page.goto(f"{live_server.url}/areas/{tree.sibling.code}/")
    assert response.status == 404
    assert "管辖范围" in page.locator(".error-message").inner_text()
    assert "新江三路" not in page.content()
    screenshot(page, "areas-sibling-404-phone")


def test_street_office_on_a_desktop_sees_counts_and_switches_language(
    live_server, actors, tree, desktop
):
    page = desktop
    _sign_in(page, live_server, "street")
    page.goto(f"{live_server.url}/areas/{tree.street.code}/")
    table = page.locator("[data-testid=children]").inner_text()
    assert "新港路社区" in table
    assert "新江三路社区" in table
    screenshot(page, "areas-street-desktop")
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert "Dwellings" in page.locator("[data-testid=children]").inner_text()
    screenshot(page, "areas-street-desktop-en")
