"""A sampler in a basement: the phone loses its signal, two tubes are filled (one full,
one sealed early; a card the registry does not know is refused once back online, fixed
as a walk-in into a new tube and sent again), the page is closed before it syncs;
opened again with a signal, every swab is stored exactly once and each item's result
is shown."""

import pytest
import time_machine

from jijie.residents.models import Person
from jijie.testing.models import Sample, Tube
from jijie.testing.tests.conftest import NOW, ric
from tests.browser import PHONE, lose_signal, new_context, page_width, screenshot, sign_in
from tests.live_server import arrived

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _swab(page, id_number):
    page.fill("[name=id_number]", id_number)
    page.click("[data-testid=sample-form] button[type=submit]")
    page.wait_for_function("() => document.querySelector('[name=id_number]').value === ''")


def _kept(page):
    """The pages the service worker keeps for use with no signal."""
    return page.evaluate(
        "() => caches.open('jijie-pages').then(c => c.keys()).then(k => k.map(r => r.url))"
    )


def test_two_tubes_filled_with_no_signal_are_stored_once(
    live_server, browser, site, carded_many, round_, actors, tree
):
    round_.tube_size = 3
    round_.save()
    with time_machine.travel(NOW, tick=True):
        context = new_context(browser, viewport=PHONE, locale="zh-CN", device_scale_factor=2)
        page = context.new_page()
        page.set_default_timeout(10_000)
        sign_in(page, live_server.url, "gridworker")
        page.goto(f"{live_server.url}/testing/")
        page.click("[data-testid=my-sites] a")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 0 条')")
        sample_page = page.url
        for _ in range(50):  # the worker starts, then keeps the page it was opened on
            if _kept(page):
                break
            page.wait_for_timeout(100)

        before = len(arrived())  # what reached the server from here on, should it fail
        lose_signal(context)
        page.fill("[name=barcode]", "AB-0001")
        for n in range(3):
            _swab(page, ric(n))
        assert "AB-0001 已满" in page.inner_text("[data-testid=tube-count]")
        page.fill("[name=barcode]", "AB-0002")
        _swab(page, ric(3))
        _swab(page, ric(60))  # a card the registry does not hold
        page.click("[data-testid=seal] summary")  # the queue ran out: sealed early
        page.wait_for_function(  # the tube in hand is offered
            "() => document.querySelector('[data-testid=seal-form] [name=barcode]').value"
            " === 'AB-0002'"
        )
        page.click("[data-testid=seal-form] button[type=submit]")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('待同步 6 条')")
        assert "AB-0002 已满或已封管" in page.inner_text("[data-testid=tube-count]")
        screenshot(page, "testing-sample-offline-phone")
        assert page_width(page) <= 390
        # kept for the basement: the sampler's page, and no page with people on it
        kept = _kept(page)
        assert sample_page in kept
        assert not any(k[len(live_server.url) :] == "/testing/" for k in kept)
        page.close()
        assert not Sample.objects.exists(), arrived()[before:]

        context.set_offline(False)
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(sample_page)
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('未通过 1 条')")
        assert "今日已保存 5 条" in page.inner_text("[data-testid=outbox-counts]")
        assert "AB-0002 已封管,共 1 人" in page.inner_text("[data-testid=outbox]")
        assert "第 3/3 人,已满封管" in page.inner_text("[data-testid=outbox]")
        refused = page.locator("[data-testid=outbox-item][data-state=refused]")
        assert "登记库中没有" in refused.inner_text()
        screenshot(page, "testing-sample-refused-phone")

        refused.locator("button", has_text="修改").click()
        assert page.input_value("[name=id_number]") == ric(60)
        page.fill("[name=barcode]", "AB-0003")  # AB-0002 was sealed meanwhile
        page.click("[data-testid=walk-in] summary")
        page.fill("[name=name]", "过路人")
        page.select_option("[name=building]", tree.building.code)
        page.fill("[name=door]", "1203")
        page.click("[data-testid=sample-form] button[type=submit]")
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 6 条')")
        assert "未通过 0 条" in page.inner_text("[data-testid=outbox-counts]")
        # opened again: nothing is sent twice
        page.reload()
        page.wait_for_selector("[data-testid=outbox-counts]:has-text('今日已保存 6 条')")
        context.close()

    assert Sample.objects.count() == 5
    assert Tube.objects.get(barcode="AB-0001").size == 3
    assert Tube.objects.get(barcode="AB-0001").sealed_at is not None
    sealed_early = Tube.objects.get(barcode="AB-0002")
    assert sealed_early.size == 1
    assert sealed_early.sealed_at is not None
    assert Tube.objects.get(barcode="AB-0003").size == 1
    assert Person.objects.filter(name="过路人", household__door_number="1203").count() == 1
