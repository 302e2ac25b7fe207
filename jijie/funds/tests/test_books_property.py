"""Any sequence of income, allocations, expenditures, refunds and donations with their
cancellations leaves every holder's cash figures adding up (received = allocated +
spent + balance), to the cent, equal to a model of the same sequence kept here in plain
Decimals; the fund's accounts sum to zero; each posting the model says must be refused
is refused with nothing stored."""

from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from jijie.audit.actors import SYSTEM
from jijie.funds import selectors, services
from jijie.funds.models import Account, AccountKind, Donation, Posting

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
DAY = date(2026, 3, 9)
# Amounts from a cent to a few thousand yuan, as cents: every one exact.
cents = st.integers(1, 300_000).map(lambda n: Decimal(n).scaleb(-2))


def test_the_books_add_up_after_any_sequence(books):
    fund = books.donations
    holders = [books.committee, books.street, books.community]

    class Books(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            # holder index -> [received, allocated, spent, balance]
            self.figures = {h: [Decimal(0)] * 4 for h in range(3)}
            self.spendings: list[tuple[Posting, int, Decimal]] = []  # (posting, holder, left)
            self.donations: list[tuple[Donation, int, Decimal]] = []

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _move(self, h: int, received=0, allocated=0, spent=0, balance=0) -> None:
            r, a, s, b = self.figures[h]
            self.figures[h] = [r + received, a + allocated, s + spent, b + balance]

        def _refused(self, call) -> None:
            before = Posting.objects.count()
            with pytest.raises(ValidationError):
                call()
            assert Posting.objects.count() == before

        @rule(h=st.integers(0, 2), amount=cents)
        def donate(self, h, amount):
            donation = services.do_donation_record(
                actor=SYSTEM, response=books.response, holder=holders[h],
                data=services.DonationData(
                    donor_kind="person", donor="", disclose=False, amount=amount, fund=fund,
                    received_on=DAY,
                ),
                now=NOW,
            )  # fmt: skip
            self._move(h, received=amount, balance=amount)
            self.donations.append((donation, h, amount))

        @rule(giver=st.integers(0, 1), data=st.data(), amount=cents)
        def allocate(self, giver, data, amount):
            taker = data.draw(st.integers(giver + 1, 2))
            call = lambda: services.do_allocate(  # noqa: E731
                actor=SYSTEM, fund=fund, holder=holders[giver], to=holders[taker],
                entry=services.Entry(amount=amount, on=DAY, summary="下拨"), now=NOW,
            )  # fmt: skip
            if amount > self.figures[giver][3]:
                self._refused(call)
                return
            call()
            self._move(giver, allocated=amount, balance=-amount)
            self._move(taker, received=amount, balance=amount)

        @rule(h=st.integers(0, 2), amount=cents)
        def spend(self, h, amount):
            call = lambda: services.do_expend(  # noqa: E731
                actor=SYSTEM, fund=fund, holder=holders[h],
                expense=services.Expense(
                    amount=amount, on=DAY, summary="购买", voucher="付", payee="商店"
                ),
                now=NOW,
            )  # fmt: skip
            if amount > self.figures[h][3]:
                self._refused(call)
                return
            self.spendings.append((call(), h, amount))
            self._move(h, spent=amount, balance=-amount)

        @rule(data=st.data())
        def refund(self, data):
            if not self.spendings:
                return
            index = data.draw(st.integers(0, len(self.spendings) - 1))
            posting, h, left = self.spendings[index]
            amount = data.draw(
                st.integers(1, int(left.scaleb(2)) + 5).map(lambda n: Decimal(n).scaleb(-2))
            )
            call = lambda: services.do_refund(  # noqa: E731
                actor=SYSTEM, expenditure=posting,
                entry=services.Entry(amount=amount, on=DAY, summary="退回"), now=NOW,
            )  # fmt: skip
            if amount > left:
                self._refused(call)
                return
            call()
            self.spendings[index] = (posting, h, left - amount)
            self._move(h, spent=-amount, balance=amount)

        @rule(data=st.data())
        def cancel(self, data):
            if not self.donations:
                return
            donation, h, amount = self.donations.pop(
                data.draw(st.integers(0, len(self.donations) - 1))
            )
            call = lambda: services.do_donation_cancel(  # noqa: E731
                actor=SYSTEM, donation=donation, reason="登记错误", now=NOW
            )
            if amount > self.figures[h][3]:
                self._refused(call)
                return
            call()
            self._move(h, received=-amount, balance=-amount)

        @invariant()
        def books_add_up(self):
            for h, holder in enumerate(holders):
                account = Account.objects.filter(
                    fund=fund, holder=holder, kind=AccountKind.CASH
                ).first()
                kept = (
                    [account.received, account.allocated, account.spent, account.balance]
                    if account else [Decimal(0)] * 4
                )  # fmt: skip
                assert kept == self.figures[h]
                assert kept[0] == kept[1] + kept[2] + kept[3]
                assert kept[3] >= 0
            assert selectors.trial_balance(fund) == 0
            assert selectors.ledger_disagreements() == []

    run_state_machine_as_test(
        Books,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
