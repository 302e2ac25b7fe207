"""The whole demo city, every app's step together: loads twice, deterministic, each
account sees its own subtree, the registry is filled, and its dates agree with each
other and with the day it is loaded, whatever that day."""

import re
from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.db import transaction
from django.db.models import QuerySet

from jijie.accounts.models import User
from jijie.areas.demo import GRID_MAX, GRID_MIN
from jijie.areas.models import Area, AreaKind, Compound
from jijie.core.demo import DemoContext, demo_steps


@pytest.mark.django_db
def test_demo_city_loads_twice_and_is_deterministic():
    out = StringIO()
    call_command("demo_city", stdout=out)
    first = list(Area.objects.order_by("path").values_list("code", "path", "dwelling_count"))
    assert Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).count() == 36
    assert Area.objects.filter(kind__in=[AreaKind.STREET, AreaKind.TOWN]).count() == 6
    assert Compound.objects.exists()
    for grid in Area.objects.filter(kind=AreaKind.GRID):
        dwellings = sum(b.dwelling_count for b in Area.objects.get_children(grid))
        assert GRID_MIN <= dwellings <= GRID_MAX
    assert Area.objects.find_problems() == ([], [], [], [], [])  # treebeard integrity check
    call_command("demo_city", stdout=out)  # the second run changes nothing
    assert (
        list(Area.objects.order_by("path").values_list("code", "path", "dwelling_count")) == first
    )
    assert "secretary_xingang" in out.getvalue()
    assert "jijie-demo-2026" in out.getvalue()
    assert User.objects.get(username="secretary_xingang").check_password("jijie-demo-2026")
    _each_demo_account_sees_exactly_its_own_subtree()
    _the_registry_is_filled()
    _the_readme_role_table_is_true()


README = Path(__file__).resolve().parent.parent / "README.md"
# | `username` | 中文 role English | sees |
_ROW = re.compile(r"^\| `(?P<username>[a-z0-9_]+)` \| (?P<role>[^|]+) \| (?P<sees>[^|]+) \|$")


def _the_readme_role_table_is_true():
    """Each account the README lists exists with the role and the area it says, and the
    community worker may do what the table says and nothing it says they may not."""
    from jijie.areas import access
    from jijie.areas.access import Action
    from jijie.areas.roles import Role

    rows = [m.groupdict() for m in map(_ROW.match, README.read_text().splitlines()) if m]
    assert len(rows) >= 12
    for row in rows:
        user = User.objects.get(username=row["username"])
        if row["username"] == "admin":
            assert user.is_superuser
            assert access.assignments(user) == []
            continue
        held = access.assignments(user)
        if not held:  # a unit's administrator: no area role, their agency's members
            assert "单位" in row["role"], row
            continue
        (assignment,) = held
        assert row["role"].startswith(str(Role(assignment.role).label)), row
        if assignment.role != Role.MEMBER:
            assert row["sees"].startswith(assignment.area.name) or (
                assignment.area.name in row["sees"]
            ), row
    worker = User.objects.get(username="worker_xingang")
    community = Area.objects.get(code="441602004001")
    for action in (Action.RESIDENT_EDIT, Action.LEDGER_EXPORT):
        assert access.may(worker, action, community), action
    for action in (Action.ROLE_GRANT, Action.AREA_EDIT, Action.PII_EXPORT):
        assert not access.may(worker, action, community), action
    guard = User.objects.get(username="guard_xingang")
    assert access.may(guard, Action.GATE_SCAN, community)
    assert access.may(guard, Action.RESIDENT_VIEW, community)
    assert not access.may(guard, Action.LEDGER_EXPORT, community)


def _the_registry_is_filled():
    from jijie.residents.models import Household, Person

    buildings = Area.objects.filter(kind=AreaKind.BUILDING)
    assert Household.objects.count() == sum(b.dwelling_count for b in buildings)
    yuanxi = Area.objects.get(code="441602004000")
    assert Person.objects.filter(area_path__startswith=yuanxi.path).count() > 1000
    assert not Person.objects.exclude(area_path__startswith=yuanxi.path).exists()
    heads = Person.objects.filter(relation="head").count()
    assert heads == Household.objects.filter(area_path__startswith=yuanxi.path).count()


