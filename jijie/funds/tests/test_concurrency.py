"""Races on PostgreSQL: many expenditures of the last yuan at once, receipts numbered
at once, and a refund claimed twice at once. No balance goes below zero, no number is
given twice, nothing is stored twice."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from jijie.audit.actors import SYSTEM
from jijie.funds import selectors, services
from jijie.funds.models import Account, AccountKind, Donation, Posting, PostingKind
from jijie.funds.tests.fixtures import income
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 9)


def _spend(books, amount="1"):
    return services.do_expend(
        actor=SYSTEM, fund=books.party_fees, holder=books.committee,
        expense=services.Expense(amount=amount, on=DAY, summary="购买", voucher="付", payee="商店"),
        now=NOW,
    )  # fmt: skip


def test_fifty_expenditures_of_one_yuan_from_a_balance_of_ten(books):
    income(books, "10")
    results, refusals = race(*[lambda: _spend(books) for _ in range(50)])
    assert (len(results), len(refusals)) == (10, 40)
    assert all("余额不足" in r for r in refusals)
    account = Account.objects.get(holder=books.committee, kind=AccountKind.CASH)
    assert (account.received, account.spent, account.balance) == (
        Decimal(10), Decimal(10), Decimal(0),
    )  # fmt: skip
    assert Posting.objects.filter(kind=PostingKind.EXPENDITURE).count() == 10
    assert selectors.ledger_disagreements() == []


def test_receipts_numbered_at_once_get_one_number_each(books):
    def donate():
        return services.do_donation_record(
            actor=SYSTEM, response=books.response, holder=books.street,
            data=services.DonationData(
                donor_kind="company", donor="康泰医疗", amount="100", fund=books.donations,
                received_on=DAY,
            ),
            now=NOW,
        )  # fmt: skip

    results, refusals = race(*[donate for _ in range(12)])
    assert (len(results), refusals) == (12, [])
    numbers = sorted(Donation.objects.values_list("receipt_no", flat=True))
    assert numbers == [f"2026-{n:06d}" for n in range(1, 13)]
    assert selectors.fund_totals(books.donations).balance == Decimal("1200.00")


def test_a_refund_claimed_twice_at_once_is_paid_once(books):
    income(books, "100")
    spending = _spend(books, "100")

    def refund():
        return services.do_refund(
            actor=SYSTEM, expenditure=spending,
            entry=services.Entry(amount="100", on=DAY, summary="退货"), now=NOW,
        )  # fmt: skip

    results, refusals = race(*[refund for _ in range(4)])
    assert len(results) == 1
    assert all("最多还能退回 0.00 元" in r for r in refusals)
    assert selectors.ledger_disagreements() == []
