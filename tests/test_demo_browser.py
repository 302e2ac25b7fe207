"""The demo tells one story a reviewer can walk through: the community secretary prints
the passes of the demo's building, and the demo's guard, from their home, scans one of
those printed cards with the phone's camera and lets the household through."""

from __future__ import annotations

import re
from datetime import datetime, time
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijie.accounts.models import User
from jijie.gates import selectors
from jijie.gates.models import Pass, Scan
from tests.browser import (
    PHONE,
    axe_violations,
    new_context,
    page_width,
    screenshot,
    show_card_to_camera,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_demo_guard_scans_a_printed_card_of_the_demo(live_server, phone, time_machine):
    # at ten in the morning today, while the demo's gate is open
    today = timezone.localdate()
    ten = datetime.combine(today, time(10), tzinfo=SHANGHAI)
    time_machine.move_to(ten, tick=True)
    phone.clock.install(time=ten)  # the phone's scans carry its own time: the same
    call_command("demo_city", stdout=StringIO())
    building = Pass.objects.filter(status="active").select_related("household__building")[0]
    building = building.household.building
    secretary = User.objects.get(username="secretary_xingang")
    office = Client()
    office.force_login(secretary)
    printed = office.get(reverse("gates:cards"), {"building": building.code})
    assert printed.status_code == 200
    # a card whose household has not been through the gate in the demo's morning
    cards = list(selectors.pass_list(actor=secretary, area=building).filter(status="active"))
    card = next(i for i, p in enumerate(cards) if not Scan.objects.filter(pass_ref=p).exists())
    show_card_to_camera(printed.content, card=card)

    sign_in(phone, live_server.url, "guard_xingang", password="jijie-demo-2026")
    phone.click("[data-testid=card-gate] a[role=button] >> nth=0")
    phone.wait_for_selector("[data-testid=scan-camera]")
    phone.click("[data-testid=scan-camera]")
    phone.wait_for_selector("[data-testid=needed]:not([hidden])", timeout=20_000)
    needed = phone.locator("[data-testid=needed]").inner_text()
    if "体温" in needed:
        phone.fill("input[name=temperature]", "36.5")
    phone.check("input[name=certificate_checked]")
    phone.click("[data-testid=submit]")
    phone.wait_for_selector("[data-testid=verdict].allowed:not([hidden])")
    screenshot(phone, "demo-guard-scans-a-card-phone")
    assert "放行" in phone.locator("[data-testid=verdict]").inner_text()
    scanned = Scan.objects.order_by("-pk").first()
    assert scanned is not None
    assert scanned.pass_ref_id == cards[card].pk


# What a crawl of the demo does not open: files, leaving, language, the admin.
SKIP = re.compile(r"(\.pdf|\.xlsx|/export|/logout|/i18n/|/admin/|/api/|download|/cards)")
ACCOUNTS = ["secretary_xingang", "street_yuanxi", "grid_xingang01", "guard_xingang", "member_demo"]
MAX_PAGES = 45


def test_every_page_a_demo_account_reaches_passes_axe_and_fits(live_server, browser):
    """From each demo account's home and menu pages, every page one link further, on a
    phone: no serious accessibility finding, none wider than the screen. (The menu
    pages are checked on a desktop too, test_accessibility_browser; the journeys'
    pages, tests/test_journeys_browser.)"""
    call_command("demo_city", stdout=StringIO())
    viewport = PHONE
    context = new_context(browser, viewport=viewport, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    problems: list[str] = []
    seen_total = 0
    try:
        for username in ACCOUNTS:
            sign_in(page, live_server.url, username, password="jijie-demo-2026")
            starts = [f"{live_server.url}/"] + [
                live_server.url + href
                for href in page.locator("[data-testid=menu-wide] a[data-menu]").evaluate_all(
                    "links => links.map(a => a.getAttribute('href'))"
                )
            ]
            seen: list[str] = []
            for start in starts:
                page.goto(start)
                links = page.locator("main a[href^='/']").evaluate_all(
                    "links => links.map(a => a.getAttribute('href'))"
                )
                for href in [start, *links]:
                    url = href if href.startswith("http") else live_server.url + href
                    url = url.split("#")[0]
                    if url in seen or SKIP.search(url) or len(seen) >= MAX_PAGES:
                        continue
                    seen.append(url)
            for url in seen:
                answer = page.goto(url)
                if answer is None or answer.status != 200:
                    continue  # a link to a page the role may not open says so itself
                if page_width(page) > viewport["width"]:
                    problems.append(f"{username} {url}: {page_width(page)} px wide")
                problems += [f"{username} {v}" for v in axe_violations(page)]
            seen_total += len(seen)
            page.context.clear_cookies()
    finally:
        context.close()
    assert seen_total > 60
    assert problems == [], "\n".join(problems)
