"""The unit's recognition list sorted as asked (`?sort=`): by hours served, by
commendations from inspections (then hours), by name; the same on the approved list and
its spreadsheet."""

from datetime import date, datetime
from io import BytesIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from conftest import make_user
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import demand, shifts
from jijie.gates.services import do_gate_create
from jijie.inspections import services as inspections
from jijie.mobilization.tests.fixtures import member
from jijie.recognition import services

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
LATER = datetime(2026, 12, 20, 9, 0, tzinfo=TZ)
PERIOD = "start=2026-12-01&end=2026-12-10"
# By name (code point) 李四, 王五, 赵六; by hours 王五 (12), 李四 (6), 赵六 (3); by
# commendations 赵六 (2), 李四 (1), 王五 (0): three different orders.
ORDERS = {
    "hours": ["王五", "李四", "赵六"],
    "commendations": ["赵六", "李四", "王五"],
    "name": ["李四", "王五", "赵六"],
}


def _commended(tree, mob, *people):
    """An inspection of 新港路社区's gate on 5 December commending each of `people`."""
    inspector = make_user("inspector", Role.INSPECTOR, tree.district)
    do_gate_create(actor=SYSTEM, area=tree.community, name="东门")
    team = inspections.do_team_create(
        actor=SYSTEM, response=mob.response, area=tree.district, name="第一督查组",
        members=[inspector], covers=[tree.community],
    )  # fmt: skip
    plan = inspections.do_plan_create(
        actor=SYSTEM, team=team, now=datetime(2026, 12, 1, 9, tzinfo=TZ),
        data=inspections.PlanData(starts_on=date(2026, 12, 2), ends_on=date(2026, 12, 8),
                                  kinds=["gate"], size=1, seed=7),
    )  # fmt: skip
    inspections.do_visit_record(
        actor=inspector, visit=plan.visits.get(), answers={}, note="",
        findings=[inspections.FindingData(kind="commendation", text="测温规范", member=someone)
                  for someone in people],
        now=datetime(2026, 12, 5, 10, tzinfo=TZ),
    )  # fmt: skip


@pytest.fixture
def unit(tree, mob, posts):
    li, wang, zhao = (
        member(n, organisation=mob.unit, kind="volunteer", name=name, residence=tree.community)
        for n, name in ((1, "李四"), (2, "王五"), (3, "赵六"))
    )
    days = shifts(demand(tree.community, posts.guard, days=4, per_day=1, hours=6,
                         start=date(2026, 12, 1)))  # fmt: skip
    for shift, someone, minutes in (
        (days[0], wang, 360), (days[1], wang, 360), (days[2], li, 360), (days[3], zhao, 180)
    ):  # fmt: skip
        Participation.objects.create(
            shift=shift, member=someone, status="confirmed", source="assigned",
            starts_at=shift.starts_at, ends_at=shift.ends_at, checked_in_at=shift.starts_at,
            checked_out_at=shift.ends_at, minutes=minutes,
        )  # fmt: skip
    _commended(tree, mob, zhao, zhao, li)
    return mob.unit


def _in_order(page: str) -> list[str]:
    return sorted(ORDERS["name"], key=page.index)


@time_machine.travel(LATER, tick=False)
@pytest.mark.parametrize("sort", list(ORDERS))
def test_the_list_is_sorted_as_asked(client, mob, unit, sort):
    client.force_login(mob.unit_admin)
    # the members' records as they stand
    url = reverse("recognition:unit", args=[unit.pk]) + f"?{PERIOD}&sort={sort}"
    assert _in_order(client.get(url).content.decode()) == ORDERS[sort]
    # the approved list, and its spreadsheet
    approval = services.do_approve(
        actor=SYSTEM, organisation=unit, start=date(2026, 12, 1), end=date(2026, 12, 10)
    )
    url = reverse("recognition:approval", args=[approval.pk]) + f"?sort={sort}"
    assert _in_order(client.get(url).content.decode()) == ORDERS[sort]
    xlsx = client.get(reverse("recognition:approval_xlsx", args=[approval.pk]) + f"?sort={sort}")
    rows = list(load_workbook(BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert [row[1] for row in rows[2:]] == ORDERS[sort]


@time_machine.travel(LATER, tick=False)
def test_an_unknown_sort_is_a_bad_request(client, mob, unit):
    client.force_login(mob.unit_admin)
    url = reverse("recognition:unit", args=[unit.pk]) + "?sort=phone"
    assert client.get(url).status_code == 400
