"""The three rates (响应率、解决率、满意率) per area below one, over a period."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from jijie.problems import selectors, services
from jijie.problems.tests.fixtures import raise_problem

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
HOUR = timedelta(hours=1)


def test_rates_per_community_under_the_street(tree, supplies, actors):
    # given: in 新港路 four problems: one answered in time and rated 5, one answered
    # late and rated 2, one claimed late and still open, one inside its hours;
    # in 新江三路 one overdue untouched
    street = actors.street
    good = raise_problem(tree.grid, actor=actors.grid_worker, now=AT)
    services.problem_answer(
        actor=street, problem=good, answer=services.Answer("已送"), now=AT + HOUR
    )
    services.problem_confirm(actor=actors.grid_worker, problem=good, rating=5, now=AT + 2 * HOUR)
    late = raise_problem(tree.grid, actor=actors.grid_worker, now=AT)
    services.problem_answer(
        actor=street, problem=late, answer=services.Answer("已送"), now=AT + HOUR * 1.5 + HOUR
    )
    services.problem_confirm(actor=actors.grid_worker, problem=late, rating=2, now=AT + 3 * HOUR)
    open_ = raise_problem(tree.building, now=AT)
    services.problem_claim(actor=street, problem=open_, now=AT + 3 * HOUR)
    raise_problem(tree.grid, now=AT + 10 * HOUR)
    raise_problem(tree.sibling_grid, now=AT)
    now = AT + 11 * HOUR

    # when
    total, rows = selectors.rates_by_area(tree.street, start=AT - HOUR, end=AT + 24 * HOUR, now=now)

    # then
    by_name = {row.area.name: row.rates for row in rows if row.area is not None}
    here, there = by_name["新港路社区"], by_name["新江三路社区"]
    assert (here.raised, here.responded_due, here.responded_in_time) == (4, 3, 1)
    assert (here.resolved, here.rated, here.satisfied) == (2, 2, 1)
    assert (here.unanswered, here.overdue) == (2, 1)
    assert here.response == pytest.approx(1 / 3)
    assert here.resolution == 0.5
    assert here.satisfaction == 0.5
    assert (there.raised, there.responded_due, there.responded_in_time, there.overdue) == (
        1,
        1,
        0,
        1,
    )
    assert there.satisfaction is None  # nothing rated: no rate, not 0
    assert total.raised == 5
    assert total.response == pytest.approx(1 / 4)


def test_the_period_bounds_what_counts(tree, supplies):
    raise_problem(tree.grid, now=AT)
    raise_problem(tree.grid, now=AT + 48 * HOUR)
    total, _ = selectors.rates_by_area(tree.district, start=AT, end=AT + 24 * HOUR, now=AT)
    assert total.raised == 1


def test_a_problem_about_the_area_itself_counts_as_its_own_row(tree, supplies):
    raise_problem(tree.street, now=AT)
    _, rows = selectors.rates_by_area(tree.street, start=AT, end=AT + HOUR, now=AT)
    assert [(row.area, row.rates.raised) for row in rows] == [(None, 1)]
