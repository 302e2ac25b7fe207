"""On a phone: a store keeper holds a shelf's label up to the camera, sees the batch and
what the store holds of it, and issues from it without typing the item."""

import pytest

from jijie.supplies import labels, selectors
from jijie.supplies.models import Batch
from jijie.supplies.tests.fixtures import receive
from jijie.supplies.tests.test_browser import sign_in
from tests.browser import screenshot, show_to_camera

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_label_scanned_with_the_camera_then_issued(live_server, supplies, actors, phone):
    receive(supplies, supplies.community, supplies.masks, 50, lot="2020-0301")
    batch = Batch.objects.get()
    show_to_camera(labels.code(batch))  # the shelf's label held up to the phone
    sign_in(phone, live_server.url, "lower")
    phone.goto(f"{live_server.url}/supplies/stores/{supplies.community.pk}/")
    phone.click("[data-testid=scan]")
    phone.click("[data-testid=scan-camera]")
    phone.wait_for_selector("[data-testid=scanned]")
    assert "本仓库现有 50 只" in phone.locator("[data-testid=held]").inner_text()
    screenshot(phone, "supplies-scan-phone")
    phone.click("[data-testid=scan-issue]")
    assert phone.input_value("select[name=item]") == str(supplies.masks.pk)
    phone.fill("input[name=quantity]", "12")
    phone.fill("input[name=recipient]", "东门卡口")
    phone.click("[data-testid=supplies-form] button[type=submit]")
    phone.wait_for_selector("text=已发放。")
    assert selectors.balances(supplies.community) == {supplies.masks.pk: 38}
