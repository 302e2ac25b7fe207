"""The clock: a problem unanswered past its deadline moves up exactly one level per
deadline, never skips one, never moves once answered, and a second run changes
nothing."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jijie.problems import services
from jijie.problems.models import EventKind, Problem, ProblemEvent, ProblemState
from jijie.problems.tests.fixtures import raise_problem

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOUR = timedelta(hours=1)


def _levels(problem):
    return list(
        ProblemEvent.objects.filter(problem=problem, kind=EventKind.ESCALATED)
        .order_by("at", "pk")
        .values_list("level__name", flat=True)
    )


def test_inside_its_deadline_nothing_moves(tree, supplies):
    problem = raise_problem(tree.grid, urgency="urgent", now=AT)  # the street's, 2 h
    assert services.escalate(now=AT + 2 * HOUR).problems == 0  # at the deadline, not past
    problem.refresh_from_db()
    assert problem.level == tree.street


def test_past_its_deadline_it_moves_one_level_and_a_second_run_changes_nothing(tree, supplies):
    problem = raise_problem(tree.grid, urgency="urgent", now=AT)
    first = services.escalate(now=AT + 2 * HOUR + timedelta(minutes=1))
    again = services.escalate(now=AT + 2 * HOUR + timedelta(minutes=1))
    problem.refresh_from_db()
    assert (first.problems, first.steps, again.problems) == (1, 1, 0)
    assert problem.level == tree.district
    assert problem.deadline_at == AT + 4 * HOUR  # as many hours again, from the deadline
    assert problem.escalations == 1
    assert _levels(problem) == ["源城区"]


def test_a_deadline_missed_three_times_is_three_levels_each_kept(tree, supplies):
    problem = raise_problem(tree.grid, kind="residents", urgency="urgent", now=AT)  # community
    services.escalate(now=AT + 5 * HOUR)  # deadlines at 2 h and 4 h passed: two steps
    problem.refresh_from_db()
    assert _levels(problem) == ["源西街道", "源城区"]
    services.escalate(now=AT + 6 * HOUR + timedelta(seconds=1))
    problem.refresh_from_db()
    assert _levels(problem) == ["源西街道", "源城区", "河源市"]
    # The city is the top: there it stays, overdue.
    assert services.escalate(now=AT + 100 * HOUR).problems == 0
    problem.refresh_from_db()
    assert problem.level == tree.city
    assert problem.escalations == 3


def test_a_claimed_but_unanswered_problem_moves_up_unclaimed(tree, supplies, actors):
    problem = raise_problem(tree.grid, urgency="urgent", now=AT)
    services.problem_claim(actor=actors.street, problem=problem, now=AT + HOUR)
    services.escalate(now=AT + 3 * HOUR)
    problem.refresh_from_db()
    assert (problem.level, problem.state, problem.claimed_by) == (
        tree.district,
        ProblemState.OPEN,
        None,
    )
    assert problem.is_responded_in_time  # it was responded to, in time; not solved


@pytest.mark.parametrize("state", ["answered", "resolved"])
def test_an_answered_or_solved_problem_never_moves(tree, supplies, actors, state):
    problem = raise_problem(tree.grid, actor=actors.grid_worker, urgency="urgent", now=AT)
    services.problem_answer(
        actor=actors.street, problem=problem, answer=services.Answer("已送到"), now=AT + HOUR
    )
    if state == "resolved":
        services.problem_confirm(
            actor=actors.grid_worker, problem=problem, rating=5, now=AT + 2 * HOUR
        )
    assert services.escalate(now=AT + 50 * HOUR).problems == 0
    problem.refresh_from_db()
    assert (problem.level, problem.state) == (tree.street, state)


def test_the_escalated_level_handles_and_the_first_no_longer_may(tree, supplies, actors):
    from django.core.exceptions import PermissionDenied

    problem = raise_problem(tree.grid, urgency="urgent", now=AT)
    services.escalate(now=AT + 3 * HOUR)
    problem.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.problem_claim(actor=actors.street, problem=problem)
    services.problem_claim(actor=actors.command, problem=problem)


@time_machine.travel(AT + 3 * HOUR, tick=False)
def test_the_command_escalates_and_says_how_many(tree, supplies, capsys):
    raise_problem(tree.grid, urgency="urgent", now=AT)
    call_command("problems_escalate")
    call_command("problems_escalate")
    out = capsys.readouterr().out.splitlines()
    assert out == ["1 problems escalated, 1 levels in all", "0 problems escalated, 0 levels in all"]


# Property: whenever the escalation runs, a problem's levels are one step each, in order,
# one per deadline passed, and they end where a single late run would have put them.

LEVEL_NAMES = ["第01网格", "新港路社区", "源西街道", "源城区", "河源市"]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    urgency=st.sampled_from(["urgent", "normal", "low"]),
    kind=st.sampled_from(["supplies", "residents"]),
    runs=st.lists(st.integers(min_value=0, max_value=400), max_size=8),
)
def test_whenever_it_runs_it_moves_one_level_per_deadline(tree, supplies, urgency, kind, runs):
    Problem.objects.all().delete()
    problem = raise_problem(tree.grid, kind=kind, urgency=urgency, now=AT)
    hours = {"urgent": 2, "normal": 24, "low": 72}[urgency]
    start = problem.level.name
    for hours_later in sorted(runs):
        services.escalate(now=AT + hours_later * HOUR)
        services.escalate(now=AT + hours_later * HOUR)  # twice: changes nothing
    problem.refresh_from_db()
    last = max(runs, default=0)
    deadlines_passed = max(0, -(-(last - hours) // hours)) if last > hours else 0
    chain = LEVEL_NAMES[LEVEL_NAMES.index(start) + 1 :]
    expected = chain[: min(deadlines_passed, len(chain))]
    assert _levels(problem) == expected
    assert problem.escalations == len(expected)
    assert problem.level.name == (expected[-1] if expected else start)
    events = ProblemEvent.objects.filter(problem=problem, kind=EventKind.ESCALATED)
    assert [e.at for e in events.order_by("at")] == [
        AT + hours * (i + 1) * HOUR for i in range(len(expected))
    ]
