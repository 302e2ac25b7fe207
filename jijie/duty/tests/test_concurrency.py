"""Races on PostgreSQL: members claiming the last place of a shift at once, and one
member claiming two overlapping shifts at once. Exactly one wins each time."""

import pytest

from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import claim, demand, resident, shifts, with_account
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_place_of_a_shift_claimed_at_once(tree, posts):
    shift = shifts(demand(tree.community, posts.guard, high=2))[0]
    first = with_account(resident(1, tree), "first")
    claim(first, shift)
    racers = [with_account(resident(n, tree), f"racer{n}") for n in range(2, 6)]
    results, refusals = race(*[lambda m=m: claim(m, shift) for m in racers])
    assert len(results) == 1
    assert len(refusals) == 3
    assert all("已满" in r for r in refusals)
    assert Participation.objects.filter(shift=shift).count() == 2


def test_one_member_claiming_two_overlapping_shifts_at_once(tree, posts):
    one = shifts(demand(tree.community, posts.guard))[0]
    other = shifts(demand(tree.community, posts.guard))[0]
    someone = with_account(resident(1, tree), "someone")
    results, refusals = race(
        lambda: claim(someone, one),
        lambda: claim(someone, other),
    )
    assert len(results) == 1
    assert all("重叠" in r for r in refusals)
