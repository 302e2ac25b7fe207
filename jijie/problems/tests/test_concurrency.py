"""Races on PostgreSQL: two handlers claim one problem at once, and a claim races the
escalation. One wins; nothing is half-done."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from conftest import make_user
from jijie.problems import services
from jijie.problems.models import EventKind, Problem, ProblemEvent
from jijie.problems.tests.fixtures import raise_problem
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def test_two_claims_at_once_one_wins(tree, supplies, actors):
    other = make_user("street2", "street_office", tree.street)
    problem = raise_problem(tree.grid, now=AT)
    results, refusals = race(
        lambda: services.problem_claim(actor=actors.street, problem=problem, now=AT),
        lambda: services.problem_claim(actor=other, problem=problem, now=AT),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "认领" in refusals[0]
    winner = Problem.objects.get()
    assert winner.claimed_by == results[0].claimed_by
    assert ProblemEvent.objects.filter(kind=EventKind.CLAIMED).count() == 1


def test_two_escalations_at_once_move_it_once(tree, supplies):
    problem = raise_problem(tree.grid, now=AT)
    late = AT + timedelta(hours=3)
    results, _ = race(lambda: services.escalate(now=late), lambda: services.escalate(now=late))
    assert sorted(r.steps for r in results) == [0, 1]
    problem.refresh_from_db()
    assert (problem.level, problem.escalations) == (tree.district, 1)
    assert ProblemEvent.objects.filter(kind=EventKind.ESCALATED).count() == 1
