"""On a phone: the community secretary follows the round's progress down to a grid,
imports the lab's file, opens the positive tube and puts its people into home
isolation; on a desktop, the street reads the same round."""

import pytest

from jijie.care.models import IsolationCase
from jijie.testing import services
from jijie.testing.tests.conftest import NOW
from tests.browser import go, page_width, screenshot, sign_in, sign_out

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_positive_tube_from_the_lab_file_to_home_isolation(
    live_server, site, people, actors, phone, desktop, tmp_path
):
    url = live_server.url
    for person in people[:10]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    for person in people[10:12]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0002", person=person, now=NOW
        )
    results = tmp_path / "结果.csv"
    results.write_text("样本编号,检测结果\nAB-0001,阳性\nAB-0002,阴性\n", encoding="utf-8")

    sign_in(phone, url, "manager")
    go(phone, "核酸检测")
    phone.click("[data-testid=rounds] a")
    assert "12" in phone.inner_text("[data-testid=totals]")
    phone.set_input_files("[data-testid=results-form] input[type=file]", str(results))
    phone.click("[data-testid=results-form] button[type=submit]")
    phone.wait_for_selector("text=已导入 2 管结果")
    phone.click("[data-testid=coverage] a >> text=第01网格")
    phone.wait_for_selector("text=第01网格 检测进度")
    screenshot(phone, "testing-round-phone")
    assert page_width(phone) <= 390
    phone.click("[data-testid=positives] a")
    phone.wait_for_selector("[data-testid=people] tbody tr")
    assert len(phone.locator("[data-testid=people] tbody tr").all()) == 10
    phone.click("[data-testid=isolate-form] button[type=submit]")
    phone.wait_for_selector("text=已转居家隔离 10 人")
    screenshot(phone, "testing-tube-phone")
    assert page_width(phone) <= 390
    sign_out(phone)
    assert IsolationCase.objects.count() == 10

    sign_in(desktop, url, "street")
    go(desktop, "核酸检测")
    desktop.click("[data-testid=rounds] a")
    assert "新港路社区 检测进度" in desktop.inner_text("main")
    screenshot(desktop, "testing-round-desktop")
