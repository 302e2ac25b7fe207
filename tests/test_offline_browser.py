"""A grid worker in a basement: the doors page and the day's follow-ups opened with a
signal, then the signal gone; five doors and two follow-ups recorded, the pages closed
before anything is sent. Opened again with a signal, all seven are stored exactly once,
each item's result shown; the one refused (a temperature mistyped) is fixed and sent
again."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.care import services as care_services
from jijie.care.models import Errand, ErrandState, FollowUp
from jijie.care.services import ErrandData
from jijie.care.tests.fixtures import open_case, resident_member
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.responses.services import do_response_activate
from jijie.screening.models import Visit
from jijie.screening.services import do_campaign_create
from tests.browser import PHONE, lose_signal, new_context, page_width, screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DOORS = ("101", "102", "201", "202", "301")


def _counts(page):
    return page.inner_text("[data-testid=outbox-counts]")


def test_five_doors_and_two_follow_ups_with_no_signal(live_server, browser, tree, actors):
    with time_machine.travel(NOW, tick=True):
        response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        homes = [
            do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
            for door in DOORS
        ]
        campaign = do_campaign_create(
            actor=SYSTEM, response=response, name="第一轮扫楼", areas=[tree.community],
            starts_on=NOW.date(), ends_on=NOW.date(),
        )  # fmt: skip
        for n, home in enumerate(homes[:2]):
            person = do_person_add(
                actor=SYSTEM, household=home, data=PersonData(name=f"隔离{n}", relation="head")
            ).person
            open_case(actors, response, home, person)

        context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        doors = context.new_page()
        doors.set_default_timeout(10_000)
        sign_in(doors, live_server.url, "gridworker")
        doors_url = f"{live_server.url}/screening/{campaign.pk}/doors/{tree.building.code}/"
        doors.goto(doors_url)
        day = context.new_page()
        day.set_default_timeout(10_000)
        day.goto(f"{live_server.url}/care/")
        day.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 0 条')")

        lose_signal(context)
        doors.bring_to_front()
        doors.click("[data-testid=door-visit] summary")
        form = "[data-testid=door-visit-form]"
        for n, door in enumerate(DOORS, start=1):
            doors.click(f".floorplan a.door[data-door='{door}']")  # picks it: no signal
            assert doors.url == doors_url
            doors.check(f"{form} input[name=mode][value=door]")
            doors.fill(f"{form} [name=q_people_home]", "2")
            doors.click(f"{form} button[type=submit]")
            doors.wait_for_selector(f"[data-testid=outbox-counts]:has-text('待同步 {n} 条')")
        assert doors.locator(".floorplan a.door[data-queued]").count() == 5
        screenshot(doors, "offline-doors-phone")
        assert page_width(doors) <= 390

        day.bring_to_front()
        cases = day.locator("[data-testid=due-case]").all()
        for case, temperature in zip(cases, ("36.5", "50"), strict=True):
            case.locator("summary").click()
            case.locator("[name=temperature]").fill(temperature)
            case.locator("button[type=submit]").click()
        day.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 7 条')")
        doors.close()
        day.close()
        assert not Visit.objects.exists()
        assert not FollowUp.objects.exists()

        context.set_offline(False)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(f"{live_server.url}/care/")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 6 条')")
        assert "未通过 1 条" in _counts(page)
        refused = page.locator("[data-testid=outbox-item][data-state=refused]")
        assert "34–43" in refused.inner_text()
        screenshot(page, "offline-refused-phone")
        refused.locator("button", has_text="修改").click()
        fixing = page.locator("[data-testid=follow-up-form]:visible")
        assert fixing.locator("[name=temperature]").input_value() == "50"
        fixing.locator("[name=temperature]").fill("37.1")
        fixing.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 7 条')")
        assert "未通过 0 条" in _counts(page)
        page.reload()
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 7 条')")
        context.close()

    assert Visit.objects.count() == 5
    assert sorted(v.household.door_number for v in Visit.objects.all()) == list(DOORS)
    assert sorted(str(f.temperature) for f in FollowUp.objects.all()) == ["36.5", "37.1"]


def _kept(page) -> list[str]:
    return page.evaluate(
        "caches.open('jijie-pages').then(c => c.keys())"
        ".then(keys => keys.map(r => new URL(r.url).pathname).sort())"
    )


def test_the_days_buildings_are_on_the_phone_before_going_out(live_server, browser, tree, actors):
    # The worker opens the day's list with a signal; the floor plan of a building they
    # never opened is then there in the basement, and a door recorded on it is stored
    # once the signal is back.
    with time_machine.travel(NOW, tick=True):
        response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
        second = Area.objects.get(code="441602004001-01-002")
        do_household_register(actor=SYSTEM, building=second, door_number="201")
        campaign = do_campaign_create(
            actor=SYSTEM, response=response, name="第一轮扫楼", areas=[tree.community],
            starts_on=NOW.date(), ends_on=NOW.date(),
        )  # fmt: skip
        doors_urls = [f"/screening/{campaign.pk}/doors/{b.code}/" for b in (tree.building, second)]

        context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, "gridworker")
        page.goto(f"{live_server.url}/screening/{campaign.pk}/today/")
        assert page.locator("[data-testid=today-stop]").count() == 2
        screenshot(page, "today-phone")
        assert page_width(page) <= 390
        for _ in range(100):  # the service worker keeps both floor plans
            if set(doors_urls) <= set(_kept(page)):
                break
            page.wait_for_timeout(100)
        assert set(doors_urls) <= set(_kept(page))
        page.close()

        lose_signal(context)
        basement = context.new_page()
        basement.set_default_timeout(10_000)
        basement.goto(live_server.url + doors_urls[1])  # never opened: from the phone
        basement.click("[data-testid=door-visit] summary")
        form = "[data-testid=door-visit-form]"
        basement.click(".floorplan a.door[data-door='201']")
        basement.check(f"{form} input[name=mode][value=door]")
        basement.fill(f"{form} [name=q_people_home]", "3")
        basement.click(f"{form} button[type=submit]")
        basement.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 1 条')")
        basement.close()
        assert not Visit.objects.exists()

        context.set_offline(False)
        back = context.new_page()
        back.set_default_timeout(10_000)
        back.goto(f"{live_server.url}/screening/{campaign.pk}/today/")
        back.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 1 条')")
        context.close()

    assert [v.household.door_number for v in Visit.objects.all()] == ["201"]


def test_a_member_reports_an_errand_run_with_no_signal(live_server, browser, tree, actors):
    with time_machine.travel(NOW, tick=True):
        response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        home = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
        person = do_person_add(
            actor=SYSTEM, household=home, data=PersonData(name="隔离户", relation="head")
        ).person
        open_case(actors, response, home, person)
        runner = resident_member(1, tree, username="runner")
        errand = care_services.errand_create(
            actor=actors.grid_worker, household=home,
            data=ErrandData(kind="medicine", needed="降压药一盒",
                            due_by=NOW + timedelta(hours=3), money_advanced="0"),
        )  # fmt: skip
        care_services.errand_claim(actor=runner.user, errand=errand)

        context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, "runner")
        page.goto(f"{live_server.url}/care/errands/mine/")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 0 条')")
        lose_signal(context)
        form = page.locator("[data-testid=done-form]")
        form.locator("[name=proof_note]").fill("已送到门口")
        form.locator("button[type=submit]").click()
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 1 条')")
        screenshot(page, "offline-errand-phone")
        page.close()
        assert Errand.objects.get(pk=errand.pk).state == ErrandState.ACCEPTED

        context.set_offline(False)
        back = context.new_page()
        back.set_default_timeout(10_000)
        back.goto(f"{live_server.url}/care/errands/mine/")
        back.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 1 条')")
        context.close()

    done = Errand.objects.get(pk=errand.pk)
    assert (done.state, done.proof_note) == (ErrandState.DONE, "已送到门口")
