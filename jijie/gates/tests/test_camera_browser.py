"""On a phone: the guard goes from their home to their gate's page, opens the camera, holds a pass's QR code
to it, is asked for what the gate's rule needs (a temperature, the test certificate)
before anything is sent, fills it in, and the scan is recorded: 放行."""

import pytest

from jijie.gates.models import Scan
from tests.browser import screenshot, show_to_camera, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_guard_scans_a_pass_with_the_phones_camera(live_server, actors, setup, phone):
    page = phone
    show_to_camera(setup.token)  # the pass card held up to the phone
    sign_in(page, live_server.url, "guard")
    # the guard's home leads straight to their gate's scan page
    screenshot(page, "gates-guard-home-phone")
    page.click("[data-testid=card-gate] >> text=扫码登记")
    page.wait_for_url(f"{live_server.url}/gates/{setup.gate.pk}/scan/")
    page.click("[data-testid=scan-camera]")
    # the code is read from the camera into the box, and the rule's needs are asked first
    page.wait_for_selector("[data-testid=needed]:not([hidden])")
    assert page.input_value("input[name=token]") == setup.token
    assert "体温" in page.locator("[data-testid=needed]").inner_text()
    assert Scan.objects.count() == 0  # nothing sent yet
    screenshot(page, "gates-camera-asks-phone")

    page.fill("input[name=temperature]", "36.5")
    page.check("input[name=certificate_checked]")
    page.click("[data-testid=submit]")
    page.wait_for_selector("[data-testid=verdict].allowed:not([hidden])")
    assert "放行" in page.locator("[data-testid=verdict]").inner_text()
    screenshot(page, "gates-camera-allowed-phone")
    scan = Scan.objects.get()
    assert (scan.is_allowed, scan.pass_ref_id) == (True, setup.pass_.pk)
