"""Each role's main job, from signing in, on a phone (390 px) and on a desktop (1280 px),
with no code or number typed: the secretary opens an isolation case from a household's
page, the grid worker records a visit by tapping a door of the floor plan, the member
claims a shift from home, the guard scans a printed pass card with the camera. Every
page on the way is drawn no wider than the screen and passes the accessibility check;
a screenshot is kept of each step."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.care.models import IsolationCase
from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import demand, resident, user_of, with_account
from jijie.gates import services as gates
from jijie.gates.models import Scan
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.responses.services import do_response_activate
from jijie.screening.models import Visit
from jijie.screening.services import do_campaign_create
from tests.browser import (
    PHONE,
    axe_violations,
    go,
    new_context,
    page_width,
    screenshot,
    show_card_to_camera,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 900}
SCREENS = pytest.mark.parametrize("screen", ["phone", "desktop"])


@pytest.fixture
def screen_page(browser, request):
    """A page on the screen the test is parametrized with; the accessibility checker is
    the test's own script, so the page's policy is bypassed for it alone."""
    viewport = PHONE if request.node.callspec.params["screen"] == "phone" else DESKTOP
    context = new_context(
        browser,
        viewport=viewport,
        locale="zh-CN",
        bypass_csp=True,
        device_scale_factor=2 if viewport is PHONE else 1,
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


class Steps:
    """Checks each page on the way and keeps its screenshot."""

    def __init__(self, page: Any, journey: str, screen: str) -> None:
        self.page, self.name, self.screen, self.count = page, journey, screen, 0
        self.problems: list[str] = []

    def check(self, step: str) -> None:
        self.count += 1
        page = self.page
        page.wait_for_load_state()
        width = page.viewport_size["width"]
        if page_width(page) > width:
            self.problems.append(f"{step}: drawn {page_width(page)} px wide on {width}")
        self.problems += [f"{step}: {v}" for v in axe_violations(page)]
        screenshot(page, f"journey-{self.name}-{self.screen}-{self.count:02d}-{step}")

    def done(self) -> None:
        assert self.problems == [], "\n".join(self.problems)


def _response(tree):
    return do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")


@SCREENS
def test_the_secretary_opens_an_isolation_case_from_a_household(
    live_server, tree, actors, screen, screen_page
):
    _response(tree)
    home = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    do_person_add(actor=SYSTEM, household=home, data=PersonData(name="王小明", relation="head"))
    do_person_add(actor=SYSTEM, household=home, data=PersonData(name="李芳", relation="spouse"))
    page, steps = screen_page, Steps(screen_page, "secretary", screen)

    sign_in(page, live_server.url, "manager")
    steps.check("home")
    go(page, "居民")
    page.fill("input[name=q]", "wxm")  # pinyin initials, as the secretary says the name
    page.click("form[role=search] button[type=submit]")
    page.click("[data-testid=found] >> text=王小明")
    page.wait_for_selector("[data-testid=household-actions]")
    steps.check("household")
    page.click("[data-testid=act-case-new]")
    page.wait_for_selector("[data-testid=case-form]")
    assert "1栋 101" in page.locator("[data-testid=household]").inner_text()
    page.select_option("select[name=person]", label="王小明")
    page.fill("input[name=reason]", "密切接触者")
    steps.check("case-form")
    page.click("[data-testid=case-form] button[type=submit]")
    page.wait_for_selector("text=已登记居家隔离")
    steps.check("case")
    case = IsolationCase.objects.get()
    assert (case.household_id, case.person.name, case.reason) == (home.pk, "王小明", "密切接触者")
    page.click(
        "[data-testid=case-household]"
    )  # back to the household: its case is now what it offers
    page.wait_for_selector("[data-testid=act-case]")
    steps.done()


@SCREENS
def test_the_grid_worker_taps_a_door_and_records_the_visit(
    live_server, tree, actors, screen, screen_page
):
    response = _response(tree)
    for door in ("101", "102", "201"):
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
    today = timezone.localdate()
    do_campaign_create(
        actor=SYSTEM,
        response=response,
        name="第一轮扫楼",
        areas=[tree.community],
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    page, steps = screen_page, Steps(screen_page, "gridworker", screen)

    sign_in(page, live_server.url, "gridworker")
    steps.check("home")
    page.click("[data-testid=card-sweep] a[role=button]")  # the day's buildings
    page.click("[data-testid=today] >> text=1栋")
    page.wait_for_selector("[data-testid=floorplan]")
    steps.check("floor-plan")
    page.click("[data-testid=floorplan] a[data-state=todo] >> text=102")
    page.check("input[name=mode][value=door]")
    page.check("input[name=outcome][value=done]")
    page.fill("input[name=q_people_home]", "2")
    page.select_option("select[name=q_fever_cough]", "no")
    steps.check("visit-form")
    page.click("[data-testid=visit-form] button[type=submit]")
    page.wait_for_selector("[data-testid=floorplan] a[data-state=done]")
    steps.check("visited")
    assert page.locator("[data-testid=floorplan] a[data-state=todo]").count() == 2
    assert Visit.objects.get().household.door_number == "102"
    steps.done()


@SCREENS
def test_the_member_claims_a_shift_from_home(live_server, tree, posts, screen, screen_page):
    someone = with_account(resident(1, tree), "resident1")
    demand(tree.community, posts.guard, days=1, per_day=1, low=1, high=1)
    page, steps = screen_page, Steps(screen_page, "member", screen)

    sign_in(page, live_server.url, user_of(someone).username)
    assert "1" in page.locator("[data-testid=card-shifts] .badge").inner_text()
    steps.check("home")
    page.click("[data-testid=card-shifts] a[role=button]")
    page.wait_for_selector("[data-testid=open-shifts]")
    steps.check("shifts")
    page.click("[data-testid=open-shifts] button:has-text('报到')")
    page.wait_for_selector("text=已报到,等待社区确认。")
    steps.check("claimed")
    assert Participation.objects.get().member == someone
    steps.done()


@SCREENS
def test_the_guard_scans_a_printed_pass_card(live_server, tree, actors, screen, screen_page):
    response = _response(tree)
    gate = gates.do_gate_create(actor=SYSTEM, area=tree.community, name="东门")
    gates.do_gate_rule_set(
        actor=SYSTEM, gate=gate, response=response, data=gates.RuleData(Decimal("37.3"))
    )
    home = do_household_register(actor=SYSTEM, building=tree.building, door_number="301")
    now = timezone.now()
    gates.do_pass_issue(
        actor=SYSTEM,
        household=home,
        response=response,
        valid_from=now - timedelta(hours=1),
        valid_until=now + timedelta(days=13),
    )
    # The card as the community prints it, held up to the guard's camera.
    office = Client()
    office.force_login(actors.manager)
    card = office.get(reverse("gates:cards"), {"building": tree.building.code})
    assert card.status_code == 200
    show_card_to_camera(b"".join(card.streaming_content) if card.streaming else card.content)
    page, steps = screen_page, Steps(screen_page, "guard", screen)

    sign_in(page, live_server.url, "guard")
    steps.check("home")
    page.click("[data-testid=card-gate] a[role=button]")
    page.wait_for_url(f"{live_server.url}/gates/{gate.pk}/scan/")
    steps.check("scan-page")
    page.click("[data-testid=scan-camera]")
    page.wait_for_selector("[data-testid=needed]:not([hidden])", timeout=20_000)
    page.fill("input[name=temperature]", "36.5")
    steps.check("asked")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=verdict].allowed:not([hidden])")
    assert "放行" in page.locator("[data-testid=verdict]").inner_text()
    steps.check("allowed")
    assert Scan.objects.get().is_allowed
    steps.done()
