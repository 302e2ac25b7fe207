"""Care fixtures: a fixed clock (10:00 on 10 March 2026, Asia/Shanghai), a response over
the district, households in 新港路社区 and its sibling, members living in 新港路, and
an open isolation case supervised by the grid worker of grid 01."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from conftest import Actors, Tree, make_user
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.care import services
from jijie.care.models import IsolationCase
from jijie.mobilization.models import Member
from jijie.mobilization.tests.helpers import member
from jijie.residents.models import Household, Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 3, 10)


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(local(TODAY, 10), tick=False)
    return time_machine


@dataclass
class Homes:
    wang: Household  # 1栋 101 (grid 01), 王小明 and 李芳
    zhao: Household  # 1栋 102 (grid 01)
    grid2: Household  # 3栋 301 (grid 02)
    sibling: Household  # the sibling community's 1栋 901
    xiaoming: Person
    lifang: Person


@pytest.fixture
def response(clock, tree: Tree) -> Response:
    return do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")


@pytest.fixture
def homes(tree: Tree) -> Homes:
    building3 = Area.objects.get(code="441602004001-02-003")
    sibling_building = Area.objects.get(code="441602004002-01-001")
    wang = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    zhao = do_household_register(actor=SYSTEM, building=tree.building, door_number="102")
    grid2 = do_household_register(actor=SYSTEM, building=building3, door_number="301")
    sibling = do_household_register(actor=SYSTEM, building=sibling_building, door_number="901")
    xiaoming = do_person_add(
        actor=SYSTEM, household=wang, data=PersonData(name="王小明", relation="head")
    ).person
    lifang = do_person_add(
        actor=SYSTEM, household=wang, data=PersonData(name="李芳", relation="spouse")
    ).person
    return Homes(wang, zhao, grid2, sibling, xiaoming, lifang)


def case_data(**kwargs: Any) -> services.CaseData:
    values: dict[str, Any] = {
        "kind": "isolation",
        "reason": "自武汉返回",
        "starts_on": TODAY - timedelta(days=2),
        "days": 14,
    }
    values.update(kwargs)
    return services.CaseData(**values)


def open_case(actors: Actors, response, household, person=None, **kwargs) -> IsolationCase:
    return services.case_open(
        actor=actors.manager,
        response=response,
        household=household,
        person=person,
        data=case_data(**kwargs),
        supervisor_user=actors.grid_worker,
    )


@pytest.fixture
def case(clock, actors: Actors, response: Response, homes: Homes) -> IsolationCase:
    """王小明 in home isolation since 8 March (day 3 of 14 today), once a day at 9:00."""
    return open_case(actors, response, homes.wang, homes.xiaoming)


def resident_member(n: int, tree: Tree, *, username: str | None = None) -> Member:
    """A member living in 新港路社区, with an account when `username` is given."""
    someone = member(n, residence=tree.community)
    if username:
        someone.user = make_user(username)
        someone.save(update_fields=["user"])
    return someone
