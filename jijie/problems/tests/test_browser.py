"""On a phone: a grid worker raises "没有耳温枪" with a photo; past its deadline the
street sees it overdue, then escalated to the district; the district command answers it
with the transfer it sent from its warehouse; the grid worker confirms it, 5 of 5."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.problems import services
from jijie.problems.models import Problem, ProblemState
from jijie.supplies import services as supplies_services
from jijie.supplies.tests.fixtures import receive
from tests.browser import go, page_width, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _photo(path):
    from PIL import Image

    Image.new("RGB", (320, 240), (200, 60, 40)).save(path, "JPEG")
    return path


def test_raised_escalated_answered_from_the_store_and_confirmed(
    live_server, tree, supplies, actors, phone, tmp_path
):
    url = live_server.url
    receive(supplies, supplies.district, supplies.thermometers, 20)
    photo = _photo(tmp_path / "thermometer.jpg")

    # the grid worker raises it from the phone, with a photo
    sign_in(phone, url, "gridworker")
    go(phone, "问题")
    phone.click("[data-testid=raise]")
    assert phone.input_value("input[name=area_code]") == tree.grid.code  # prefilled
    phone.check("input[name=kind][value=supplies]")
    phone.check("input[name=urgency][value=urgent]")
    phone.fill("input[name=title]", "没有耳温枪")
    phone.fill("textarea[name=need]", "耳温枪 5 个,卡口测温用")
    phone.set_input_files("input[name=photo]", str(photo))
    screenshot(phone, "problems-raise-phone")
    assert page_width(phone) <= 390
    phone.click("[data-testid=raise-form] button[type=submit]")
    phone.wait_for_selector("text=已提交,由源西街道办理。")
    problem = Problem.objects.get()
    assert problem.level == tree.street
    sign_out(phone)

    later = timezone.now() + timedelta(hours=2, minutes=5)
    with time_machine.travel(later, tick=False):
        # past its two hours, the street sees it overdue on its own list
        sign_in(phone, url, "street")
        go(phone, "问题")
        row = phone.locator(f"[data-testid=problem-{problem.pk}]")
        assert "已超期" in row.inner_text()
        screenshot(phone, "problems-board-overdue-phone")
        sign_out(phone)

        # the clock moves it up; the street sees it escalated, now the district's
        assert services.escalate().steps == 1
        sign_in(phone, url, "street")
        go(phone, "问题")
        phone.click("[data-testid=tab-escalated]")
        row = phone.locator(f"[data-testid=problem-{problem.pk}]")
        assert "源城区" in row.inner_text()
        sign_out(phone)

        # the district sends five from its warehouse and answers with that transfer
        transfer = supplies_services.do_transfer_send(
            actor=SYSTEM, source=supplies.district, destination=supplies.community,
            response=supplies.response,
            lines=[supplies_services.Line(item=supplies.thermometers, quantity="5")],
        )  # fmt: skip
        sign_in(phone, url, "command")
        go(phone, "问题")
        phone.click(f"[data-testid=problem-{problem.pk}] a >> nth=0")
        phone.wait_for_url(f"{url}/problems/{problem.pk}/")
        phone.click("[data-testid=claim]")
        phone.wait_for_selector("text=已认领,由您办理。")
        phone.fill("textarea[name=answer]", "区应急物资仓库调拨耳温枪 5 个,今天送到")
        phone.select_option("select[name=transfer]", value=str(transfer.pk))
        screenshot(phone, "problems-answer-phone")
        phone.click("[data-testid=answer-form] button[type=submit]")
        phone.wait_for_selector("text=已答复,等待提出人确认。")
        sign_out(phone)

        # the grid worker confirms it on their home's card
        sign_in(phone, url, "gridworker")
        phone.click("[data-testid=card-problems-confirm] a")
        phone.click(f"[data-testid=problem-{problem.pk}] a")
        assert "区应急物资仓库 → 新港路社区物资室" in phone.inner_text("[data-testid=answer]")
        phone.check("input[name=rating][value='5']")
        screenshot(phone, "problems-confirm-phone")
        phone.click("[data-testid=confirm-form] button[type=submit]")
        phone.wait_for_selector("text=已确认解决,谢谢评价。")
        history = phone.inner_text("[data-testid=history]")
        for step in ("提出", "超时升级", "认领", "答复", "确认解决"):
            assert step in history
        assert page_width(phone) <= 390
    problem.refresh_from_db()
    assert (problem.state, problem.rating, problem.transfer) == (ProblemState.RESOLVED, 5, transfer)


def test_the_rates_on_a_desktop(live_server, tree, supplies, actors, desktop):
    from jijie.problems.tests.fixtures import raise_problem

    for _ in range(3):
        raise_problem(tree.grid)
    raise_problem(tree.sibling_grid, kind="residents")
    sign_in(desktop, live_server.url, "command")
    desktop.goto(f"{live_server.url}/problems/rates/?area={tree.street.code}")
    assert "新港路社区" in desktop.inner_text("[data-testid=rates]")
    screenshot(desktop, "problems-rates-desktop")
    desktop.goto(f"{live_server.url}/problems/?tab=all")
    screenshot(desktop, "problems-board-desktop")
    assert desktop.locator("[data-testid=problems] tbody tr").count() == 4
