"""Supplies' test fixtures: a response over the district, a catalogue of four items,
and a store in the district, the street, the community and its sibling."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from conftest import Tree
from jijie.accounts.models import User
from jijie.audit.actors import SYSTEM
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate
from jijie.supplies import services
from jijie.supplies.models import Item, Movement, Store, SupplyRequest

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # when requests are made


@dataclass
class Supplies:
    response: Response
    masks: Item
    suits: Item
    thermometers: Item
    disinfectant: Item  # measured in litres, not counted
    district: Store
    street: Store
    community: Store
    sibling: Store


@pytest.fixture
def supplies(tree: Tree) -> Supplies:
    def item(name: str, category: str, unit: str, counted: bool = True) -> Item:
        data = services.ItemData(name=name, category=category, unit=unit, is_counted=counted)
        return services.do_item_create(actor=SYSTEM, data=data)

    def store(area, name: str) -> Store:
        return services.do_store_create(actor=SYSTEM, area=area, name=name)

    return Supplies(
        response=do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2"),
        masks=item("医用口罩", "protection", "只"),
        suits=item("防护服", "protection", "套"),
        thermometers=item("耳温枪", "device", "个"),
        disinfectant=item("84消毒液", "disinfection", "升", counted=False),
        district=store(tree.district, "区应急物资仓库"),
        street=store(tree.street, "源西街道物资库"),
        community=store(tree.community, "新港路社区物资室"),
        sibling=store(tree.sibling, "新江三路社区物资室"),
    )


def receive(
    supplies: Supplies,
    store: Store,
    item: Item,
    quantity: str | int,
    *,
    expires_on: date | None = None,
    lot: str = "",
) -> Movement:
    return services.do_stock_receive(
        actor=SYSTEM,
        store=store,
        response=supplies.response,
        receipt=services.Receipt(
            item=item, quantity=str(quantity), source="purchase", lot=lot, expires_on=expires_on
        ),
    )


def ask(
    supplies: Supplies,
    actor: User,
    *lines: tuple[Item, Decimal | str | int],
    needed_by: date | None = None,
) -> SupplyRequest:
    """The community's store asks the level above for `lines` (item, quantity) at NOW,
    needed by `needed_by` (the next day by default)."""
    return services.request_submit(
        actor=actor,
        store=supplies.community,
        response=supplies.response,
        data=services.RequestData(
            lines=[services.Line(item, q) for item, q in lines],
            reason="我们社区没有耳温枪",
            needed_by=needed_by or NOW.date() + timedelta(days=1),
        ),
        now=NOW,
    )
