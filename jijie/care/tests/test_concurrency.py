"""Races on PostgreSQL: members taking the same errand at once. Exactly one wins."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.care import services
from jijie.care.models import Errand, ErrandState
from jijie.care.tests.fixtures import resident_member
from jijie.residents.models import Household
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_members_taking_the_same_errand_at_once(tree, actors, homes):
    Household.objects.filter(pk=homes.zhao.pk).update(is_hardship=True)
    homes.zhao.refresh_from_db()
    errand = services.errand_create(
        actor=actors.grid_worker,
        household=homes.zhao,
        data=services.ErrandData(
            kind="medicine", needed="降压药一盒", due_by=timezone.now() + timedelta(hours=2)
        ),
    )
    racers = [resident_member(n, tree, username=f"racer{n}") for n in range(1, 5)]
    results, refusals = race(
        *[lambda m=m: services.errand_claim(actor=m.user, errand=errand) for m in racers]
    )
    assert len(results) == 1
    assert len(refusals) == 3
    assert all("已接单" in r for r in refusals)
    stored = Errand.objects.get(pk=errand.pk)
    assert stored.state == ErrandState.ACCEPTED
    assert stored.member == results[0].member
