"""The page shell on a phone held in one hand: the menu one line high, no page wider
than the screen, the username leading to the user's own account; on a desktop, the
menu in a row. With the app's icon and an installable name."""

import pytest

from tests.browser import PHONE, go, page_width, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The pages each menu entry opens, and the user's own account.
PAGES = ["区域", "居民", "排查", "卡口", "关怀", "响应", "人员"]


def test_on_a_phone_the_menu_is_one_line_and_no_page_is_wider(live_server, actors, tree, phone):
    page = phone
    sign_in(page, live_server.url, "manager")
    header = page.locator("header nav").bounding_box()
    toggle = page.locator("[data-testid=menu-phone] > li").bounding_box()
    brand = page.locator("header nav > ul:first-child > li").bounding_box()
    # brand and menu on one line: side by side, and the header as high as the higher
    assert abs(toggle["y"] - brand["y"]) < toggle["height"] / 2
    assert header["height"] <= max(toggle["height"], brand["height"]) + 2
    assert not page.locator("[data-testid=menu-wide]").is_visible()
    screenshot(page, "shell-home-phone")

    page.locator("[data-testid=menu-phone] summary").click()
    assert page.locator("[data-testid=menu-phone] a[data-menu=residents]").is_visible()
    screenshot(page, "shell-menu-open-phone")

    widths = {}
    for label in PAGES:
        go(page, label)
        page.wait_for_load_state()
        widths[label] = page_width(page)
    assert widths == dict.fromkeys(PAGES, PHONE["width"])

    go(page, "manager")
    page.wait_for_url(f"{live_server.url}/account/")
    assert "社区书记" in page.locator("[data-testid=roles]").inner_text()
    assert page_width(page) == PHONE["width"]
    screenshot(page, "shell-profile-phone")


def test_on_a_desktop_the_menu_is_a_row(live_server, actors, tree, desktop):
    page = desktop
    sign_in(page, live_server.url, "manager")
    assert page.locator("[data-testid=menu-wide]").is_visible()
    assert not page.locator("[data-testid=menu-phone]").is_visible()
    entries = page.locator("[data-testid=menu-wide] a[data-menu]")
    tops = {round(entries.nth(i).bounding_box()["y"]) for i in range(entries.count())}
    assert len(tops) == 1  # one row
    screenshot(page, "shell-home-desktop")


def test_the_app_has_its_icon_and_an_installable_name(live_server, phone):
    page = phone
    page.goto(f"{live_server.url}/login/")
    manifest_url = page.locator("link[rel=manifest]").get_attribute("href")
    icon_url = page.locator("link[rel=icon]").get_attribute("href")
    manifest = page.request.get(f"{live_server.url}{manifest_url}")
    assert manifest.ok
    assert manifest.json()["short_name"] == "集结"
    for icon in manifest.json()["icons"]:
        base = manifest_url.rsplit("/", 1)[0]
        assert page.request.get(f"{live_server.url}{base}/{icon['src']}").ok, icon
    assert page.request.get(f"{live_server.url}{icon_url}").ok
