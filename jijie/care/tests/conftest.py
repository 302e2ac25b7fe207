"""Care fixtures: a fixed clock (10:00 on 10 March 2026, Asia/Shanghai), a response over
the district, households in 新港路社区 and its sibling, and an open isolation case
supervised by the grid worker of grid 01. They stay here, not in `fixtures.py`: only
care's tests use them, and `clock` and `response` are names other apps' tests define
for themselves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from conftest import Actors, Tree
from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.care.models import IsolationCase
from jijie.care.tests.fixtures import TODAY, local, open_case
from jijie.residents.models import Household, Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate


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


@pytest.fixture
def case(clock, actors: Actors, response: Response, homes: Homes) -> IsolationCase:
    """王小明 in home isolation since 8 March (day 3 of 14 today), once a day at 9:00."""
    return open_case(actors, response, homes.wang, homes.xiaoming)
