"""The demo's inspection: twelve teams over the district with a week's plan each, and
新港路社区's 东门 found unmanned yesterday with its order open; loaded twice, the same."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.areas.models import Area
from jijie.core.demo import DemoContext, demo_steps
from jijie.inspections import draws
from jijie.inspections.models import Finding, Order, OrderState, Plan, Team, Visit

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
STEPS = {"areas", "accounts", "responses", "gates", "supplies", "inspections"}


def _load() -> None:
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=NOW)
    for _order, label, populate in demo_steps():
        if label in STEPS:
            populate(ctx)


def test_twelve_teams_a_weeks_plans_and_an_order_open():
    with time_machine.travel(NOW, tick=False):
        _load()
        visits = Visit.objects.count()
        _load()
    assert Visit.objects.count() == visits
    teams = Team.objects.order_by("pk")
    assert teams.count() == 12
    assert teams[0].name == "第一督查组"
    assert teams[11].name == "第十二督查组"
    assert teams[0].members.filter(username="inspector").exists()
    district = Area.objects.get(kind="district")
    communities = Area.objects.filter(
        path__startswith=district.path, kind__in=["community", "village"]
    )
    covered = {a.pk for team in teams for a in team.covers.all()}
    assert covered >= {c.pk for c in communities}
    week = Plan.objects.filter(starts_on="2026-03-11")
    assert week.count() >= 1
    for plan in Plan.objects.all():
        keys = [v.key for v in plan.visits.order_by("position")]
        assert draws.verify(plan.candidates, plan.drawn_before, plan.seed, keys)
    unmanned = Finding.objects.get(text__startswith="东门卡口")
    order = Order.objects.get(finding=unmanned)
    assert (order.state, order.owner.name) == (OrderState.OPEN, "新港路社区")
    assert Finding.objects.filter(kind="commendation").exists()
