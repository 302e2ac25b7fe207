"""Races on PostgreSQL: many issues of the last units at once, and a transfer
confirmed twice at once. Stock never goes below zero and nothing is stored twice."""

import pytest

from jijie.audit.actors import SYSTEM
from jijie.supplies import selectors, services
from jijie.supplies.models import Movement, MovementKind, Stock
from jijie.supplies.tests.fixtures import receive
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def _issue_one(supplies):
    return services.do_stock_issue(
        actor=SYSTEM,
        store=supplies.community,
        response=supplies.response,
        issue=services.Issue(
            item=supplies.masks, quantity="1", recipient_kind="post", recipient="东门卡口"
        ),
    )


def test_fifty_issues_of_one_from_a_stock_of_ten(supplies):
    receive(supplies, supplies.community, supplies.masks, 10)
    results, refusals = race(*[lambda: _issue_one(supplies) for _ in range(50)])
    assert len(results) == 10
    assert len(refusals) == 40
    assert all("库存不足" in r for r in refusals)
    assert Stock.objects.get(store=supplies.community).quantity == 0
    assert Movement.objects.filter(kind=MovementKind.ISSUE).count() == 10
    assert selectors.ledger_disagreements() == []


def test_a_transfer_confirmed_twice_at_once_arrives_once(supplies):
    receive(supplies, supplies.street, supplies.thermometers, 5)
    transfer = services.do_transfer_send(
        actor=SYSTEM,
        source=supplies.street,
        destination=supplies.community,
        response=supplies.response,
        lines=[services.Line(supplies.thermometers, 5)],
    )
    results, refusals = race(
        *[lambda: services.do_transfer_receive(actor=SYSTEM, transfer=transfer) for _ in range(4)]
    )
    assert len(results) == 1
    assert all("已经签收" in r for r in refusals)
    assert selectors.balances(supplies.community) == {supplies.thermometers.pk: 5}
    assert selectors.ledger_disagreements() == []


def test_receipts_of_a_new_batch_at_once_make_one_stock_row(supplies):
    results, refusals = race(
        *[lambda: receive(supplies, supplies.community, supplies.suits, 2) for _ in range(6)]
    )
    assert (len(results), refusals) == (6, [])
    assert Stock.objects.get(store=supplies.community).quantity == 12
