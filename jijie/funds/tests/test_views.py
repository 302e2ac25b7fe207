"""The funds pages, by three actors (the holder's keeper, a lower role, an outsider) and
along what an office does: a donation recorded with its receipt, an expenditure with its
scan, an allocation, a refund, a period closed; and the public notice without sign-in."""

from datetime import date
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from conftest import make_user
from jijie.audit.actors import SYSTEM
from jijie.funds import selectors, services
from jijie.funds.models import Account, AccountKind, Attachment, Donation, Posting
from jijie.funds.tests.fixtures import income

NOW = "2026-03-10 10:00:00+08:00"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def _cash(books, holder, fund=None) -> Account:
    return Account.objects.get(fund=fund or books.party_fees, holder=holder, kind=AccountKind.CASH)


def _donation(books) -> Donation:
    return services.do_donation_record(
        actor=SYSTEM, response=books.response, holder=books.community,
        data=services.DonationData(
            donor_kind="company", donor="华润超市", amount="500", fund=books.donations,
            received_on=date(2026, 3, 9),
        ),
    )  # fmt: skip


def test_three_actors_on_every_page(client, books, actors, frozen):
    income(books, "1000", holder=books.community)
    spending = services.do_expend(
        actor=SYSTEM, fund=books.party_fees, holder=books.community,
        expense=services.Expense(
            amount="10", on=date(2026, 3, 9), summary="购买", voucher="付-1", payee="商店",
            scan=services.Scan("a.png", b"\x89PNG\r\n\x1a\nxx"),
        ),
    )  # fmt: skip
    gift = _donation(books)
    account = _cash(books, books.community).pk
    pages = [
        reverse("funds:statement", args=[account]),
        reverse("funds:statement_xlsx", args=[account]),
        reverse("funds:scan", args=[spending.pk]),
        reverse("funds:refund_new", args=[spending.pk]),
        reverse("funds:donation", args=[gift.pk]),
        reverse("funds:receipt", args=[gift.pk]),
    ]
    for url in pages:
        assert _get(client, actors.manager, url).status_code == 200, url
        assert _get(client, actors.outsider, url).status_code == 404, url
        assert _get(client, actors.guard, url).status_code == 404, url
    # the street reads the community's books; a lower role has no funds at all
    assert _get(client, actors.street, pages[0]).status_code == 200
    for url in ("funds:index", "funds:donations"):
        assert _get(client, actors.lower, reverse(url)).status_code == 403
        assert _get(client, actors.manager, reverse(url)).status_code == 200
    # an inspector reads, records nothing
    inspector = make_user("inspector", "inspector", books.street.area)
    assert _get(client, inspector, pages[0]).status_code == 200
    assert _get(client, inspector, pages[3]).status_code == 403
    for url in ("funds:expense_new", "funds:donation_new", "funds:import"):
        assert _get(client, inspector, reverse(url)).status_code == 403
        assert _get(client, actors.manager, reverse(url)).status_code == 200
    # allocating and receiving party fees is for those who manage: not a community
    for url in ("funds:allocate_new", "funds:income_new"):
        assert _get(client, actors.manager, reverse(url)).status_code == 403
        assert _get(client, actors.street, reverse(url)).status_code == 200
    # the menu offers funds to those who may see them
    assert 'href="/funds/"' in _get(client, actors.manager, "/").content.decode()
    assert 'href="/funds/"' not in _get(client, actors.lower, "/").content.decode()


