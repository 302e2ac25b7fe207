"""A community posts a demand (吹哨) on a desktop; a member living there claims a shift
on a phone (报到); the community confirms it and the board shows the shift filled; the
member reads the notice and puts it away."""

import pytest

from jijie.duty.models import Participation, ParticipationStatus
from jijie.duty.tests.fixtures import resident, tomorrow, user_of, with_account
from tests.browser import go, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{url}/")


def test_demand_claim_and_the_board_filled(live_server, tree, posts, actors, desktop, phone):
    someone = with_account(resident(1, tree), "resident1")

    sign_in(desktop, live_server.url, "manager")
    go(desktop, "值守")
    desktop.click("text=发布岗位需求")
    desktop.select_option("select[name=post_type]", label="卡口值守")
    desktop.fill("input[name=place]", "东门卡口")
    desktop.fill("input[name=starts_on]", tomorrow().isoformat())
    desktop.fill("input[name=days]", "1")
    desktop.fill("input[name=shifts_per_day]", "1")
    desktop.fill("input[name=min_per_shift]", "1")
    desktop.fill("input[name=max_per_shift]", "1")
    desktop.click("[data-testid=demand-form] button[type=submit]")
    desktop.wait_for_selector("[data-testid=board]")
    assert "未来七天没有缺岗" not in desktop.locator("[data-testid=gaps]").inner_text()

    sign_in(phone, live_server.url, user_of(someone).username)
    # the member's home says a shift may be claimed, and leads to it
    assert "1" in phone.locator("[data-testid=card-shifts] .badge").inner_text()
    screenshot(phone, "duty-member-home-phone")
    phone.click("[data-testid=card-shifts] >> text=查看与认领")
    phone.wait_for_selector("[data-testid=open-shifts]")
    assert "东门卡口" in phone.locator("[data-testid=open-shifts]").inner_text()
    phone.click("[data-testid=open-shifts] button:has-text('报到')")
    phone.wait_for_selector("text=已报到,等待社区确认。")
    assert "待确认" in phone.locator("[data-testid=my-shifts]").inner_text()
    screenshot(phone, "duty-claimed-phone")

    # the secretary's home says a claim waits, and leads to the board
    desktop.goto(f"{live_server.url}/")
    desktop.click("[data-testid=card-claims] >> text=去确认")
    desktop.click("[data-testid=pending] button:has-text('确认')")
    desktop.wait_for_selector("text=已处理。")
    assert "1 / 1" in desktop.locator("[data-testid=board]").inner_text()
    assert desktop.locator("[data-testid=board] td.short").count() == 0
    assert desktop.locator("[data-testid=gaps]").inner_text().strip() == "未来七天没有缺岗"
    screenshot(desktop, "duty-board-filled")
    held = Participation.objects.get(member=someone)
    assert held.status == ParticipationStatus.CONFIRMED

    # The member hears of it on their page, and puts the notice away.
    phone.goto(f"{live_server.url}/duty/mine/")
    phone.wait_for_selector("[data-testid=notices]")
    screenshot(phone, "duty-notice-phone")
    phone.click("[data-testid=notices] button:has-text('知道了')")
    phone.wait_for_selector("[data-testid=my-shifts]")
    assert phone.locator("[data-testid=notices]").count() == 0
