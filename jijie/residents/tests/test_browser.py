"""A grid worker on a phone finds a resident by pinyin initials, opens the household,
and reveals a phone number with a reason; the page never showed it before."""

import pytest
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.models import AuditEvent
from jijie.core.browser import screenshot
from jijie.residents.services import PersonData, household_register, person_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BODY = "44160219800512201"
ID = BODY + calc_check_digit(BODY + "0")


def test_grid_worker_finds_and_reveals(live_server, actors, tree, phone):
    household = household_register(actor=None, building=tree.building, door_number="1201")
    person_add(
        actor=None,
        household=household,
        data=PersonData(name="陈美玲", document_number=ID, phone="13902233445", relation="head"),
    )
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "gridworker")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")

    page.click("nav >> text=居民")
    page.fill("input[name=q]", "cml")
    page.click("form[role=search] button")
    page.wait_for_selector("[data-testid=found]")
    assert "/residents/" in page.url
    assert "cml" not in page.url
    screenshot(page, "residents-search-phone")
    page.click("[data-testid=found] >> text=陈美玲")
    people = page.locator("[data-testid=people]").inner_text()
    assert "139****3445" in people
    assert "13902233445" not in page.content()
    screenshot(page, "residents-household-phone")

    page.click("text=查看完整")
    page.select_option("select[name=field]", "phone")
    page.fill("input[name=reason]", "电话回访核实居家情况")
    page.click("button:has-text('查看')")
    assert page.locator("[data-testid=revealed]").inner_text() == "13902233445"
    assert AuditEvent.objects.filter(
        action="pii.reveal.phone", reason="电话回访核实居家情况"
    ).exists()
    screenshot(page, "residents-reveal-phone")
