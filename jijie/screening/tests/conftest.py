"""A campaign over 新港路社区 (the `tree` fixture's community) with a few households."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)
from jijie.responses.services import do_response_activate
from jijie.screening.services import do_campaign_create


@pytest.fixture
def response(tree):
    return do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")


@pytest.fixture
def households(tree):
    """Three doors in 1栋 (grid 01), one in 3栋 (grid 02), one in the sibling community."""
    building3 = Area.objects.get(code="441602004001-02-003")
    sibling_building = Area.objects.get(code="441602004002-01-001")
    made = [
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
        for door in ("101", "102", "103")
    ]
    made.append(do_household_register(actor=SYSTEM, building=building3, door_number="301"))
    made.append(do_household_register(actor=SYSTEM, building=sibling_building, door_number="901"))
    do_person_add(actor=SYSTEM, household=made[0], data=PersonData(name="王小明", relation="head"))
    return made


@pytest.fixture
def campaign(tree, response, households):
    today = timezone.localdate()
    return do_campaign_create(
        actor=SYSTEM,
        response=response,
        name="第一轮扫楼",
        areas=[tree.community],
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
