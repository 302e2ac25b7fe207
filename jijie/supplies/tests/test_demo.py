"""The demo's supplies: a store in the district, every street and every community,
stocked down the tree; 新港路社区 short of ear thermometers with its request open (the
anonymous 60 masks come with the funds' step); the ledger whole; loaded twice, the
same."""

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.areas.models import Area, AreaKind
from jijie.core.demo import DemoContext, demo_steps
from jijie.supplies import selectors
from jijie.supplies.models import Movement, RequestState, Store, SupplyRequest

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEPS = {"areas", "responses", "supplies"}


def _load() -> None:
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=NOW)
    for _order, label, populate in demo_steps():
        if label in STEPS:
            populate(ctx)


def test_the_demo_stocks_every_level_and_one_community_is_short():
    with time_machine.travel(NOW, tick=False):
        _load()
        movements = Movement.objects.count()
        _load()  # the second run changes nothing
    assert Movement.objects.count() == movements
    levels = [
        AreaKind.DISTRICT,
        AreaKind.STREET,
        AreaKind.TOWN,
        AreaKind.COMMUNITY,
        AreaKind.VILLAGE,
    ]
    for area in Area.objects.filter(kind__in=levels):
        store = Store.objects.get(area=area)
        assert selectors.balances(store), area.name
    xingang = Store.objects.get(area__name="新港路社区")
    assert not Movement.objects.filter(store=xingang, kind="receive").exists()
    street = Area.objects.get(name="源西街道")
    short = selectors.shortages(street.path, NOW.date())
    assert [(s.store.name, s.item.name, s.held) for s in short.stores] == [
        ("新港路社区物资室", "耳温枪", Decimal(0))
    ]
    request = SupplyRequest.objects.get()
    assert (request.store, request.to_area, request.state) == (
        xingang,
        street,
        RequestState.SUBMITTED,
    )
    assert "没有耳温枪" in request.reason
    assert selectors.ledger_disagreements() == []
