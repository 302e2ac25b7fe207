"""On a phone: a community asks its street for ear thermometers, the street approves
part of it and sends it, the community confirms receipt, and both stores' pages agree."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.supplies.models import RequestState, SupplyRequest
from jijie.supplies.tests.fixtures import receive
from tests.browser import PASSWORD, go, screenshot, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{url}/")


def test_thermometers_asked_approved_in_part_and_received(live_server, supplies, actors, phone):
    receive(supplies, supplies.street, supplies.thermometers, 3)
    url = live_server.url

    # the community's secretary asks for five
    sign_in(phone, url, "manager")
    go(phone, "物资")
    phone.click("[data-testid=stores] >> text=新港路社区物资室")
    phone.click("[data-testid=request-new]")
    phone.select_option("select[name=item]", label="耳温枪")
    phone.fill("input[name=quantity]", "5")
    phone.fill("textarea[name=reason]", "我们社区没有耳温枪")
    phone.fill("input[name=needed_by]", (timezone.localdate() + timedelta(days=1)).isoformat())
    screenshot(phone, "supplies-request-form-phone")
    phone.click("[data-testid=supplies-form] button[type=submit]")
    phone.wait_for_selector("text=申请已提交上级。")
    assert "待审批" in phone.locator("[data-testid=own-requests]").inner_text()
    sign_out(phone)

    # the street approves the three it has and sends them from its store
    sign_in(phone, url, "street")
    go(phone, "物资")
    phone.click("[data-testid=requests-waiting]")
    request = SupplyRequest.objects.get()
    card = phone.locator(f"[data-testid=request-{request.pk}]")
    card.locator(f"input[name=approved-{supplies.thermometers.pk}]").fill("3")
    card.locator("input[name=note]").fill("街道只有 3 个")
    screenshot(phone, "supplies-requests-phone")
    card.locator("[data-testid=decide] button").click()
    phone.wait_for_selector("text=已审批。")
    card = phone.locator(f"[data-testid=request-{request.pk}]")
    card.locator("select").select_option(label="源西街道物资库")
    card.locator("[data-testid=fulfil] button").click()
    phone.wait_for_selector("text=已调拨,等待对方签收。")
    sign_out(phone)

    # the community confirms receipt on its store's page
    sign_in(phone, url, "manager")
    go(phone, "物资")
    phone.click("[data-testid=stores] >> text=新港路社区物资室")
    screenshot(phone, "supplies-in-transit-phone")
    phone.click("[data-testid=confirm-receipt]")
    phone.wait_for_selector("text=已签收,物资已入库。")
    assert "3 个" in phone.locator("[data-testid=stock]").inner_text()
    assert "已签收" in phone.locator("[data-testid=own-requests]").inner_text()
    screenshot(phone, "supplies-store-phone")
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    request.refresh_from_db()
    assert request.state == RequestState.RECEIVED

    # and the street's store shows them gone, to the community
    sign_out(phone)
    sign_in(phone, url, "street")
    phone.goto(f"{url}/supplies/stores/{supplies.street.pk}/")
    assert phone.locator("[data-testid=stock]").inner_text().count("耳温枪") == 0
    assert "新港路社区物资室" in phone.locator("[data-testid=ledger]").inner_text()
