"""On phones: a grid worker records the day's two follow-ups, one with a fever, and the
community's board shows the alert; a member accepts a household's errand, runs it, and
sees it confirmed on their list."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.care import services
from jijie.care.models import Errand, ErrandState, FollowUp
from jijie.care.tests.fixtures import open_case, resident_member
from jijie.responses.services import do_response_activate
from tests.browser import PHONE, go, new_context, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", "a-long-test-password")
    page.click("button[type=submit]:has-text('登录')")
    page.wait_for_url(f"{url}/")


@pytest.fixture
def other_phone(browser):
    context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def record(phone, case_pk: int, temperature: str, symptoms: str = "") -> None:
    card = phone.locator(f"[data-testid=due-case][data-case='{case_pk}']")
    card.locator("summary").click()
    card.locator("input[name=temperature]").fill(temperature)
    if symptoms:
        card.locator("input[name=symptoms]").fill(symptoms)
    card.locator("button:has-text('保存随访')").click()
    # through the phone's outbox: stored, then the day drawn again with its slot done
    phone.wait_for_selector(
        f"[data-testid=outbox-item][data-state=stored]:has-text('{temperature}')"
    )


def test_two_follow_ups_and_the_fever_on_the_board(
    live_server, tree, actors, homes, phone, other_phone
):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    start = timezone.localdate() - timedelta(days=2)
    first = open_case(actors, response, homes.wang, homes.xiaoming, starts_on=start)
    second = open_case(actors, response, homes.zhao, None, starts_on=start, kind="observation")

    sign_in(phone, live_server.url, actors.grid_worker.username)
    go(phone, "关怀")
    phone.wait_for_selector("[data-testid=due-list]")
    assert phone.locator("[data-testid=due-case]").count() == 2
    assert "第 3 / 14 天" in phone.locator("[data-testid=due-list]").inner_text()
    record(phone, first.pk, "36.6")
    record(phone, second.pk, "38.2", symptoms="咳嗽")
    assert "体温偏高,已向社区发出发热预警。" in phone.inner_text("[data-testid=outbox]")
    assert "38.2℃" in phone.locator("[data-testid=due-list]").inner_text()
    screenshot(phone, "care-day-phone")
    assert FollowUp.objects.count() == 2
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"]

    sign_in(other_phone, live_server.url, actors.manager.username)
    other_phone.goto(f"{live_server.url}/care/board/{tree.community.code}/")
    alerts = other_phone.locator("[data-testid=alerts]").inner_text()
    assert "发热" in alerts
    assert "38.2℃" in alerts
    assert "1栋 102" in alerts
    screenshot(other_phone, "care-board-phone")
    other_phone.fill("[data-testid=resolve-form] input[name=resolution]", "已联系社区医生上门")
    other_phone.click("[data-testid=resolve-form] button")
    other_phone.wait_for_selector("text=预警已处理。")
    assert "38.2" not in other_phone.locator("[data-testid=alerts]").inner_text()


def test_an_errand_accepted_done_and_confirmed(live_server, tree, actors, homes, phone, desktop):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    start = timezone.localdate() - timedelta(days=2)
    open_case(actors, response, homes.wang, homes.xiaoming, starts_on=start)
    ming = resident_member(1, tree, username="ming")
    errand = services.errand_create(
        actor=actors.grid_worker,
        household=homes.wang,
        data=services.ErrandData(
            kind="medicine", needed="布洛芬一盒", due_by=timezone.now() + timedelta(hours=3)
        ),
    )
    services.errand_assign(actor=actors.manager, errand=errand, member=ming)

    sign_in(phone, live_server.url, "ming")
    phone.goto(f"{live_server.url}/care/errands/mine/")
    mine = phone.locator("[data-testid=my-errands]")
    assert "布洛芬一盒" in mine.inner_text()
    mine.locator("button:has-text('接单')").click()
    phone.wait_for_selector("text=已接单。")
    phone.fill("[data-testid=done-form] input[name=proof_note]", "已放门口,拍照发给住户")
    phone.fill("[data-testid=done-form] input[name=minutes]", "40")
    phone.click("[data-testid=done-form] button[type=submit]")
    phone.wait_for_selector("text=已办结,等待住户或网格员确认。")
    assert "等待住户或网格员确认" in phone.locator("[data-testid=my-errands]").inner_text()
    screenshot(phone, "care-errand-done-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    sign_in(desktop, live_server.url, actors.grid_worker.username)
    desktop.goto(f"{live_server.url}/care/errands/{errand.pk}/")
    assert "已放门口" in desktop.content()
    desktop.click("button:has-text('确认已办结')")
    desktop.wait_for_selector("text=已确认,服务时长已计入队员记录。")
    assert Errand.objects.get().state == ErrandState.CONFIRMED

    phone.reload()
    assert "已确认 1 件,累计 0.7 小时" in phone.content()


def test_a_hardship_plan_opened_and_a_visit_recorded_on_a_phone(
    live_server, tree, actors, homes, phone
):
    from jijie.care.models import CarePlan, CareVisit
    from jijie.residents.models import Household

    Household.objects.filter(pk=homes.zhao.pk).update(is_hardship=True)
    sign_in(phone, live_server.url, actors.manager.username)
    phone.goto(f"{live_server.url}/care/board/{tree.community.code}/")
    phone.click("text=生活困难户")
    unplanned = phone.locator("[data-testid=unplanned]")
    assert "1栋 102" in unplanned.inner_text()
    unplanned.locator("text=建立帮扶计划").click()
    phone.fill("textarea[name=needs]", "独居老人,腿脚不便")
    phone.fill("textarea[name=measures]", "每周上门,代买药品")
    phone.select_option("select[name=responsible]", str(actors.grid_worker.pk))
    phone.click("[data-testid=plan-form] button[type=submit]")
    screenshot(phone, "care-plan-form-phone")
    phone.wait_for_selector("text=已建立帮扶计划。")
    assert phone.locator("[data-testid=overdue]").count() == 0  # due today, not late

    phone.locator("summary:has-text('登记走访')").click()
    phone.fill("input[name=help_given]", "送米一袋、油一桶")
    phone.fill("input[name=value]", "120")
    phone.click("[data-testid=visit-form] button[type=submit]")
    phone.wait_for_selector("text=已登记走访。")
    assert "共 1 次,物资折价 120.00 元" in phone.locator("[data-testid=total]").inner_text()
    screenshot(phone, "care-plan-phone")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    phone.click("text=生活困难户")
    assert "1栋 102" in phone.locator("[data-testid=plans]").inner_text()
    screenshot(phone, "care-hardship-phone")
    plan = CarePlan.objects.get()
    assert plan.responsible == actors.grid_worker
    assert CareVisit.objects.get().value == 120


def test_a_grid_worker_finds_the_household_by_initials_and_asks_an_errand(
    live_server, tree, actors, homes, phone
):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    open_case(actors, response, homes.wang, homes.xiaoming, starts_on=timezone.localdate())
    sign_in(phone, live_server.url, actors.grid_worker.username)
    phone.goto(f"{live_server.url}/care/errands/new/")
    # the household is searched for as it is said (王小明 → wxm) and tapped
    phone.fill("#id_household_q", "wxm")
    phone.wait_for_selector("button.pick-household")
    assert phone.locator("button.pick-household").count() == 1
    phone.click("button.pick-household")
    assert phone.input_value("input[name=household]") == str(homes.wang.pk)
    assert "1栋 101" in phone.locator("[data-picked-for=id_household]").inner_text()
    assert phone.input_value("#id_household_q") == ""  # the words typed are not kept
    phone.select_option("select[name=kind]", "groceries")
    phone.fill("textarea[name=needed]", "大米一袋")
    screenshot(phone, "care-errand-picked-phone")
    phone.click("[data-testid=errand-form] button[type=submit]")
    phone.wait_for_selector("text=代办已登记,等待队员接单。")
    errand = Errand.objects.get()
    assert (errand.household_id, errand.needed) == (homes.wang.pk, "大米一袋")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
