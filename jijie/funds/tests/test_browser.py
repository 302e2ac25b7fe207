"""On a phone: a community records a donation, downloads its receipt and reads back its
number and amount; the public notice shows it without signing in."""

import io

import pytest
from pypdf import PdfReader

from jijie.funds.models import Donation
from jijie.supplies.tests.test_browser import sign_in
from tests.browser import go, screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_donation_recorded_and_its_receipt_read_back(live_server, books, actors, phone):
    url = live_server.url
    sign_in(phone, url, "manager")
    go(phone, "资金")
    phone.click("[data-testid=donation-new]")
    phone.select_option("select[name=holder]", label="新港路社区")
    phone.select_option("select[name=donor_kind]", label="企业")
    phone.fill("input[name=donor]", "华润万家超市")
    phone.select_option("select[name=fund]", label="防疫捐款")
    phone.fill("input[name=amount]", "12345.60")
    phone.fill("input[name=note]", "支援社区卡口")
    screenshot(phone, "funds-donation-form-phone")
    phone.click("[data-testid=funds-form] button[type=submit]")
    phone.wait_for_selector("text=已登记,收据号 ")
    donation = Donation.objects.get()
    assert "12,345.60" in phone.locator("[data-testid=amount]").inner_text()
    screenshot(phone, "funds-donation-phone")

    href = phone.get_attribute("[data-testid=receipt]", "href")
    answer = phone.context.request.get(f"{url}{href}")
    assert answer.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(answer.body())).pages)
    assert donation.receipt_no in text
    assert "12,345.60" in text
    assert "壹万贰仟叁佰肆拾伍元陆角" in text
    assert "华润万家超市" in text

    # the public notice, read by anyone without signing in
    phone.context.clear_cookies()
    phone.goto(f"{url}/public/donations/{books.response.pk}/")
    assert "华润万家超市" in phone.locator("[data-testid=public-donations]").inner_text()
    assert "12,345.60" in phone.locator("[data-testid=totals]").inner_text()
    screenshot(phone, "funds-disclosure-phone")
