"""On a phone: a guard pastes a pass code, records a temperature and sees 放行; an
expired pass shows 禁止通行 and why, in large type."""

from datetime import timedelta

import pytest

from jijie.audit.actors import SYSTEM
from jijie.gates import services
from jijie.gates.models import Scan
from jijie.gates.tests.fixtures import NOON
from jijie.residents.services import do_household_register
from tests.browser import lose_signal, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_guard_scans_allow_then_expired_deny(live_server, actors, setup, phone):
    other = do_household_register(
        actor=SYSTEM, building=setup.household.building, door_number="502"
    )
    expired = services.do_pass_issue(
        actor=SYSTEM,
        household=other,
        response=setup.response,
        valid_from=NOON - timedelta(days=3),
        valid_until=NOON - timedelta(hours=1),
    )
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "guard")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")

    page.goto(f"{live_server.url}/gates/")
    page.click("text=值守登记")
    page.fill("input[name=token]", setup.token)
    page.fill("input[name=temperature]", "36.4")
    page.check("input[name=certificate_checked]")
    page.click("[data-testid=submit]")
    # kept on the phone, sent at once, and the server's decision shown when it answers
    page.wait_for_selector("[data-testid=verdict].allowed:not([hidden])")
    assert page.locator("[data-testid=verdict] .verdict").inner_text().strip() == "放行"
    assert page.input_value("input[name=token]") == ""  # ready for the next person
    assert page.is_checked("input[name=direction][value=in]")
    screenshot(page, "gates-scan-allowed-phone")

    page.fill("input[name=token]", services.pass_token(expired))
    page.fill("input[name=temperature]", "36.6")
    page.check("input[name=certificate_checked]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=verdict].denied:not([hidden])")
    assert page.locator("[data-testid=verdict] .verdict").inner_text().strip() == "禁止通行"
    assert "过期" in page.locator("[data-testid=verdict] .why").inner_text()
    page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 2 条')")
    screenshot(page, "gates-scan-expired-phone")
    assert list(Scan.objects.order_by("pk").values_list("is_allowed", "reason")) == [
        (True, "ok"),
        (False, "pass_expired"),
    ]


def test_offline_scan_is_checked_on_the_phone_and_synced_once(live_server, actors, setup, phone):
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "guard")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/gates/{setup.gate.pk}/scan/")
    page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 0 条')")

    lose_signal(page.context)
    page.fill("input[name=token]", setup.token)
    page.fill("input[name=temperature]", "36.4")
    page.check("input[name=certificate_checked]")
    page.click("[data-testid=submit]")
    # The phone keeps the scan and checks the signature itself, asynchronously: wait for
    # both (an immediate read raced the script on a loaded machine).
    page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 1 条')")
    page.wait_for_selector("[data-testid=offline-verdict]:has-text('放行')")
    assert page.locator("[data-testid=offline-verdict]").is_visible()
    tampered = setup.token[:-4] + ("AAAA" if not setup.token.endswith("AAAA") else "BBBB")
    page.fill("input[name=token]", tampered)
    page.fill("input[name=temperature]", "36.6")  # each person's own, asked again
    page.check("input[name=certificate_checked]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=offline-verdict]:has-text('禁止通行')")
    page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 2 条')")
    assert Scan.objects.count() == 0
    screenshot(page, "gates-scan-offline-phone")

    with page.expect_response("**/sync/") as sync:
        page.context.set_offline(False)
    results = sync.value.json()["results"]
    assert [r["status"] for r in results] == ["stored", "stored"], results
    assert [r["data"]["allowed"] for r in results] == [True, False]
    page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 0 条')")
    assert "禁止通行:二维码无效或被篡改。" in page.inner_text("[data-testid=outbox]")
    assert sorted(Scan.objects.values_list("reason", flat=True)) == ["ok", "pass_invalid"]
