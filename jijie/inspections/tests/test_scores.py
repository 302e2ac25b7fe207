"""Scores per street: under the district, each street's row sums the visits to its
communities, as each community's row does under a street."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.gates.services import do_gate_create
from jijie.inspections import selectors, services

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _visits(team):
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    return {visit.label: visit for visit in plan.visits.all()}


def _record(inspections, visit, fails=0):
    lines = inspections.gate_lines
    services.visit_record(
        actor=inspections.inspector,
        visit=visit,
        answers={str(line.pk): "fail" if n < fails else "pass" for n, line in enumerate(lines)},
        note="",
        findings=[services.FindingData(kind="problem", severity="minor", text="登记不全")]
        if fails
        else [],
    )


@time_machine.travel(ON_THE_DAY, tick=False)
def test_scores_per_street_under_the_district(client, tree, inspections, actors):
    # given 源西街道's three gates visited (67, 100 and 33), and 上城街道's one (100)
    do_gate_create(actor=SYSTEM, area=tree.far_community, name="北门")
    other_team = services.do_team_create(
        actor=SYSTEM,
        response=inspections.team.response,
        area=tree.district,
        name="第二督查组",
        members=[inspections.inspector],
        covers=[tree.other_street],
    )
    here, there = _visits(inspections.team), _visits(other_team)
    _record(inspections, here["新港路社区 东门"], fails=1)
    _record(inspections, here["新港路社区 西门"])
    _record(inspections, here["新江三路社区 南门"], fails=2)
    _record(inspections, there["上角社区 北门"])
    # when the district's scores are read
    rows = selectors.scores(
        tree.district,
        start=ON_THE_DAY - timedelta(days=1),
        end=ON_THE_DAY + timedelta(days=1),
        now=ON_THE_DAY,
    )
    # then one row a street, each of its own visits
    figures = {
        row.area.name if row.area else "": (row.visits, round(row.average or 0, 1), row.problems)
        for row in rows
    }
    assert figures == {"源西街道": (3, 66.7, 2), "上城街道": (1, 100.0, 0)}
    # and the command's page shows both
    client.force_login(actors.command)
    page = client.get(
        reverse("inspections:scores")
        + f"?area={tree.district.code}&start=2026-12-05&end=2026-12-05"
    ).content.decode()
    assert "源西街道" in page
    assert "上城街道" in page
    assert "66.7" in page
