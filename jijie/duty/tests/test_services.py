"""Demands and their shifts, and every rule that refuses a claim or an assignment."""

from __future__ import annotations

from datetime import time, timedelta
from itertools import pairwise

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.duty import selectors, services
from jijie.duty.models import Notice, Participation, ParticipationStatus, Shift
from jijie.duty.tests.fixtures import (
    claim,
    demand,
    deployed,
    resident,
    shifts,
    tomorrow,
    user_of,
    with_account,
)
from jijie.mobilization.tests.fixtures import member


def refused(call, *words: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    text = " ".join(caught.value.messages)
    for word in words:
        assert word in text, text


# Demands -----------------------------------------------------------------------------


def test_a_demand_generates_two_12_hour_shifts_a_day_for_14_days(tree, posts):
    d = demand(tree.community, posts.guard, days=14, low=2, high=3)
    generated = shifts(d)
    assert len(generated) == 28
    first = timezone.localtime(generated[0].starts_at)
    assert (first.date(), first.time()) == (tomorrow(), time(8, 0))
    assert timezone.localtime(generated[1].starts_at).time() == time(20, 0)
    assert all(s.ends_at - s.starts_at == timedelta(hours=12) for s in generated)
    # Back to back, no gap and no overlap.
    assert all(a.ends_at == b.starts_at for a, b in pairwise(generated))
    assert {(s.min_people, s.max_people) for s in generated} == {(2, 3)}
    assert len({s.check_in_token for s in generated}) == 28


def test_a_schedule_longer_than_a_day_or_with_min_above_max_is_refused(tree, posts):
    refused(lambda: demand(tree.community, posts.guard, per_day=3, hours=12), "24")
    refused(lambda: demand(tree.community, posts.guard, low=3, high=2), "最多")


def test_only_the_community_posts_demands(tree, posts, actors):
    schedule = services.Schedule(tomorrow(), 1, time(8), 2, 12, 1, 2)

    def post(actor, community=tree.community):
        return services.demand_create(
            actor=actor,
            community=community,
            post_type=posts.guard,
            place="东门",
            schedule=schedule,
        )

    assert post(actors.manager).shifts.count() == 2
    assert post(actors.street).shifts.count() == 2
    with pytest.raises(PermissionDenied):
        post(actors.lower)
    with pytest.raises(Http404):
        post(actors.outsider)
    refused(
        lambda: services.do_demand_create(
            actor=SYSTEM,
            community=tree.grid,
            post_type=posts.guard,
            place="东门",
            schedule=schedule,
        ),
        "不是社区",
    )


# Claims ------------------------------------------------------------------------------


def test_a_deployed_member_claims_and_the_community_confirms(mob, tree, posts, actors):
    someone = with_account(deployed(mob, 1, tree.community), "someone")
    shift = shifts(demand(tree.community, posts.guard))[0]
    taken = claim(someone, shift)
    assert (taken.status, taken.source) == ("requested", "claimed")
    assert taken.deployment is not None
    confirmed = services.participation_confirm(actor=actors.manager, participation=taken)
    assert confirmed.status == ParticipationStatus.CONFIRMED
    assert Notice.objects.filter(member=someone).count() == 1
    refused(
        lambda: services.participation_confirm(actor=actors.manager, participation=taken),
        "已确认",
    )
    assert AuditEvent.objects.filter(action="duty.claim").count() == 1


def test_a_member_living_in_the_community_claims_there(tree, posts):
    someone = with_account(resident(1, tree), "someone")
    shift = shifts(demand(tree.community, posts.guard))[0]
    assert claim(someone, shift).deployment is None


def test_an_account_without_a_member_record_may_not_claim(tree, posts, actors):
    shift = shifts(demand(tree.community, posts.guard))[0]
    with pytest.raises(PermissionDenied):
        services.shift_claim(actor=actors.nobody, shift=shift)


def test_double_booking_is_refused(tree, posts):
    someone = with_account(resident(1, tree), "someone")
    first = shifts(demand(tree.community, posts.guard))[0]
    same_time = shifts(demand(tree.community, posts.guard))[0]
    claim(someone, first)
    refused(lambda: claim(someone, same_time), "重叠")
    refused(lambda: claim(someone, first), "已在该班次")


def test_too_many_hours_in_a_row_is_refused(tree, posts):
    someone = with_account(resident(1, tree), "someone")
    day, night, next_day, next_night = shifts(demand(tree.community, posts.guard))
    claim(someone, day)
    # The night shift follows the day shift at once: 24 hours in a row.
    refused(lambda: claim(someone, night), "连续值守", "24")
    # The next day's shift comes after a 12-hour rest.
    claim(someone, next_day)
    refused(lambda: claim(someone, next_night), "连续值守")


def test_a_short_break_does_not_end_a_run(tree, posts, settings):
    settings.DUTY_MAX_HOURS_IN_A_ROW = 12
    settings.DUTY_MIN_REST_HOURS = 8
    someone = with_account(resident(1, tree), "someone")
    morning = shifts(demand(tree.community, posts.guard, days=1, per_day=1, hours=6))[0]
    # 18:00-24:00 after 08:00-14:00: a 4-hour break is no rest; the run is 16 hours.
    evening = shifts(demand(tree.community, posts.guard, days=1, per_day=1, hours=6, at=time(18)))[
        0
    ]
    claim(someone, morning)
    refused(lambda: claim(someone, evening), "16")


def test_a_missing_skill_is_refused(tree, posts):
    someone = with_account(resident(1, tree), "someone")
    shift = shifts(demand(tree.community, posts.transport))[0]
    refused(lambda: claim(someone, shift), "驾驶")
    someone.skills = ",driving,"
    someone.save(update_fields=["skills"])
    assert claim(someone, shift).status == "requested"


def test_a_member_kind_the_post_does_not_take_is_refused(tree, posts):
    volunteer = with_account(resident(1, tree, kind="volunteer"), "volunteer")
    party = with_account(resident(2, tree), "party")
    shift = shifts(demand(tree.community, posts.vanguard))[0]
    refused(lambda: claim(volunteer, shift), "限定身份")
    claim(party, shift)


def test_a_member_unfit_for_the_front_line_is_refused(tree, posts):
    someone = with_account(resident(1, tree), "someone")
    someone.fitness = "unfit"
    someone.save(update_fields=["fitness"])
    shift = shifts(demand(tree.community, posts.guard))[0]
    refused(lambda: claim(someone, shift), "暂不适合")


def test_a_shift_outside_the_deployment_is_refused(mob, tree, posts):
    elsewhere = with_account(deployed(mob, 1, tree.sibling), "elsewhere")
    short = with_account(deployed(mob, 2, tree.community, days=1), "short")
    first, _night, next_day, _next_night = shifts(demand(tree.community, posts.guard))
    # Deployed to another community.
    refused(lambda: claim(elsewhere, first), "下沉")
    # Deployed here for today only: tomorrow's shifts are after the deployment.
    refused(lambda: claim(short, next_day), "下沉期")
    refused(lambda: claim(short, first), "下沉期")


def test_a_full_shift_is_refused(tree, posts):
    shift = shifts(demand(tree.community, posts.guard, high=1))[0]
    one = with_account(resident(1, tree), "one")
    two = with_account(resident(2, tree), "two")
    claim(one, shift)
    refused(lambda: claim(two, shift), "已满")


def test_a_started_shift_or_a_closed_demand_is_refused(tree, posts, time_machine):
    someone = with_account(resident(1, tree), "someone")
    d = demand(tree.community, posts.guard)
    first, night, *_ = shifts(d)
    time_machine.move_to(first.starts_at + timedelta(minutes=1))
    refused(lambda: claim(someone, first), "已开始")
    d.status = "closed"
    d.save(update_fields=["status"])
    refused(lambda: claim(someone, night), "已结束")


# Assigning, declining, cancelling ------------------------------------------------------


def test_the_community_assigns_directly_under_the_same_rules(tree, posts, actors):
    someone = resident(1, tree)
    day, night, *_ = shifts(demand(tree.community, posts.guard))
    taken = services.shift_assign(actor=actors.manager, shift=day, member=someone)
    assert (taken.status, taken.source) == ("confirmed", "assigned")
    refused(
        lambda: services.shift_assign(actor=actors.manager, shift=night, member=someone),
        "连续值守",
    )
    assert AuditEvent.objects.filter(action="duty.assign").count() == 1


def test_assigning_needs_the_community(tree, posts, actors):
    someone = resident(1, tree)
    shift = shifts(demand(tree.community, posts.guard))[0]
    with pytest.raises(PermissionDenied):
        services.shift_assign(actor=actors.lower, shift=shift, member=someone)
    with pytest.raises(Http404):
        services.shift_assign(actor=actors.outsider, shift=shift, member=someone)
    assert not Participation.objects.exists()


def test_a_declined_claim_frees_the_place_and_says_why(tree, posts, actors):
    shift = shifts(demand(tree.community, posts.guard, high=1))[0]
    one = with_account(resident(1, tree), "one")
    two = with_account(resident(2, tree), "two")
    taken = claim(one, shift)
    refused(
        lambda: services.participation_decline(
            actor=actors.manager, participation=taken, reason=" "
        ),
        "原因",
    )
    services.participation_decline(actor=actors.manager, participation=taken, reason="人已够")
    assert "人已够" in Notice.objects.get(member=one).text
    claim(two, shift)


def test_cancelling_notifies_the_replacement_list(tree, posts, actors):
    shift = shifts(demand(tree.community, posts.guard, high=1))[0]
    one = with_account(resident(1, tree), "one")
    free = resident(2, tree)
    driver_only = resident(3, tree)
    busy = resident(4, tree)
    at_the_same_time = shifts(demand(tree.community, posts.guard))[0]
    services.do_shift_assign(actor=SYSTEM, shift=at_the_same_time, member=busy)
    # Someone who lives in another community is not on the list.
    member(5, residence=tree.sibling)
    taken = claim(one, shift)
    services.participation_cancel(actor=user_of(one), participation=taken, reason="家中有事")
    notified = set(Notice.objects.values_list("member_id", flat=True))
    assert notified == {free.pk, driver_only.pk}
    assert AuditEvent.objects.get(action="duty.cancel").data["notified"] == 2
    refused(
        lambda: services.participation_cancel(actor=user_of(one), participation=taken, reason=""),
        "已取消",
    )


def test_only_the_member_or_the_community_cancels(tree, posts, actors):
    shift = shifts(demand(tree.community, posts.guard))[0]
    one = with_account(resident(1, tree), "one")
    taken = claim(one, shift)
    with pytest.raises(PermissionDenied):
        services.participation_cancel(actor=actors.lower, participation=taken, reason="")
    with pytest.raises(Http404):
        services.participation_cancel(actor=actors.outsider, participation=taken, reason="")
    services.participation_cancel(actor=actors.manager, participation=taken, reason="调整")


def _queries_for_replacements(shift, numbers: range, tree) -> tuple[int, int]:
    for n in numbers:
        resident(n, tree)
    with CaptureQueriesContext(connection) as queries:
        found = selectors.replacement_list(shift)
    return len(queries), len(found)


def test_the_replacement_list_reads_in_bulk(tree, posts):
    # given two shifts, one with 5 members living in the community, then 40
    shift = Shift.objects.select_related("demand__post_type").get(
        pk=shifts(demand(tree.community, posts.guard))[0].pk
    )
    few, found_few = _queries_for_replacements(shift, range(100, 105), tree)
    many, found_many = _queries_for_replacements(shift, range(105, 140), tree)
    # then the list is as long as it may be and costs the same reads
    assert (found_few, found_many) == (5, selectors.REPLACEMENT_LIST_SIZE)
    assert few == many


def test_no_replacements_for_a_closed_demand_or_a_started_shift(tree, posts, time_machine):
    first = Shift.objects.select_related("demand__post_type").get(
        pk=shifts(demand(tree.community, posts.guard))[0].pk
    )
    resident(1, tree)
    assert len(selectors.replacement_list(first)) == 1
    time_machine.move_to(first.starts_at + timedelta(minutes=1))
    with CaptureQueriesContext(connection) as queries:
        assert selectors.replacement_list(first) == []
    assert len(queries) == 0
