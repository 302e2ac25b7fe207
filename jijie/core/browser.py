"""Browser-test support: the system Chromium driven by Playwright (never a downloaded
browser). Imported only by tests."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

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


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)  # type: ignore[attr-defined]
    return path
