"""Browser-test support: the system Chromium driven by Playwright (never a downloaded
browser). Imported only by tests."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# The camera a page opens is fake: it shows what `show_to_camera` last wrote (a file of
# this process's own, so that parallel test processes do not share one).
CAMERA = Path(tempfile.gettempdir()) / f"jijie-camera-{os.getpid()}.y4m"
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    f"--use-file-for-fake-video-capture={CAMERA}",
]
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
    show_to_camera("")  # a blank page until a test shows it something
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


def lose_signal(context: Any) -> None:
    """The phone loses its signal: Chromium's offline emulation for the whole context,
    and the test goes on only once every open page has seen it (`navigator.onLine`
    false, as a phone's pages see it), so that no page still believes it is online."""
    context.set_offline(True)
    for page in context.pages:
        page.wait_for_function("() => !navigator.onLine")


def screenshot(page: object, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    # A click that posts a form may still be navigating: a page mid-navigation cannot be
    # captured.
    page.wait_for_load_state("load")  # type: ignore[attr-defined]
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


AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page: Any) -> list[str]:
    """The page's critical and serious accessibility findings (axe-core, from npm), as
    "url: rule (impact) elements". The page's context must bypass the page's policy:
    the checker is the test's script, not the app's."""
    assert AXE.is_file(), "axe-core is installed by npm (make setup)"
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "() => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations"
        ".filter(v => v.impact === 'critical' || v.impact === 'serious')"
        ".map(v => v.id + ' (' + v.impact + ') '"
        " + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"
    )
    return [f"{page.url}: {v}" for v in found]


def page_width(page: Any) -> int:
    """How wide the page is drawn, in CSS pixels: wider than the viewport means a
    phone scrolls it sideways."""
    return int(page.evaluate("document.documentElement.scrollWidth"))


def show_to_camera(text: str, *, size: tuple[int, int] = (640, 480)) -> None:
    """What the pages' camera sees from now on: the QR code of `text` (blank for ""), as
    the few frames of a Y4M file Chromium's fake camera loops over."""
    import io

    import segno
    from PIL import Image

    width, height = size
    frame = Image.new("L", size, 255)
    if text:
        buffer = io.BytesIO()
        segno.make_qr(text, error="m").save(buffer, kind="png", scale=6, border=4)
        code = Image.open(io.BytesIO(buffer.getvalue())).convert("L")
        frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    _film(frame)


def show_card_to_camera(pdf: bytes, *, card: int = 0, size: tuple[int, int] = (640, 480)) -> None:
    """What the camera sees from now on: a card (the first by default) of a pass-card PDF, as printed
    and held up to the phone. The card's QR code is drawn as filled rectangles; they
    are painted here as a printer would (the card's text is not needed to scan it)."""
    import io

    from PIL import Image, ImageDraw
    from pypdf import PdfReader
    from pypdf.generic import ContentStream

    page = PdfReader(io.BytesIO(pdf)).pages[card]
    page_height = float(page.mediabox.height)
    scale = 4  # pixels per point
    sheet = Image.new("L", (int(float(page.mediabox.width) * scale), int(page_height * scale)), 255)
    draw = ImageDraw.Draw(sheet)
    pending: list[list[float]] = []
    for operands, operator in ContentStream(page.get_contents(), page.pdf).operations:
        if operator == b"re":
            pending.append([float(v) for v in operands])
        elif operator in (b"f", b"F", b"f*"):
            for x, y, w, h in pending:
                left, right = sorted((x * scale, (x + w) * scale))
                top, bottom = sorted(((page_height - y) * scale, (page_height - y - h) * scale))
                draw.rectangle([left, top, right, bottom], fill=0)
            pending = []
        elif operator in (b"n", b"S", b"s"):
            pending = []
    width, height = size
    sheet.thumbnail((width, height))
    frame = Image.new("L", size, 255)
    frame.paste(sheet, ((width - sheet.width) // 2, (height - sheet.height) // 2))
    _film(frame)


def _film(frame: Any) -> None:
    """`frame` (a greyscale image) as the looped frames of the fake camera's Y4M file."""
    width, height = frame.size
    luma = frame.tobytes()
    chroma = bytes([128]) * (width // 2 * (height // 2))
    with CAMERA.open("wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(10):
            out.write(b"FRAME\n" + luma + chroma + chroma)
