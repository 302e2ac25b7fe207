"""The rest rules at their exact boundaries: on plain values, through a claim and
through a direct assignment, with the defaults and with a response's own rules.

Every time here is built from fixed aware datetimes and the clock is frozen before
them, so the tests pass at any hour of any day."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.duty import rules, selectors, services
from jijie.duty.models import DutyRules
from jijie.duty.tests.fixtures import claim, demand, resident, shifts, with_account
from jijie.responses.services import do_response_activate

HERE = "0001000100010001"
DAY = date(2030, 3, 4)
LIMITS = rules.Limits()  # the defaults: 12 h runs, 11 h rest, 24 h in 7 days, 60 h


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """An aware time `day` days after DAY (Asia/Shanghai)."""
    return timezone.make_aware(datetime.combine(DAY + timedelta(days=day), time(hour, minute)))


def post(starts_at: datetime, hours: float) -> rules.Post:
    return rules.Post(HERE, starts_at, starts_at + timedelta(hours=hours), frozenset(), frozenset())


def judged(busy: list[rules.Interval], p: rules.Post) -> str | None:
    refusal = rules.time_refusal(busy, p, LIMITS)
    assert rules.fits_in_time(busy, p, LIMITS) == (refusal is None)
    return refusal


# On plain values ---------------------------------------------------------------------

DAY_SHIFT = (at(0, 8), at(0, 20))


def test_a_rest_of_11_hours_is_enough():
    assert judged([DAY_SHIFT], post(at(1, 7), 12)) is None


def test_a_rest_of_10_hours_59_minutes_is_refused_with_the_rest_left_and_the_minimum():
    refusal = judged([DAY_SHIFT], post(at(1, 6, 59), 12))
    assert refusal is not None
    assert "10 小时 59 分" in refusal
    assert "少于 11 小时" in refusal
    # The two shifts make one run of 34 h 59 min, more than 12 hours in a row.
    assert "超过 12 小时" in refusal


def test_a_short_break_inside_a_run_short_enough_is_allowed():
    # 08:00-12:00 and 14:00-18:00: a 2-hour break, a 10-hour run.
    assert judged([(at(0, 8), at(0, 12))], post(at(0, 14), 4)) is None
    # 08:00-12:00 and 15:00-20:00: a 12-hour run, still allowed; 21:00 is not.
    assert judged([(at(0, 8), at(0, 12))], post(at(0, 15), 5)) is None
    assert judged([(at(0, 8), at(0, 12))], post(at(0, 15), 6)) is not None


def test_60_hours_in_7_days_are_allowed_one_more_is_refused():
    # Five 12-hour day shifts, 08:00-20:00 on days 0-4: 60 hours.
    week = [(at(day, 8), at(day, 20)) for day in range(4)]
    fifth = post(at(4, 8), 12)
    assert judged(week, fifth) is None
    # One more hour within the 7 days from day 0 08:00: 07:00-08:00 on day 7.
    held = [*week, (fifth.starts_at, fifth.ends_at)]
    refusal = judged(held, post(at(7, 7), 1))
    assert refusal is not None
    assert "61 小时" in refusal
    assert "超过 60 小时" in refusal
    # An hour later, the window from day 0 08:00 has ended.
    assert judged(held, post(at(7, 8), 1)) is None


# Six days of 2-hour shifts less than 24 hours apart, from day 1 10:00 to day 6 10:00
# (120 hours: within the 6 days a stretch may last).
STRETCH = [
    (at(1, 10) + timedelta(hours=22 * k), at(1, 12) + timedelta(hours=22 * k)) for k in range(6)
]
STRETCH.append((at(6, 8), at(6, 10)))


def test_a_rest_of_24_hours_in_7_days_is_enough():
    # A shift ending 24 hours before the stretch starts is a stretch of its own.
    assert judged(STRETCH, post(at(0, 8), 2)) is None


def test_a_rest_of_23_hours_59_minutes_in_7_days_is_refused():
    # One ending a minute later joins it: from day 0 08:01 to day 6 10:00 without 24
    # hours of rest.
    refusal = judged(STRETCH, post(at(0, 8, 1), 2))
    assert refusal is not None
    assert "每 7 天须有一次连续 24 小时的休息" in refusal
    assert "23 小时 59 分" in refusal


def test_a_whole_plan_is_checked_line_by_line():
    candidate = rules.Candidate("party_member", frozenset(), "fit", HERE, ())
    night = post(at(0, 20), 12)
    day = post(at(0, 8), 12)
    found = rules.breaches(candidate, [], [(day, LIMITS), (night, LIMITS)], {})
    # Each of the two back-to-back shifts breaks the run rule against the other.
    assert [p for p, _why in found] == [day, night]
    assert rules.breaches(candidate, [], [(day, LIMITS), (post(at(1, 8), 12), LIMITS)], {}) == []


# Through the services --------------------------------------------------------------


@pytest.fixture
def frozen(time_machine):
    """The clock at 2030-03-01 09:00, before every shift here."""
    time_machine.move_to(timezone.make_aware(datetime(2030, 3, 1, 9, 0)), tick=False)


def one_shift(tree, posts, starts_at: datetime, hours: int):
    local = timezone.localtime(starts_at)
    d = demand(
        tree.community,
        posts.guard,
        days=1,
        per_day=1,
        hours=hours,
        start=local.date(),
        at=local.time(),
        low=1,
        high=3,
    )
    return shifts(d)[0]


def refused(call, *words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    text = " ".join(caught.value.messages)
    for word in words:
        assert word in text, text


def test_the_minimum_rest_through_a_claim(frozen, tree, posts):
    someone = with_account(resident(1, tree), "someone")
    claim(someone, one_shift(tree, posts, at(0, 8), 12))
    too_soon = one_shift(tree, posts, at(1, 6, 59), 12)
    refused(lambda: claim(someone, too_soon), "10 小时 59 分", "11 小时")
    assert claim(someone, one_shift(tree, posts, at(1, 7), 12)).status == "requested"


def test_the_minimum_rest_through_a_direct_assignment(frozen, tree, posts, actors):
    someone = resident(1, tree)
    services.shift_assign(
        actor=actors.manager, shift=one_shift(tree, posts, at(0, 8), 12), member=someone
    )
    too_soon = one_shift(tree, posts, at(1, 6, 59), 12)
    refused(
        lambda: services.shift_assign(actor=actors.manager, shift=too_soon, member=someone),
        "10 小时 59 分",
    )
    on_time = one_shift(tree, posts, at(1, 7), 12)
    assert services.shift_assign(actor=actors.manager, shift=on_time, member=someone).pk
    # The member no longer appears among those who could take the early shift.
    assert someone not in selectors.replacement_list(too_soon)


def test_60_hours_in_7_days_through_a_claim(frozen, tree, posts):
    someone = with_account(resident(1, tree), "someone")
    for day in range(5):
        claim(someone, one_shift(tree, posts, at(day, 8), 12))
    one_hour_more = one_shift(tree, posts, at(7, 7), 1)
    refused(lambda: claim(someone, one_hour_more), "61 小时", "60 小时")
    claim(someone, one_shift(tree, posts, at(7, 8), 1))


def test_the_weekly_rest_through_a_direct_assignment(frozen, tree, posts, actors):
    def assign(starts_at: datetime, hours: int):
        shift = one_shift(tree, posts, starts_at, hours)
        return services.shift_assign(actor=actors.manager, shift=shift, member=someone)

    someone = resident(1, tree)
    for starts_at, _ends_at in STRETCH:
        assign(starts_at, 2)
    refused(lambda: assign(at(0, 8, 1), 2), "24 小时的休息", "23 小时 59 分")
    assert assign(at(0, 8), 2).pk


def test_a_response_sets_its_own_rules(frozen, tree, posts, actors):
    # given a response over the community with a shorter week than the default
    response = do_response_activate(actor=SYSTEM, area=tree.community, name="疫情防控", level="2")
    services.duty_rules_set(
        actor=actors.command,
        response=response,
        hours_in_a_row=12,
        rest_hours=11,
        week_rest_hours=24,
        week_hours=36,
    )
    assert selectors.limits_over(tree.community.path).week_hours == 36
    someone = with_account(resident(1, tree), "someone")
    for day in range(3):
        claim(someone, one_shift(tree, posts, at(day, 8), 12))
    # when the member claims a fourth day in the week, then the response's 36 h refuse it
    refused(lambda: claim(someone, one_shift(tree, posts, at(3, 8), 12)), "超过 36 小时")
    # and the sibling community, under no response, keeps the defaults
    assert selectors.limits_over(tree.sibling.path) == rules.Limits.default()
    assert DutyRules.objects.get(response=response).updated_by == actors.command


def test_only_the_command_over_the_response_sets_its_rules(tree, actors):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    with pytest.raises((PermissionDenied, Http404)):
        services.duty_rules_set(
            actor=actors.street,
            response=response,
            hours_in_a_row=12,
            rest_hours=11,
            week_rest_hours=24,
            week_hours=60,
        )
    with pytest.raises(ValidationError):
        services.duty_rules_set(
            actor=actors.command,
            response=response,
            hours_in_a_row=30,
            rest_hours=11,
            week_rest_hours=24,
            week_hours=60,
        )
