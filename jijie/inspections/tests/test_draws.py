"""The draw: reproducible from its seed, and spread so that no target is drawn a second
time before every target has been drawn once (property tests), as plans of a team
follow each other in a month."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jijie.audit.actors import SYSTEM
from jijie.inspections import draws, services
from jijie.inspections.models import Plan, Visit

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
TOMORROW = date(2026, 12, 4)


@given(
    count=st.integers(min_value=1, max_value=40),
    sizes=st.lists(st.integers(min_value=1, max_value=50), min_size=1, max_size=8),
    seed=st.integers(min_value=0, max_value=2**48),
)
def test_every_target_once_before_any_twice(count, sizes, seed):
    candidates = [f"gate:{n}" for n in range(1, count + 1)]
    history: list[str] = []
    for n, size in enumerate(sizes):
        picked = draws.draw(candidates, history, seed + n, size)
        assert len(picked) == len(set(picked)) == min(size, count)
        assert draws.verify(candidates, history, seed + n, picked)
        history += picked
    # the history cut into rounds of `count`: each round is every candidate once
    for start in range(0, len(history) - count + 1, count):
        assert sorted(history[start : start + count]) == sorted(candidates)
    rest = history[len(history) - len(history) % count :]
    assert len(rest) == len(set(rest))


@given(seed=st.integers(min_value=0, max_value=2**48))
def test_the_same_seed_makes_the_same_draw_and_another_seed_may_not(seed):
    candidates = [f"store:{n}" for n in range(30)]
    assert draws.draw(candidates, [], seed, 10) == draws.draw(candidates, [], seed, 10)


def test_a_tampered_draw_is_not_verified():
    candidates = [f"gate:{n}" for n in range(10)]
    picked = draws.draw(candidates, [], 42, 3)
    assert draws.verify(candidates, [], 42, picked)
    assert not draws.verify(candidates, [], 42, [*picked[:2], "gate:99"])


def test_days_fall_in_the_plan():
    found = draws.days(TOMORROW, TOMORROW + timedelta(days=6), 50, 7)
    assert all(TOMORROW <= d <= TOMORROW + timedelta(days=6) for d in found)
    assert found == sorted(found)


# The plans of a team --------------------------------------------------------------------


def _plan(inspections, size, kinds=("gate", "store"), seed=None, starts=TOMORROW):
    return services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=starts,
            ends_on=starts + timedelta(days=6),
            kinds=list(kinds),
            size=size,
            seed=seed,
        ),
        now=AT,
    )


@pytest.mark.django_db
def test_a_plan_draws_only_what_the_team_covers(inspections, supplies):
    plan = _plan(inspections, 50)
    labels = sorted(v.label for v in plan.visits.all())
    # the street's store and both communities' rooms and gates; not the district's store
    assert labels == sorted(
        [
            "源西街道物资库",
            "新港路社区物资室",
            "新江三路社区物资室",
            "新港路社区 东门",
            "新港路社区 西门",
            "新江三路社区 南门",
        ]
    )
    assert plan.size == 6
    assert all(plan.starts_on <= v.day <= plan.ends_on for v in plan.visits.all())


@pytest.mark.django_db
@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(sizes=st.lists(st.integers(min_value=1, max_value=8), min_size=2, max_size=5))
def test_plans_in_a_month_spread_their_draws(inspections, sizes):
    Visit.objects.all().delete()
    Plan.objects.all().delete()
    history: list[str] = []
    for n, size in enumerate(sizes):
        plan = _plan(inspections, size, seed=1000 + n)
        keys = [v.key for v in plan.visits.order_by("position")]
        assert plan.drawn_before == history
        assert draws.verify(plan.candidates, plan.drawn_before, plan.seed, keys)
        history += keys
    count = 6
    for start in range(0, len(history) - count + 1, count):
        assert len(set(history[start : start + count])) == count


@pytest.mark.django_db
def test_a_new_month_starts_a_new_cycle(inspections):
    _plan(inspections, 4, seed=1)
    later = _plan(inspections, 2, seed=2, starts=date(2027, 1, 4))
    assert later.drawn_before == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kinds": []}, "kinds"),
        ({"kinds": ["weather"]}, "kinds"),
        ({"kinds": ["isolation"]}, "kinds"),  # no household isolated: nothing to draw
        ({"size": 0}, "size"),
        ({"starts_on": date(2026, 12, 1)}, "starts_on"),
        ({"ends_on": date(2026, 12, 3)}, "ends_on"),
        ({"ends_on": date(2027, 3, 1)}, "ends_on"),
    ],
)
def test_a_plan_with_nothing_to_draw_or_bad_dates_is_refused(inspections, change, field):
    data = {
        "starts_on": TOMORROW,
        "ends_on": TOMORROW + timedelta(days=6),
        "kinds": ["gate"],
        "size": 3,
        **change,
    }
    with pytest.raises(ValidationError) as refused:
        services.do_plan_create(
            actor=SYSTEM, team=inspections.team, data=services.PlanData(**data), now=AT
        )
    assert field in refused.value.message_dict
    assert Plan.objects.count() == 0
    assert Visit.objects.count() == 0
