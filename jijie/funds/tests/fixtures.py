"""Funds' test fixtures: the supplies' response over the district, a party-fee fund and a donation
fund, and holders at the district (the committee), the street and two communities."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from conftest import Tree
from jijie.audit.actors import SYSTEM
from jijie.funds import services
from jijie.funds.models import Fund, Holder, Posting
from jijie.responses.models import Response
from jijie.supplies.tests.fixtures import Supplies


@dataclass
class Books:
    response: Response
    party_fees: Fund
    donations: Fund
    committee: Holder
    street: Holder
    community: Holder
    sibling: Holder


@pytest.fixture
def books(tree: Tree, supplies: Supplies) -> Books:
    response = supplies.response  # one response: a purchase puts supplies into its stores

    def fund(name: str, kind: str) -> Fund:
        return services.do_fund_create(
            actor=SYSTEM, response=response, area=tree.district, name=name, kind=kind
        )

    def holder(area, name: str, kind: str) -> Holder:
        return services.do_holder_create(actor=SYSTEM, area=area, name=name, kind=kind)

    return Books(
        response=response,
        party_fees=fund("党费专项", "party_fee"),
        donations=fund("防疫捐款", "donation"),
        committee=holder(tree.district, "区委组织部", "committee"),
        street=holder(tree.street, "源西街道", "street"),
        community=holder(tree.community, "新港路社区", "community"),
        sibling=holder(tree.sibling, "新江三路社区", "community"),
    )


def income(
    books: Books, amount: str | Decimal, *, holder: Holder | None = None, on=None
) -> Posting:
    return services.do_income_receive(
        actor=SYSTEM,
        fund=books.party_fees,
        holder=holder or books.committee,
        entry=services.Entry(amount=amount, on=on or date(2026, 3, 1), summary="区委拨付党费"),
    )
