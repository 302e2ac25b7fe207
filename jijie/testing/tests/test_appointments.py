"""Appointment windows per building: no slot is ever given more people than the site
takes in it, every building with people to come is called once and in walking order,
and what the day cannot take is said; the office plans, the grid sees, an outsider
sees nothing."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from jijie.audit.actors import SYSTEM
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.testing import services, slots
from jijie.testing.models import Appointment
from jijie.testing.tests.conftest import DAY, NOW, at

OPENS = datetime(2026, 3, 10, 7, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@given(
    people=st.lists(st.integers(min_value=0, max_value=400), max_size=25),
    lanes=st.integers(min_value=1, max_value=4),
    per_lane_hour=st.integers(min_value=30, max_value=240),
    slot_minutes=st.sampled_from([15, 20, 30, 60]),
    hours=st.integers(min_value=1, max_value=12),
)
def test_no_slot_takes_more_than_the_site_does(people, lanes, per_lane_hour, slot_minutes, hours):
    buildings = list(enumerate(people))
    made = slots.plan(
        buildings,
        opens=OPENS,
        closes=OPENS + timedelta(hours=hours),
        lanes=lanes,
        per_lane_hour=per_lane_hour,
        slot_minutes=slot_minutes,
    )
    step = timedelta(minutes=slot_minutes)
    slot_count = int(timedelta(hours=hours) / step)
    # Fill the slots again by hand from the windows, in order: each building's people go
    # into its first slot's room and on; no slot over capacity, none outside the day.
    load = [0] * slot_count
    for window in made.windows:
        first = int((window.starts_at - OPENS) / step)
        last = int((window.ends_at - OPENS) / step) - 1
        assert 0 <= first <= last < slot_count
        need = window.people
        for n in range(first, last + 1):
            take = min(need, made.per_slot - load[n])
            load[n] += take
            need -= take
        assert need == 0
        assert load[last] > 0
    assert all(n <= made.per_slot for n in load)
    called = [w.building for w in made.windows]
    with_people = [b for b, n in buildings if n > 0]
    # in walking order, each once; the day's leftovers are the tail, in order
    assert called + made.left == with_people
    assert [w.starts_at for w in made.windows] == sorted(w.starts_at for w in made.windows)


def test_a_building_larger_than_a_slot_spans_the_next_ones():
    made = slots.plan(
        [(1, 50), (2, 130), (3, 10)],
        opens=OPENS,
        closes=OPENS + timedelta(minutes=90),
        lanes=1,
        per_lane_hour=120,
        slot_minutes=30,
    )
    assert made.per_slot == 60
    assert [(w.building, w.starts_at.strftime("%H:%M"), w.ends_at.strftime("%H:%M"))
            for w in made.windows] == [
        (1, "07:00", "07:30"),
        (2, "07:00", "08:30"),  # 10 + 60 + 60: the rest of the first slot, then two more
    ]  # fmt: skip
    assert made.left == [3]  # the day is full: 3 waits for another day


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.mark.django_db
def test_the_office_calls_the_sites_buildings_and_the_grid_sees_it(
    client, frozen, site, people, tree, actors, settings
):
    settings.TESTING_LANE_PER_HOUR = 10  # 2 lanes × 10 an hour: 10 people a half hour
    url = reverse("testing:appointments", args=[site.pk])
    client.force_login(actors.manager)
    answer = client.post(url, {"day": DAY.isoformat()})
    assert answer.status_code == 200
    (called,) = Appointment.objects.all()
    assert called.building == tree.building
    # 1栋's 12: ten in the first half hour, two in the next
    assert (called.starts_at, called.ends_at, called.people) == (at(7), at(8), 12)
    assert "07:00–08:00" in answer.text
    # once a person is swabbed, planning again counts one fewer and replaces the day
    services.do_sample_register(
        actor=SYSTEM, site=site, barcode="AB-0001", person=people[0], now=NOW
    )
    client.post(url, {"day": DAY.isoformat()})
    (again,) = Appointment.objects.all()
    assert (again.people, again.ends_at) == (11, at(8))
    client.force_login(actors.grid_worker)
    seen = client.get(url)
    assert seen.status_code == 200
    assert "1栋" in seen.text
    assert 'data-testid="plan-form"' not in seen.text
    assert client.post(url, {"day": DAY.isoformat()}).status_code == 403
    client.force_login(actors.outsider)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


@pytest.mark.django_db
def test_a_full_day_says_what_is_left_and_a_day_outside_the_round_is_refused(
    client, frozen, site, people, tree, actors, settings
):
    settings.TESTING_LANE_PER_HOUR = 1  # 2 lanes × 1 an hour over 12 hours: 24 people
    home = do_household_register(actor=SYSTEM, building=tree.building, door_number="1301")
    for n in range(20):
        do_person_add(
            actor=SYSTEM, household=home, data=PersonData(name=f"住户{n}", relation="other")
        )
    client.force_login(actors.manager)
    url = reverse("testing:appointments", args=[site.pk])
    answer = client.post(url, {"day": DAY.isoformat()})
    assert 'data-testid="left"' in answer.text
    assert not Appointment.objects.exists()  # 32 to come: 1栋 does not fit in the day
    outside = client.post(url, {"day": (DAY + timedelta(days=1)).isoformat()})
    assert outside.status_code == 200
    assert "day" in outside.context["form"].errors
    assert client.get(url, {"day": "2026-02-30"}).status_code == 400
    assert client.get(url, {"day": "2026-03-11"}).status_code == 404
    with pytest.raises(ValidationError):
        services.do_appointments_plan(actor=SYSTEM, site=site, day=DAY + timedelta(days=1))
