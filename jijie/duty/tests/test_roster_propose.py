"""The roster proposed from the database and accepted in full, in part or not at all."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.duty import roster, selectors
from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import claim, demand, deployed, resident, shifts, with_account
from jijie.mobilization.models import AreaLocation


def window():
    now = timezone.now()
    return now, now + timedelta(days=14)


@pytest.fixture
def located(tree):
    AreaLocation.objects.create(area=tree.community, latitude=23.74, longitude=114.70)
    AreaLocation.objects.create(area=tree.sibling, latitude=23.76, longitude=114.69)
    return tree


def test_the_community_gets_a_feasible_proposal_and_accepts_part(mob, located, posts, actors):
    tree = located
    d = demand(tree.community, posts.guard, days=2, low=1, high=2)
    people = [resident(n, tree) for n in range(1, 4)]
    people.append(deployed(mob, 9, tree.community, residence=tree.sibling))
    start, end = window()
    proposal = roster.roster_propose(
        actor=actors.manager, area=tree.community, starts_at=start, ends_at=end, time_limit=3
    )
    assert proposal.unfilled == []
    assert {line.shift.pk for line in proposal.lines} == {s.pk for s in shifts(d)}
    # Nobody holds two shifts back to back.
    for member in people:
        mine = sorted(line.shift.starts_at for line in proposal.lines if line.member == member)
        assert all(b - a >= timedelta(hours=24) for a, b in pairwise(mine))
    # Four shifts, four members: hours are shared before travel, so each serves once,
    # the member living 2.4 km away included.
    served = [line.member.pk for line in proposal.lines]
    assert sorted(served) == sorted(p.pk for p in people)
    part = [(line.shift, line.member) for line in proposal.lines[:2]]
    assigned, refused = roster.roster_accept(actor=actors.manager, lines=part)
    assert (len(assigned), refused) == (2, [])
    assert {p.source for p in assigned} == {"proposed"}


def test_a_line_taken_meanwhile_is_refused_on_accepting(located, posts, actors):
    tree = located
    shift = shifts(demand(tree.community, posts.guard, days=1, per_day=1, low=1, high=1))[0]
    resident(1, tree)
    start, end = window()
    proposal = roster.do_roster_propose(
        actor=SYSTEM, area=tree.street, starts_at=start, ends_at=end, time_limit=2
    )
    [line] = proposal.lines
    claim(with_account(resident(2, tree), "quick"), shift)
    assigned, refused = roster.roster_accept(
        actor=actors.manager, lines=[(line.shift, line.member)]
    )
    assert assigned == []
    assert "已满" in refused[0][2]
    assert Participation.objects.count() == 1


def test_shifts_it_cannot_fill_are_explained(located, posts, actors):
    tree = located
    demand(tree.community, posts.transport, days=1, per_day=1)
    resident(1, tree)
    start, end = window()
    proposal = roster.roster_propose(
        actor=actors.street, area=tree.street, starts_at=start, ends_at=end, time_limit=2
    )
    assert proposal.lines == []
    [(_shift, why)] = proposal.unfilled
    assert "驾驶" in why


def test_only_the_community_or_the_street_proposes(located, posts, actors):
    start, end = window()
    with pytest.raises(PermissionDenied):
        roster.roster_propose(
            actor=actors.lower, area=located.community, starts_at=start, ends_at=end
        )
    with pytest.raises(Http404):
        roster.roster_propose(
            actor=actors.outsider, area=located.community, starts_at=start, ends_at=end
        )
    shift = shifts(demand(located.community, posts.guard, days=1))[0]
    someone = resident(1, located)
    with pytest.raises(PermissionDenied):
        roster.roster_accept(actor=actors.lower, lines=[(shift, someone)])
    assert selectors.replacement_list(shift) == [someone]