def _each_demo_account_sees_exactly_its_own_subtree():

    from jijie.accounts.demo import ACCOUNTS
    from jijie.areas import access
    from jijie.areas.roles import Role

    for username, _name, role, code in ACCOUNTS:
        user = User.objects.get(username=username)
        roots = [a.code for a in access.scope_roots(user)]
        if role == Role.MEMBER:
            assert roots == [], username
        else:
            assert roots == [code], username
            area = Area.objects.get(code=code)
            visible = access.visible_areas(user)
            assert visible.count() == Area.objects.filter(path__startswith=area.path).count()
    assert access.scope_roots(User.objects.get(username="admin")) == []


# The demo is loaded the way a user loads it (every step, `now` passed explicitly) at
# instants where a day, a month or a year turns, and its dates must tell one story.
SHANGHAI = ZoneInfo("Asia/Shanghai")
INSTANTS = [
    datetime(2026, 5, 12, 0, 5, tzinfo=SHANGHAI),  # just after midnight
    datetime(2026, 5, 12, 23, 59, tzinfo=SHANGHAI),  # just before midnight
    datetime(2026, 6, 30, 14, 0, tzinfo=SHANGHAI),  # the last day of a month
    datetime(2026, 12, 31, 10, 30, tzinfo=SHANGHAI),  # the last day of the year
    datetime(2027, 1, 1, 0, 5, tzinfo=SHANGHAI),  # the response began last year
    datetime(2028, 2, 29, 7, 15, tzinfo=SHANGHAI),  # a leap day, early morning
]
BASE_STEPS = {"areas", "accounts", "residents"}  # loaded once, at the first instant


@pytest.mark.django_db
def test_demo_dates_agree_with_each_other_and_with_the_day_it_is_loaded(subtests):
    # given the city, its accounts and its registry, loaded once (the slow part, and
    # the registry's dates are only birth dates, checked at that first instant)
    steps = demo_steps()
    with time_machine.travel(INSTANTS[0], tick=False):
        ctx = _context(INSTANTS[0])
        for _order, label, populate in steps:
            if label in BASE_STEPS:
                populate(ctx)
    _people_are_born_before(INSTANTS[0].date())
    for now in INSTANTS:
        with (
            subtests.test(now=now.isoformat()),
            time_machine.travel(now, tick=False),
            transaction.atomic(),
        ):
            # when every other step loads at `now`
            later = _context(now, shared=ctx.shared)
            for _order, label, populate in steps:
                if label not in BASE_STEPS:
                    populate(later)
            # then
            _dates_agree(now)
            transaction.set_rollback(True)  # the next instant starts from the base


def _context(now: datetime, shared: dict | None = None) -> DemoContext:
    ctx = DemoContext(scale="small", seed=2020, out=lambda _line: None, now=now)
    ctx.shared.update(shared or {})
    return ctx


def _born_before(people: QuerySet[Any], today: date) -> bool:
    """Whether everyone was born before `today` (the dates of this year decrypted)."""
    from jijie.core.models import birth_date_of

    this_year = people.filter(birth_year__gte=today.year)
    ciphers = this_year.values_list("birth_date_cipher", flat=True)
    return all((born := birth_date_of(cipher)) is not None and born < today for cipher in ciphers)


def _people_are_born_before(today: date) -> None:
    from jijie.residents.models import Person

    assert _born_before(Person.objects.all(), today)


def _local(at: datetime) -> datetime:
    return at.astimezone(SHANGHAI)