def test_a_donation_on_the_form_then_its_receipt_and_cancellation(client, books, actors, frozen):
    client.force_login(actors.manager)
    answer = client.post(
        reverse("funds:donation_new"),
        {
            "holder": books.community.pk, "donor_kind": "person", "donor": "",
            "anonymous": "on", "received_on": "2026-03-10", "fund": books.donations.pk,
            "amount": "2000", "note": "送到派出所",
        },
    )  # fmt: skip
    gift = Donation.objects.get()
    assert answer.status_code == 302
    assert answer.url == reverse("funds:donation", args=[gift.pk])
    assert (gift.receipt_no, gift.amount, gift.public_donor) == (
        "2026-000001", Decimal("2000.00"), "爱心人士",
    )  # fmt: skip
    pdf = client.get(reverse("funds:receipt", args=[gift.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    answer = client.post(reverse("funds:donation_cancel", args=[gift.pk]), {"reason": "重复登记"})
    gift.refresh_from_db()
    assert gift.state == "cancelled"
    assert selectors.fund_totals(books.donations).received == 0


@pytest.mark.parametrize(
    ("amount", "reason"),
    [
        ("NaN", "普通的十进制数字"),
        ("1,000.00", "千位分隔符"),
        ("１００", "半角数字"),
        ("", "请填写"),
    ],
)
def test_a_bad_amount_on_the_form_names_the_field_and_stores_nothing(
    client, books, actors, frozen, amount, reason
):
    income(books, "500", holder=books.community)
    client.force_login(actors.manager)
    answer = client.post(
        reverse("funds:expense_new"),
        {
            "fund": books.party_fees.pk, "holder": books.community.pk, "amount": amount,
            "on": "2026-03-10", "voucher": "付-1", "summary": "购买", "payee": "商店",
        },
    )  # fmt: skip
    assert answer.status_code == 200
    assert reason in answer.context["form"].errors["amount"][0]
    assert Posting.objects.count() == 1


def test_an_expenditure_with_its_scan_then_a_refund(client, books, actors, frozen):
    income(books, "500", holder=books.community)
    client.force_login(actors.manager)
    scan = SimpleUploadedFile("发票.pdf", b"%PDF-1.4 x", content_type="application/pdf")
    answer = client.post(
        reverse("funds:expense_new"),
        {
            "fund": books.party_fees.pk, "holder": books.community.pk, "amount": "120.50",
            "on": "2026-03-10", "voucher": "付-1", "summary": "购买消毒液", "payee": "药店",
            "scan": scan,
        },
    )  # fmt: skip
    assert answer.status_code == 302
    spending = Posting.objects.get(kind="expenditure")
    assert bytes(Attachment.objects.get(posting=spending).content) == b"%PDF-1.4 x"
    assert client.get(reverse("funds:scan", args=[spending.pk])).content == b"%PDF-1.4 x"
    answer = client.post(
        reverse("funds:refund_new", args=[spending.pk]),
        {"amount": "20.50", "on": "2026-03-10", "summary": "退货"},
    )
    assert answer.status_code == 302
    assert _cash(books, books.community).balance == Decimal("400.00")
    page = client.get(reverse("funds:statement", args=[_cash(books, books.community).pk]))
    assert "379.50" in page.content.decode()
    assert "400.00" in page.content.decode()


def test_the_street_allocates_to_a_community(client, books, actors, frozen):
    income(books, "1000", holder=books.street)
    client.force_login(actors.street)
    answer = client.post(
        reverse("funds:allocate_new"),
        {
            "fund": books.party_fees.pk, "holder": books.street.pk, "to": books.community.pk,
            "amount": "0.10", "on": "2026-03-10", "summary": "下拨",
        },
    )  # fmt: skip
    assert answer.status_code == 302
    assert _cash(books, books.community).balance == Decimal("0.10")


def test_closing_a_period_on_the_statement(client, books, actors, frozen):
    income(books, "1000", holder=books.community, on=date(2026, 3, 1))
    client.force_login(actors.manager)
    account = _cash(books, books.community)
    client.post(reverse("funds:close", args=[account.pk]), {"through": "2026-03-05"})
    page = client.get(reverse("funds:statement", args=[account.pk])).content.decode()
    assert "已结账至 2026-03-05" in page


def test_the_public_notice_needs_no_sign_in_and_shows_donors_as_they_consented(books, frozen):
    _donation(books)
    services.do_donation_record(
        actor=SYSTEM, response=books.response, holder=books.community,
        data=services.DonationData(
            donor_kind="person", donor="陈明", disclose=False, amount="2000",
            fund=books.donations, received_on=date(2026, 3, 9),
        ),
    )  # fmt: skip
    page = Client().get(reverse("public:disclosure", args=[books.response.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "华润超市" in text
    assert "爱心人士" in text
    assert "陈明" not in text
    assert "2,500.00" in text
    pdf = Client().get(reverse("public:disclosure_pdf", args=[books.response.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    assert Client().get(reverse("public:disclosure", args=[999999])).status_code == 404


def test_the_fund_totals_show_to_those_over_its_area_only(client, books, actors, frozen):
    income(books, "1000")
    services.do_allocate(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee, to=books.community,
        entry=services.Entry(amount="300", on=date(2026, 3, 9), summary="下拨"),
    )  # fmt: skip
    page = _get(client, actors.command, reverse("funds:index")).content.decode()
    totals = page[page.index('data-testid="fund-totals"') :]
    assert "1,000.00" in totals
    assert "300.00" in totals
    page = _get(client, actors.manager, reverse("funds:index")).content.decode()
    assert 'data-testid="fund-totals"' not in page
    assert "300.00" in page  # its own account
    assert "1,000.00" not in page


def test_a_notice_too_long_to_print_at_once_asks_for_a_shorter_period(books, frozen, monkeypatch):
    from jijie.funds import views

    monkeypatch.setattr(views, "NOTICE_ROWS", 1)
    _donation(books)
    url = reverse("public:disclosure_pdf", args=[books.response.pk])
    assert Client().get(url)["Content-Type"] == "application/pdf"
    _donation(books)
    refused = Client().get(url)
    assert refused.status_code == 400
    assert "请选择较短的时段" in refused.content.decode()
    assert Client().get(url, {"start": "2026-03-10"}).status_code == 200
