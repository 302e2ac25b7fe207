"""Any sequence of receipts, issues, transfers sent and received, adjustments and
write-offs leaves every store's stock at zero or more, equal to its ledger's sum, and
equal to a model of the same sequence kept here in plain numbers; each write the model
says must be refused is refused with nothing stored."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from jijie.audit.actors import SYSTEM
from jijie.supplies import selectors, services
from jijie.supplies.models import NO_EXPIRY, Movement, Stock, Transfer

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TODAY = NOW.date()
EXPIRIES = [TODAY - timedelta(days=1), TODAY, TODAY + timedelta(days=30), None]


def test_the_stock_is_the_ledger_after_any_sequence(supplies):
    stores = [supplies.community, supplies.street]
    items = [supplies.masks, supplies.disinfectant]

    def amounts(item_index: int) -> st.SearchStrategy[Decimal]:
        if items[item_index].is_counted:
            return st.integers(1, 60).map(Decimal)
        return st.integers(1, 20_000).map(lambda n: Decimal(n).scaleb(-3))

    class Ledger(RuleBasedStateMachine):
        def __init__(self) -> None:
            super().__init__()
            self.atomic = transaction.atomic()
            self.atomic.__enter__()
            # (store index, batch id) -> quantity; batch id -> (item index, expiry)
            self.held: dict[tuple[int, int], Decimal] = {}
            self.batches: dict[int, tuple[int, date | None]] = {}
            self.in_transit: list[tuple[Transfer, int, list[tuple[int, Decimal]]]] = []

        def teardown(self) -> None:
            transaction.set_rollback(True)
            self.atomic.__exit__(None, None, None)

        def _usable(self, s: int, i: int) -> list[tuple[date, int]]:
            """(expiry, batch) of what may be issued, first expiry first."""
            return sorted(
                (self.batches[b][1] or NO_EXPIRY, b)
                for (store, b), q in self.held.items()
                if store == s and q > 0 and self.batches[b][0] == i
                and (self.batches[b][1] or NO_EXPIRY) >= TODAY
            )  # fmt: skip

        def _take(self, s: int, i: int, amount: Decimal) -> list[tuple[int, Decimal]]:
            taken, rest = [], amount
            for _expiry, b in self._usable(s, i):
                part = min(rest, self.held[(s, b)])
                if part:
                    taken.append((b, part))
                    rest -= part
            return taken

        @rule(s=st.integers(0, 1), i=st.integers(0, 1), e=st.integers(0, 3), data=st.data())
        def receive(self, s, i, e, data):
            amount = data.draw(amounts(i))
            movement = services.do_stock_receive(
                actor=SYSTEM, store=stores[s], response=supplies.response, now=NOW,
                receipt=services.Receipt(
                    item=items[i], quantity=amount, source="purchase", expires_on=EXPIRIES[e]
                ),
            )  # fmt: skip
            self.batches[movement.batch_id] = (i, EXPIRIES[e])
            key = (s, movement.batch_id)
            self.held[key] = self.held.get(key, Decimal(0)) + amount

        @rule(s=st.integers(0, 1), i=st.integers(0, 1), data=st.data())
        def issue(self, s, i, data):
            amount = data.draw(amounts(i))
            usable = sum((self.held[(s, b)] for _e, b in self._usable(s, i)), Decimal(0))
            call = services.Issue(
                item=items[i], quantity=amount, recipient_kind="post", recipient="卡口"
            )
            before = Movement.objects.count()
            if amount > usable:
                with pytest.raises(ValidationError):
                    services.do_stock_issue(
                        actor=SYSTEM,
                        store=stores[s],
                        response=supplies.response,
                        issue=call,
                        now=NOW,
                    )
                assert Movement.objects.count() == before
                return
            for b, part in self._take(s, i, amount):
                self.held[(s, b)] -= part
            services.do_stock_issue(
                actor=SYSTEM, store=stores[s], response=supplies.response, issue=call, now=NOW
            )

        @rule(s=st.integers(0, 1), i=st.integers(0, 1), data=st.data())
        def send(self, s, i, data):
            amount = data.draw(amounts(i))
            usable = sum((self.held[(s, b)] for _e, b in self._usable(s, i)), Decimal(0))
            if amount > usable:
                return
            for b, part in self._take(s, i, amount):
                self.held[(s, b)] -= part
            transfer = services.do_transfer_send(
                actor=SYSTEM, source=stores[s], destination=stores[1 - s],
                response=supplies.response, lines=[services.Line(items[i], amount)], now=NOW,
            )  # fmt: skip
            self.in_transit.append((transfer, 1 - s, self._take_record(transfer)))

        def _take_record(self, transfer):
            return [(m.batch_id, -m.quantity) for m in transfer.movements.all()]

        @rule(data=st.data())
        def receive_transfer(self, data):
            if not self.in_transit:
                return
            index = data.draw(st.integers(0, len(self.in_transit) - 1))
            transfer, s, lines = self.in_transit.pop(index)
            services.do_transfer_receive(actor=SYSTEM, transfer=transfer, now=NOW)
            for b, q in lines:
                self.held[(s, b)] = self.held.get((s, b), Decimal(0)) + q
            with pytest.raises(ValidationError):
                services.do_transfer_receive(actor=SYSTEM, transfer=transfer, now=NOW)

        @rule(data=st.data(), up=st.booleans())
        def adjust(self, data, up):
            if not self.held:
                return
            s, b = data.draw(st.sampled_from(sorted(self.held)))
            amount = data.draw(amounts(self.batches[b][0]))
            batch = Stock.objects.get(store=stores[s], batch_id=b).batch
            call = services.Adjustment(
                batch=batch, quantity=amount, reason="other", increase=up, note="核对"
            )
            if not up and amount > self.held[(s, b)]:
                with pytest.raises(ValidationError):
                    services.do_stock_adjust(
                        actor=SYSTEM, store=stores[s], response=supplies.response, adjustment=call
                    )
                return
            services.do_stock_adjust(
                actor=SYSTEM, store=stores[s], response=supplies.response, adjustment=call
            )
            self.held[(s, b)] += amount if up else -amount

        @rule(data=st.data())
        def write_off(self, data):
            expired = sorted(
                (s, b) for (s, b), q in self.held.items()
                if q > 0 and (self.batches[b][1] or NO_EXPIRY) < TODAY
            )  # fmt: skip
            if not expired:
                return
            s, b = data.draw(st.sampled_from(expired))
            batch = Stock.objects.get(store=stores[s], batch_id=b).batch
            services.do_stock_write_off(
                actor=SYSTEM, store=stores[s], response=supplies.response, batch=batch, now=NOW
            )
            self.held[(s, b)] = Decimal(0)

        @invariant()
        def stock_is_the_ledger_and_the_model(self):
            assert selectors.ledger_disagreements() == []
            kept = {
                (stores.index(st_), b): q
                for st_, b, q in (
                    (stock.store, stock.batch_id, stock.quantity)
                    for stock in Stock.objects.select_related("store")
                )
            }
            assert all(q >= 0 for q in kept.values())
            assert {k: q for k, q in kept.items() if q} == {k: q for k, q in self.held.items() if q}

    run_state_machine_as_test(
        Ledger,
        settings=settings(
            max_examples=25,
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
        ),
    )
