"""The roll-up's arithmetic against a brute-force count over the raw rows, at every
level, for random activity around a day's window: before the cut-off, after it with
late entries (the reported figures stay, the live ones move), and after a correction
(the reported figures equal the rows again, and every change left a revision)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.problems import services as problems
from jijie.problems.models import Problem
from jijie.problems.tests.fixtures import raise_problem
from jijie.reports import indicators, services
from jijie.reports.models import Figures, Report, Revision
from jijie.residents.services import do_household_register
from jijie.responses.services import do_response_activate
from jijie.screening.models import Mode, Outcome, Visit
from jijie.screening.services import VisitData, do_campaign_create, do_visit_record

pytestmark = pytest.mark.django_db

TZ = ZoneInfo("Asia/Shanghai")
DAY = datetime(2026, 3, 10, tzinfo=TZ).date()
UNTIL = datetime(2026, 3, 10, 18, 0, tzinfo=TZ)
SINCE = UNTIL - timedelta(days=1)
FEVER = Decimal("37.3")

SCREENING = (
    "households_screened",
    "households_screened_today",
    "people_screened_today",
    "door_visits_today",
    "phone_visits_today",
    "revisits_pending",
    "temperatures_today",
    "fevers_today",
)
PROBLEMS = (
    "problems_open",
    "problems_overdue",
    "problems_resolved_today",
    "problems_raised",
    "problems_responded",
    "problems_resolved",
    "problems_rated",
    "problems_satisfied",
)


def brute(visits: list[Visit], probs: list[Problem], prefix: str) -> dict[str, Decimal]:
    """Every checked indicator under `prefix`, counted row by row in Python."""
    out: Counter[str] = Counter()
    mine = sorted(
        (v for v in visits if v.area_path.startswith(prefix)), key=lambda v: (v.visited_at, v.pk)
    )
    first: dict[int, datetime] = {}
    seen_before: set[int] = set()
    done_before: set[int] = set()
    for v in mine:
        first.setdefault(v.household_id, v.visited_at)
        if v.visited_at < UNTIL:
            seen_before.add(v.household_id)
            if v.outcome == Outcome.DONE:
                done_before.add(v.household_id)
        if SINCE <= v.visited_at < UNTIL:
            out["door_visits_today" if v.mode == Mode.DOOR else "phone_visits_today"] += 1
            if v.outcome == Outcome.DONE:
                out["people_screened_today"] += v.people_present
            for t in v.temperatures.all():
                out["temperatures_today"] += 1
                out["fevers_today"] += t.celsius >= FEVER
    out["households_screened"] = sum(1 for at in first.values() if at < UNTIL)
    out["households_screened_today"] = sum(1 for at in first.values() if SINCE <= at < UNTIL)
    # A household stays to revisit from its first failed visit until a done one: one
    # done visit completes it for the campaign.
    out["revisits_pending"] = len(seen_before - done_before)
    for p in probs:
        if not p.area_path.startswith(prefix) or p.raised_at >= UNTIL:
            continue
        out["problems_raised"] += 1
        answered = p.answered_at is not None and p.answered_at < UNTIL
        out["problems_open"] += not answered
        out["problems_overdue"] += not answered and p.deadline_at < UNTIL
        out["problems_responded"] += bool(
            p.is_responded_in_time and p.responded_at and p.responded_at < UNTIL
        )
        resolved = p.resolved_at is not None and p.resolved_at < UNTIL
        out["problems_resolved"] += resolved
        out["problems_resolved_today"] += (
            resolved and p.resolved_at is not None and p.resolved_at >= SINCE
        )
        out["problems_rated"] += resolved and p.rating is not None
        out["problems_satisfied"] += resolved and (p.rating or 0) >= 4
    return {k: Decimal(v) for k, v in out.items() if v}


def checked(values: dict[str, str]) -> dict[str, Decimal]:
    return {k: Decimal(v) for k, v in values.items() if k in SCREENING + PROBLEMS}


class World:
    def __init__(self, tree, seed: int) -> None:
        self.rng = random.Random(seed)
        self.tree = tree
        self.start = time_machine.travel(SINCE - timedelta(days=5), tick=False)
        self.start.start()
        self.response = do_response_activate(
            actor=SYSTEM, area=tree.district, name="疫情防控", level="2"
        )
        buildings = list(Area.objects.filter(kind="building", path__startswith=tree.street.path))
        self.households = [
            do_household_register(actor=SYSTEM, building=b, door_number=f"{n}01")
            for b in buildings
            for n in range(1, 4)
        ]
        self.campaign = do_campaign_create(
            actor=SYSTEM,
            response=self.response,
            name="第一轮扫楼",
            areas=[tree.street],
            starts_on=DAY - timedelta(days=3),
            ends_on=DAY + timedelta(days=3),
        )
        self.places = [tree.street, tree.community, tree.sibling, tree.grid, tree.building]
        self.start.stop()

    def moment(self, late: bool = False) -> datetime:
        """A time in the 2½ days around the window (or, late, one before the cut-off)."""
        if late:
            return UNTIL - timedelta(minutes=self.rng.randint(1, 600))
        return SINCE - timedelta(hours=12) + timedelta(minutes=self.rng.randint(0, 60 * 54))

    def visits(self, n: int, *, late: bool = False) -> None:
        # Recorded in the order they were made, as a phone with signal sends them; late
        # ones arrive after the cut-off with their own earlier times.
        for at in sorted(self.moment(late) for _ in range(n)):
            outcome = self.rng.choice(list(Outcome.values))
            temperatures: list[tuple[int | None, Decimal | str]] = [
                (None, self.rng.choice(["36.5", "37.3", "38.1", "36.9"]))
                for _ in range(self.rng.randint(0, 2) if outcome == Outcome.DONE else 0)
            ]
            with time_machine.travel(at + timedelta(minutes=1), tick=False):
                do_visit_record(
                    actor=SYSTEM,
                    campaign=self.campaign,
                    household=self.rng.choice(self.households),
                    data=VisitData(
                        mode=self.rng.choice([Mode.DOOR, Mode.PHONE]),
                        outcome=outcome,
                        temperatures=temperatures,
                    ),
                    at=at,
                )

    def problems(self, n: int, *, late: bool = False) -> None:
        for _ in range(n):
            at = self.moment(late)
            problem = raise_problem(
                self.rng.choice(self.places),
                urgency=self.rng.choice(["urgent", "normal", "low"]),
                kind=self.rng.choice(["supplies", "residents", "other"]),
                now=at,
            )
            if self.rng.random() < 0.3:
                continue
            answered = at + timedelta(hours=self.rng.randint(1, 30))
            problem = problems.do_problem_answer(
                actor=SYSTEM, problem=problem, answer=problems.Answer("已协调"), now=answered
            )
            if self.rng.random() < 0.7:
                problems.do_problem_confirm(
                    actor=SYSTEM,
                    problem=problem,
                    rating=self.rng.randint(1, 5),
                    now=answered + timedelta(hours=self.rng.randint(0, 10)),
                )

    def refresh(self, now: datetime) -> Report:
        return services.report_refresh(response=self.response, day=DAY, now=now).report

    def expected(self, prefix: str) -> dict[str, Decimal]:
        visits = list(Visit.objects.filter(campaign=self.campaign).prefetch_related("temperatures"))
        return brute(visits, list(Problem.objects.filter(response=self.response)), prefix)


def figures(report: Report) -> dict[str, Figures]:
    return {f.area_path: f for f in Figures.objects.filter(report=report)}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_level_equals_the_rows_before_and_after_the_cut_off(tree, seed):
    world = World(tree, seed)
    world.visits(30)
    world.problems(12)
    units = [tree.district, tree.street, tree.other_street, tree.community, tree.sibling]

    report = world.refresh(UNTIL - timedelta(minutes=5))
    assert report.closed_at is None
    rows = figures(report)
    assert {a.path for a in units} <= set(rows)
    assert tree.grid.path not in rows  # units stop at the communities
    for area in units:
        expect = world.expected(area.path)
        assert checked(rows[area.path].total) == expect, area.name
        assert checked(rows[area.path].total_live) == expect, area.name
    at_close = {a.path: world.expected(a.path) for a in units}

    # The first run at the cut-off closes the day; what comes later is late.
    report = world.refresh(UNTIL + timedelta(minutes=1))
    assert report.closed_at == UNTIL + timedelta(minutes=1)
    world.visits(8, late=True)
    world.problems(4, late=True)
    report = world.refresh(UNTIL + timedelta(hours=2))
    assert report.closed_at == UNTIL + timedelta(minutes=1)
    rows = figures(report)
    for area in units:
        assert checked(rows[area.path].total) == at_close[area.path], area.name
        assert checked(rows[area.path].total_live) == world.expected(area.path), area.name

    # A correction at one community takes in its late entries, and only its.
    services.do_report_correct(
        actor=SYSTEM,
        report=report,
        area=tree.community,
        reason="补录晚间入户记录",
        now=UNTIL + timedelta(hours=3),
    )
    rows = figures(report)
    community, sibling = tree.community.path, tree.sibling.path
    assert checked(rows[community].total) == world.expected(community)
    assert checked(rows[sibling].total) == at_close[sibling]
    street_late = {
        k: at_close[tree.street.path].get(k, 0)
        + world.expected(community).get(k, 0)
        - at_close[community].get(k, 0)
        for k in set(at_close[tree.street.path]) | set(world.expected(community))
    }
    assert checked(rows[tree.street.path].total) == {k: v for k, v in street_late.items() if v}
    for revision in Revision.objects.filter(correction__report=report):
        before = at_close[Area.objects.get(pk=revision.area_id).path].get(revision.indicator, 0)
        assert revision.before == before
        assert revision.before != revision.after

    # Taking in the rest from the district leaves every level equal to the rows.
    if any(checked(rows[a.path].total) != world.expected(a.path) for a in units):
        services.do_report_correct(
            actor=SYSTEM,
            report=report,
            area=tree.district,
            reason="补录",
            now=UNTIL + timedelta(hours=4),
        )
    rows = figures(report)
    for area in units:
        assert checked(rows[area.path].total) == world.expected(area.path), area.name


def test_a_refresh_before_the_cut_off_replaces_and_counts_every_indicator(tree):
    world = World(tree, 7)
    world.visits(5)
    report = world.refresh(UNTIL - timedelta(hours=1))
    first = figures(report)[tree.district.path].total
    world.visits(5)
    again = figures(world.refresh(UNTIL - timedelta(minutes=1)))[tree.district.path].total
    assert again != first
    assert checked(again) == world.expected(tree.district.path)
    counted = indicators.collect(world.response, DAY)
    assert set(counted) == {i.key for i in indicators.INDICATORS}


def test_a_correction_needs_a_reason_a_closed_day_and_a_difference(tree):
    world = World(tree, 9)
    world.visits(6)
    report = world.refresh(UNTIL - timedelta(hours=1))
    with pytest.raises(ValidationError, match="尚未截止"):
        services.do_report_correct(
            actor=SYSTEM, report=report, area=tree.district, reason="x", now=UNTIL
        )
    report = world.refresh(UNTIL)
    with pytest.raises(ValidationError):
        services.do_report_correct(
            actor=SYSTEM, report=report, area=tree.district, reason="  ", now=UNTIL
        )
    with pytest.raises(ValidationError, match="没有需要更正"):
        services.do_report_correct(
            actor=SYSTEM, report=report, area=tree.district, reason="核对", now=UNTIL
        )
    assert not Revision.objects.exists()


def test_the_report_day_turns_at_the_cut_off():
    assert indicators.report_day(UNTIL - timedelta(seconds=1)) == DAY
    assert indicators.report_day(UNTIL) == DAY + timedelta(days=1)
    w = indicators.window(DAY)
    assert (w.since, w.until) == (SINCE, UNTIL)
