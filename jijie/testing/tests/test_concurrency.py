"""Races on PostgreSQL: two samplers at one tube with one place left, and one offline
registration sent twice at once. Nothing goes past the tube's size; nothing is stored
twice."""

import uuid

import pytest

from conftest import make_user
from jijie.testing import services
from jijie.testing.models import Sample, Tube
from jijie.testing.tests.conftest import NOW
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_place_in_a_tube_goes_once(site, people, actors):
    other = make_user("grid2", "grid_worker", site.area)
    for person in people[:9]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    results, refusals = race(
        lambda: services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=people[9], now=NOW
        ),
        lambda: services.sample_register(
            actor=other, site=site, barcode="AB-0001", person=people[10], now=NOW
        ),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "已封管" in refusals[0]
    tube = Tube.objects.get()
    assert (tube.size, tube.sealed_at) == (10, NOW)
    assert Sample.objects.count() == 10


def test_one_registration_sent_twice_at_once_is_stored_once(site, people, actors):
    ref = uuid.uuid4()

    def send() -> services.Registered:
        return services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=people[0],
            client_ref=ref, now=NOW,
        )  # fmt: skip

    results, refusals = race(send, send)
    assert refusals == []
    assert sorted(r.created for r in results) == [False, True]
    assert Sample.objects.count() == 1
    assert Tube.objects.get().size == 1