def _dates_agree(now: datetime) -> None:
    from jijie.care.models import CarePlan, CaseStatus, FollowUp, IsolationCase
    from jijie.care.rules import Period
    from jijie.care.selectors import next_visit
    from jijie.duty.models import Demand, Shift
    from jijie.duty.selectors import refusal_for
    from jijie.gates.models import Pass, Scan
    from jijie.mobilization.models import (
        CallUp,
        CallUpStatus,
        Deployment,
        DeploymentStatus,
        Member,
        Pairing,
    )
    from jijie.responses.models import Response
    from jijie.screening.models import Campaign, Outcome, Visit
    from jijie.testing.models import Batch

    today = _local(now).date()
    tomorrow = today + timedelta(days=1)

    # the response began on or before today, and its name claims no other year
    response = Response.objects.get()
    assert response.is_active
    started = _local(response.started_at)
    assert response.started_at <= now
    assert started.date() <= today
    assert set(re.findall(r"(\d{4})\s*年", response.name)) <= {str(started.year)}, response.name
    started_on = started.date()

    # call-ups: issued during the response; closed ones are past their deadline, open
    # ones before it; their sign-ups came in between issue and deadline
    call_ups = list(CallUp.objects.all())
    assert len(call_ups) == 2
    for call_up in call_ups:
        assert response.started_at <= call_up.created_at <= now, call_up
        assert call_up.created_at < call_up.deadline, call_up
        if call_up.status == CallUpStatus.CLOSED:
            assert call_up.deadline <= now, call_up
        else:
            assert call_up.deadline > now, call_up
        for sign_up in call_up.sign_ups.all():
            assert call_up.created_at <= sign_up.created_at <= min(call_up.deadline, now)
            if sign_up.screened_at is not None:
                assert sign_up.created_at <= sign_up.screened_at <= now
    assert CallUp.objects.filter(status=CallUpStatus.OPEN).count() == 1

    # deployments: in the response's period; those 在岗 (active) cover today
    deployments = Deployment.objects.all()
    assert deployments.filter(status=DeploymentStatus.ACTIVE).count() == 48
    for deployment in deployments:
        assert started_on <= deployment.starts_on <= deployment.ends_on
        if deployment.status == DeploymentStatus.ACTIVE:
            assert deployment.starts_on <= today <= deployment.ends_on, deployment
    for pairing in Pairing.objects.all():
        assert started_on <= pairing.starts_on <= today
    assert _born_before(Member.objects.all(), today)

    # duty: two demands from tomorrow, whose shifts start tomorrow, and the demo member
    # may claim one of them; and last week's at 东门 (recognition's), ended yesterday,
    # inside the response, every shift of it served
    past = Demand.objects.get(place="东门卡口(上周)")
    assert started_on <= past.starts_on
    assert past.starts_on + timedelta(days=past.days - 1) == today - timedelta(days=1)
    assert all(
        p.checked_out_at is not None and p.checked_out_at <= now
        for s in past.shifts.all()
        for p in s.participations.all()
    )
    # testing's posts (its sites' staff, its carriers) cover the round's two days, each
    # shift given the people it needs; its batches went with a member then on shift
    testing_posts = Demand.objects.filter(post_type__code__in=("test_site", "transport"))
    assert testing_posts.count() == 3
    for demand in testing_posts:
        assert demand.starts_on == today - timedelta(days=1)
        for shift in demand.shifts.all():
            assert shift.participations.count() >= shift.min_people, shift
    for batch in Batch.objects.all():
        assert batch.carrier_member is not None, batch
        assert batch.carrier == batch.carrier_member.name
    demands = list(Demand.objects.exclude(pk=past.pk).exclude(pk__in=testing_posts))
    assert len(demands) == 2
    for demand in demands:
        assert demand.starts_on == tomorrow
        first = demand.shifts.order_by("starts_at").first()
        assert first is not None
        assert _local(first.starts_at).date() == tomorrow
        assert all(_local(s.starts_at).date() >= tomorrow for s in demand.shifts.all())
    member = Member.objects.get(user__username="member_demo")
    open_shifts = Shift.objects.order_by("starts_at")
    assert any(refusal_for(member, shift) is None for shift in open_shifts)

    # screening: the sweep runs today, began within the response, half done so far,
    # with doors that did not answer
    campaign = Campaign.objects.get()
    assert started_on <= campaign.starts_on <= today <= campaign.ends_on
    visits = Visit.objects.filter(campaign=campaign)
    assert visits.filter(outcome=Outcome.NO_ANSWER).exists()
    for visit in visits:
        assert _local(visit.visited_at).date() >= campaign.starts_on
        assert visit.visited_at <= now

    # care: open cases that started on or before today within the response, each on a
    # day of its period, followed up between its start and now
    cases = list(IsolationCase.objects.filter(status=CaseStatus.OPEN))
    assert len([c for c in cases if not c.reason.startswith("核酸混管阳性")]) == 3
    for case in cases:
        period = Period(case.starts_on, case.total_days, case.ended_on)
        assert started_on <= case.starts_on <= today
        assert 1 <= period.day_number(today) <= case.total_days, case
        assert case.created_at <= now
    for follow_up in FollowUp.objects.all():
        assert follow_up.case.starts_on <= _local(follow_up.recorded_at).date()
        assert follow_up.recorded_at <= now
        assert not follow_up.is_outside_period
    plans = list(CarePlan.objects.all())
    assert len(plans) == 2
    overdue = 0
    for plan in plans:
        assert plan.starts_on <= today
        last = max((v.visited_on for v in plan.visits.all()), default=None)
        assert last is None or plan.starts_on <= last <= today
        overdue += next_visit(plan, last) < today
    assert overdue == 1

    # gates: the passes are in force now, issued within the response; the passages
    # happened while they were, before now, while the gate was open
    passes = list(Pass.objects.all())
    assert passes
    for pass_ in passes:
        assert response.started_at <= pass_.valid_from <= now < pass_.valid_until
        assert pass_.issued_at <= now
    scans = list(Scan.objects.select_related("pass_ref"))
    assert scans
    for scan in scans:
        assert scan.device_at <= now
        assert scan.pass_ref is not None
        assert scan.pass_ref.valid_from <= scan.device_at < scan.pass_ref.valid_until
        assert scan.reason != "gate_closed", scan.device_at

    # testing: yesterday's samples taken before now within the sites' hours, no tube
    # over its size, one positive tube whose ten people are each in an open case
    from jijie.testing.models import Sample, Tube, TubeResult

    samples = list(Sample.objects.select_related("tube__site"))
    assert samples
    for sample in samples:
        assert sample.taken_at <= now
        assert _local(sample.taken_at).date() == today - timedelta(days=1)
        site = sample.tube.site
        assert site.opens_at <= _local(sample.taken_at).time() < site.closes_at
    assert not Tube.objects.filter(size__gt=10).exists()
    positive = Tube.objects.select_related("lab").get(lab__result=TubeResult.POSITIVE)
    assert positive.result_at is not None
    assert positive.result_at <= now
    assert positive.size == 10
    isolated = {c.person_id for c in cases if c.reason.startswith("核酸混管阳性")}
    assert isolated == {s.person_id for s in samples if s.tube_id == positive.pk}
    # today the buildings still to come are called to the sites, within their hours,
    # each building once
    from jijie.testing.models import Appointment

    windows = list(Appointment.objects.select_related("site"))
    assert windows
    assert len({w.building_id for w in windows}) == len(windows)
    for window in windows:
        assert window.day == today
        assert window.site.opens_at <= _local(window.starts_at).time()
        assert _local(window.ends_at).time() <= window.site.closes_at
        assert window.people > 0

    # reports: every day of the response counted, the days past their cut-off closed
    # and today's still counting; yesterday's sign-off made before now, after the day
    # closed, and one community of 源西街道 late
    from jijie.reports.indicators import report_day, window
    from jijie.reports.models import Report, Submission

    current = report_day(now)
    days = list(Report.objects.order_by("day"))
    assert days[0].day == _local(response.started_at).date()
    assert days[-1].day == current
    assert len(days) == (current - days[0].day).days + 1
    for report in days:
        assert (report.closed_at is not None) == (window(report.day).until <= now), report.day
    for submission in Submission.objects.select_related("report"):
        assert submission.report.day == current - timedelta(days=1)
        assert window(submission.report.day).until < submission.submitted_at <= now
    late = Submission.objects.filter(is_on_time=False)
    assert late.count() <= 1
