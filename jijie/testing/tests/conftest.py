"""Testing fixtures: a round over 新港路社区 on 10 March 2026 with a site in grid 01, and
twelve people of 1栋 there (one more in the sibling community)."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from stdnum.cn.ric import calc_check_digit

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.residents.models import Person
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.responses.services import do_response_activate
from jijie.testing import services

DAY = date(2026, 3, 10)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(hour: int, minute: int = 0, day: date = DAY) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


NOW = at(10)


@pytest.fixture
def people(tree):
    """Twelve people at 1栋 101–112 of grid 01, and one in the sibling community."""
    found = []
    for n in range(12):
        home = do_household_register(actor=SYSTEM, building=tree.building, door_number=f"1{n:02}")
        found.append(
            do_person_add(
                actor=SYSTEM, household=home, data=PersonData(name=f"居民{n}", relation="head")
            ).person
        )
    sibling_building = Area.objects.get(code="441602004002-01-001")
    home = do_household_register(actor=SYSTEM, building=sibling_building, door_number="901")
    found.append(
        do_person_add(actor=SYSTEM, household=home, data=PersonData(name="邻居", relation="head"))
        .person
    )  # fmt: skip
    return found


@pytest.fixture
def round_(tree, actors):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    return services.round_open(
        actor=actors.manager,
        response=response,
        area=tree.community,
        data=services.RoundData(name="第一轮全员核酸", starts_on=DAY, ends_on=DAY),
    )


@pytest.fixture
def site(round_, tree, actors):
    return services.site_add(
        actor=actors.manager,
        round=round_,
        area=tree.grid,
        data=services.SiteData(
            name="新港路小学采样点", place="新港路小学操场", lanes=2,
            opens_at=time(7), closes_at=time(19),
        ),
    )  # fmt: skip


def ric(n: int) -> str:
    """A valid resident ID number, the n-th of a made-up series."""
    body = f"44160219900101{n:03}"
    return body + calc_check_digit(body + "0")


def carded_people(people: list[Person]) -> list[Person]:
    """`people` again, each with an ID card: ric(0), ric(1)…"""
    out = []
    for n, person in enumerate(people):
        home = person.household
        person.delete()
        out.append(
            do_person_add(
                actor=SYSTEM, household=home,
                data=PersonData(name=person.name, relation="head", document_number=ric(n)),
            ).person
        )  # fmt: skip
    return out


@pytest.fixture
def carded(people):
    """The first three of grid 01 and the sibling community's neighbour, with ID cards."""
    return carded_people([*people[:3], people[12]])


@pytest.fixture
def carded_many(people):
    """The first four of grid 01, with ID cards ric(0)…ric(3)."""
    return carded_people(people[:4])
