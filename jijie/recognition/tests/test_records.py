"""A service record is the sum of what was verified: shifts confirmed and checked out,
errands confirmed, findings naming the member; nothing unverified counts (property
test over random data), and the unit's approval keeps the figures as they were."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.http import Http404
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jijie.audit.actors import SYSTEM
from jijie.care.models import Errand, ErrandState
from jijie.duty.models import Participation, ParticipationStatus
from jijie.duty.tests.fixtures import demand, shifts
from jijie.mobilization.tests.fixtures import member
from jijie.recognition import records, services
from jijie.recognition.models import Approval, ApprovedRecord, Certificate
from jijie.residents.services import do_household_register

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 12, 1)
LATER = datetime(2026, 12, 20, 9, 0, tzinfo=TZ)


@pytest.fixture
def world(tree, mob, posts):
    people = [member(n, organisation=mob.unit, kind="volunteer") for n in range(1, 4)]
    outsider = member(9, organisation=mob.other_unit)
    d = demand(tree.community, posts.guard, days=6, per_day=2, hours=6, start=DAY)
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    return people, outsider, shifts(d), household


def _participation(shift, who, *, status, checked_out, minutes):
    return Participation.objects.create(
        shift=shift, member=who, status=status, source="assigned",
        starts_at=shift.starts_at, ends_at=shift.ends_at,
        checked_in_at=shift.starts_at, checked_out_at=shift.ends_at if checked_out else None,
        minutes=minutes,
    )  # fmt: skip


def _errand(household, tree, who, *, state, minutes, at):
    return Errand.objects.create(
        household=household, area_path=tree.building.path, community_path=tree.community.path,
        kind="medicine", needed="降压药", due_by=at, state=state, member=who, minutes=minutes,
        confirmed_at=at if state == ErrandState.CONFIRMED else None,
        done_at=at if state in (ErrandState.DONE, ErrandState.CONFIRMED) else None,
    )  # fmt: skip


SHIFT = st.tuples(
    st.integers(0, 2),  # who
    st.sampled_from(["confirmed", "requested", "declined", "cancelled"]),
    st.booleans(),  # checked out
    st.integers(0, 720),
)
ERRAND = st.tuples(
    st.integers(0, 2),
    st.sampled_from(["confirmed", "done", "accepted", "cancelled"]),
    st.integers(0, 240),
    st.integers(0, 12),  # the day of December it was confirmed
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(shift_rows=st.lists(SHIFT, max_size=12), errand_rows=st.lists(ERRAND, max_size=12))
def test_hours_are_the_sum_of_what_was_verified(world, tree, shift_rows, errand_rows):
    people, _outsider, all_shifts, household = world
    Participation.objects.all().delete()
    Errand.objects.all().delete()
    expected = {p.pk: 0 for p in people}
    for n, (who, status, out, minutes) in enumerate(shift_rows):
        person = people[who]
        _participation(all_shifts[n], person, status=status, checked_out=out, minutes=minutes)
        if status == ParticipationStatus.CONFIRMED and out:
            expected[person.pk] += minutes
    for who, state, minutes, day in errand_rows:
        person = people[who]
        at = datetime(2026, 12, 1, 12, tzinfo=TZ) + timedelta(days=day)
        _errand(household, tree, person, state=state, minutes=minutes, at=at)
        if state == ErrandState.CONFIRMED and day <= 9:  # the period ends 12-10
            expected[person.pk] += minutes
    found = records.records([p.pk for p in people], DAY, date(2026, 12, 10))
    assert {pk: r.minutes for pk, r in found.items()} == expected


def test_a_unit_approves_a_past_period_once_and_the_figures_stay(world, mob, tree):
    people, outsider, all_shifts, _household = world
    _participation(all_shifts[0], people[0], status="confirmed", checked_out=True, minutes=360)
    _participation(all_shifts[1], outsider, status="confirmed", checked_out=True, minutes=360)
    approval = services.approve(actor=mob.unit_admin, organisation=mob.unit, start=DAY,
                                end=date(2026, 12, 10), now=LATER)  # fmt: skip
    rows = {r.member_id: r for r in approval.records.all()}
    assert set(rows) == {p.pk for p in people}  # the unit's members, not the other unit's
    assert rows[people[0].pk].shift_minutes == 360
    # a shift recorded later does not change what was approved
    _participation(all_shifts[2], people[0], status="confirmed", checked_out=True, minutes=60)
    assert ApprovedRecord.objects.get(approval=approval, member=people[0]).shift_minutes == 360
    with pytest.raises(ValidationError, match="已经审核过"):
        services.approve(actor=mob.unit_admin, organisation=mob.unit, start=DAY,
                         end=date(2026, 12, 10), now=LATER)  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        (date(2026, 12, 10), date(2026, 12, 1), "不能早于"),
        (date(2026, 12, 1), date(2026, 12, 20), "已经结束"),
        (date(2025, 1, 1), date(2026, 12, 1), "最长一年"),
    ],
)
def test_a_period_not_ended_or_backwards_is_refused(world, mob, start, end, message):
    with pytest.raises(ValidationError, match=message):
        services.approve(
            actor=mob.unit_admin, organisation=mob.unit, start=start, end=end, now=LATER
        )
    assert Approval.objects.count() == 0


def test_only_the_units_keepers_approve(world, mob, actors):
    with pytest.raises(Http404):
        services.approve(actor=mob.other_admin, organisation=mob.unit, start=DAY,
                         end=date(2026, 12, 10), now=LATER)  # fmt: skip
    with pytest.raises(Http404):  # a community's secretary keeps no agency
        services.approve(actor=actors.manager, organisation=mob.unit, start=DAY,
                         end=date(2026, 12, 10), now=LATER)  # fmt: skip
    services.approve(actor=mob.chair, organisation=mob.unit, start=DAY, end=date(2026, 12, 10),
                     now=LATER)  # fmt: skip


def test_certificates_are_numbered_once_and_only_for_time_served(world, mob):
    people, _outsider, all_shifts, _household = world
    _participation(all_shifts[0], people[0], status="confirmed", checked_out=True, minutes=360)
    _participation(all_shifts[1], people[1], status="confirmed", checked_out=True, minutes=120)
    approval = services.do_approve(actor=SYSTEM, organisation=mob.unit, start=DAY,
                                   end=date(2026, 12, 10), now=LATER)  # fmt: skip
    first = approval.records.get(member=people[0])
    second = approval.records.get(member=people[1])
    a = services.certificate_issue(actor=mob.unit_admin, record=first, now=LATER)
    b = services.certificate_issue(actor=mob.unit_admin, record=second, now=LATER)
    again = services.certificate_issue(actor=mob.unit_admin, record=first, now=LATER)
    assert (a.number, b.number, again.number) == ("2026-000001", "2026-000002", "2026-000001")
    with pytest.raises(ValidationError, match="没有经核实的服务时长"):
        services.certificate_issue(
            actor=mob.unit_admin, record=approval.records.get(member=people[2])
        )
    assert Certificate.objects.count() == 2


def test_a_certificate_prints_with_its_number(world, mob):
    from jijie.recognition.documents import certificate_pdf

    people, _outsider, all_shifts, _household = world
    _participation(all_shifts[0], people[0], status="confirmed", checked_out=True, minutes=360)
    approval = services.do_approve(actor=SYSTEM, organisation=mob.unit, start=DAY,
                                   end=date(2026, 12, 10), now=LATER)  # fmt: skip
    certificate = services.do_certificate_issue(
        actor=SYSTEM, record=approval.records.get(member=people[0]), now=LATER
    )
    pdf = certificate_pdf(certificate)
    assert pdf.startswith(b"%PDF-")
    assert b"FontFile2" in pdf  # the Chinese font is embedded


def test_a_nomination_keeps_who_why_and_the_record(world, mob):
    people, _outsider, all_shifts, _household = world
    _participation(all_shifts[0], people[0], status="confirmed", checked_out=True, minutes=360)
    nomination = services.nominate(actor=mob.unit_admin, member=people[0],
                                   reason="卡口值守一个月,主动顶班", now=LATER)  # fmt: skip
    assert (nomination.proposed_by, nomination.minutes) == (mob.unit_admin, 360)
    party_member = member(20, organisation=mob.unit)  # the fixtures' default: a party member
    with pytest.raises(ValidationError, match="已经是党员"):
        services.nominate(actor=mob.unit_admin, member=party_member, reason="x", now=LATER)
    with pytest.raises(ValidationError):
        services.nominate(actor=mob.unit_admin, member=people[1], reason=" ", now=LATER)
