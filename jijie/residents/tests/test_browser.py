"""On a phone: a grid worker finds a resident by pinyin initials, opens the household,
and reveals a phone number with a reason and a code from their authenticator; the page
never showed it before. A secretary enrols their authenticator on the way to a reveal."""

import pytest
from stdnum.cn.ric import calc_check_digit

from jijie.accounts.testing import authenticator, enrol, next_code
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from tests.browser import go, screenshot, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
BODY = "44160219800512201"
ID = BODY + calc_check_digit(BODY + "0")


def test_grid_worker_finds_and_reveals(live_server, actors, tree, phone):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="1201")
    do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(name="陈美玲", document_number=ID, phone="13902233445", relation="head"),
    )
    page = phone
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", "gridworker")
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{live_server.url}/")

    go(page, "居民")
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

    totp = enrol(actors.grid_worker)
    page.click("text=查看完整")
    page.wait_for_url("**/account/mfa/verify/?next=*")
    page.fill("input[name=code]", next_code(totp))
    page.click("button:has-text('验证')")
    page.wait_for_url("**/reveal/")
    page.select_option("select[name=field]", "phone")
    page.fill("input[name=reason]", "电话回访核实居家情况")
    page.click("button:has-text('查看')")
    assert page.locator("[data-testid=revealed]").inner_text() == "13902233445"
    assert AuditEvent.objects.filter(
        action="pii.reveal.phone", reason="电话回访核实居家情况"
    ).exists()
    screenshot(page, "residents-reveal-phone")


def test_secretary_enrols_verifies_and_reveals(live_server, actors, tree, phone):
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="803")
    person = do_person_add(
        actor=SYSTEM,
        household=household,
        data=PersonData(name="林国强", document_number=ID, relation="head"),
    ).person
    page = phone
    reveal = f"{live_server.url}/residents/people/{person.pk}/reveal/"

    def sign_in():
        page.goto(f"{live_server.url}/login/")
        page.fill("input[name=username]", "manager")
        page.fill("input[name=password]", "a-long-test-password")
        page.click("button[type=submit]:has-text('登录')")
        page.wait_for_url(f"{live_server.url}/")

    # given a secretary without a second factor, who is told so on the home page
    sign_in()
    assert "需要先启用两步验证" in page.locator("[data-testid=mfa-missing]").inner_text()

    # when they open a reveal, they are sent to enrol, and come back after it
    page.goto(reveal)
    page.wait_for_url("**/account/mfa/?next=*")
    page.click("button:has-text('开始设置')")
    page.wait_for_selector("[data-testid=mfa-qr] svg")
    secret = page.locator("[data-testid=mfa-secret]").inner_text().replace(" ", "")
    assert authenticator(actors.manager).secret == secret
    screenshot(page, "mfa-enrol-phone")
    page.fill("input[name=code]", authenticator(actors.manager).now())
    page.click("button:has-text('确认启用')")
    page.wait_for_selector("[data-testid=recovery-codes] li")
    assert len(page.locator("[data-testid=recovery-codes] li").all()) == 8
    page.click("text=继续")
    page.wait_for_url(reveal)

    # then, signed in again later, a code from the authenticator lets the reveal proceed
    sign_out(page)
    sign_in()
    page.goto(reveal)
    page.wait_for_url("**/account/mfa/verify/?next=*")
    screenshot(page, "mfa-verify-phone")
    page.fill("input[name=code]", next_code(authenticator(actors.manager)))
    page.click("button:has-text('验证')")
    page.wait_for_url(reveal)
    page.fill("input[name=reason]", "核对居民身份证登记")
    page.click("button:has-text('查看')")
    assert page.locator("[data-testid=revealed]").inner_text() == ID
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"mfa.enrol", "mfa.verify", "pii.reveal.document"} <= actions
