"""The demo's problems: 新港路社区's "没有耳温枪" solved from the street's store and
confirmed; a leaking tent escalated by the clock; the rates with something to say;
loaded twice, the same."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.areas.models import Area
from jijie.core.demo import DemoContext, demo_steps
from jijie.problems import selectors
from jijie.problems.models import Problem, ProblemState
from jijie.supplies.models import RequestState, Stock

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEPS = {"areas", "accounts", "responses", "supplies", "problems"}


def _load() -> None:
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=NOW)
    for _order, label, populate in demo_steps():
        if label in STEPS:
            populate(ctx)


def test_the_thermometers_are_solved_from_the_streets_store():
    with time_machine.travel(NOW, tick=False):
        _load()
        count = Problem.objects.count()
        _load()
    assert Problem.objects.count() == count
    solved = Problem.objects.get(title="没有耳温枪")
    assert (solved.state, solved.rating, solved.level.name) == (
        ProblemState.RESOLVED,
        5,
        "源西街道",
    )
    assert solved.is_responded_in_time
    assert solved.supply_request is not None
    assert solved.transfer is not None
    assert solved.supply_request.state == RequestState.RECEIVED
    assert solved.transfer.from_store.area.name == "源西街道"
    held = Stock.objects.filter(store__area__name="新港路社区", batch__item__name="耳温枪")
    assert sum(s.quantity for s in held) == 3
    tent = Problem.objects.get(title="卡口帐篷漏雨", raised_by__username="guard_xingang")
    assert (tent.state, tent.escalations, tent.level.kind) == (ProblemState.OPEN, 1, "district")
    waiting = Problem.objects.get(
        title="独居老人需要代购药品", raised_by__username="worker_xingang"
    )
    assert waiting.state == ProblemState.ANSWERED
    district = Area.objects.get(kind="district")
    with time_machine.travel(NOW, tick=False):
        total, rows = selectors.rates_by_area(
            district,
            start=datetime(2026, 2, 20, tzinfo=ZoneInfo("Asia/Shanghai")),
            end=NOW,
            now=NOW,
        )
    assert total.raised == count
    assert 0 < (total.response or 0) < 1
    assert 0 < (total.resolution or 0) < 1
    assert 0 < (total.satisfaction or 0) <= 1
    assert len(rows) > 1
