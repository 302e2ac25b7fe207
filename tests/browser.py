"""Browser-test support: the system Chromium driven by Playwright (never a downloaded
browser). Imported only by tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts"))
PHONE = {"width": 390, "height": 844}


def require_chromium() -> None:
    """Skip where no Chromium is installed, but fail in CI, which must run these tests."""
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    message = f"{CHROMIUM} not found: apt-get install chromium fonts-wqy-zenhei"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def launch() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            yield browser
        finally:
            browser.close()


def new_context(browser: Any, **options: Any) -> Any:
    """A browser context as a phone or desktop in China has it (Asia/Shanghai), whose
    clock reads what the server's reads: when a test has moved or frozen the clock,
    the pages' `Date` starts from that instant too (and runs on), so that what a phone
    works out by itself (a pass's validity offline) agrees with the server."""
    context = browser.new_context(timezone_id="Asia/Shanghai", **options)
    if time_machine.escape_hatch.is_travelling():
        context.clock.install(time=datetime.now(UTC))
    return context


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path


def _menu(page: Any) -> Any:
    """The menu as the page shows it: a phone's opened by a tap on 菜单, a desktop's row."""
    toggle = page.locator("[data-testid=menu-phone] summary")
    if toggle.is_visible():
        if page.locator("[data-testid=menu-phone] details[open]").count() == 0:
            toggle.click()
        return page.locator("[data-testid=menu-phone]")
    return page.locator("[data-testid=menu-wide]")


def go(page: Any, label: str) -> None:
    """Follow the menu entry `label`, as a person on that screen would."""
    _menu(page).locator(f"a:text-is('{label}')").click()


def sign_out(page: Any) -> None:
    _menu(page).locator("[data-testid=sign-out]").click()


PASSWORD = "a-long-test-password"  # the test accounts' (conftest.make_user)


def sign_in(page: Any, url: str, username: str, password: str = PASSWORD) -> None:
    """Sign in on the login page and wait for home."""
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{url}/")


def page_width(page: Any) -> int:
    """How wide the page is drawn, in CSS pixels: wider than the viewport means a
    phone scrolls it sideways."""
    return int(page.evaluate("document.documentElement.scrollWidth"))
