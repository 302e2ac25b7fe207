"""The demo's twelve inspection teams each have the coming week's plan, drawn from the
communities it covers (issue 23: "12 inspection teams over the district with a week's
plan"): a team left without one would be skipped by the demo without a word."""

from datetime import timedelta

import pytest
import time_machine

from jijie.inspections.models import Team
from jijie.inspections.tests.test_demo import NOW, _load

pytestmark = pytest.mark.django_db


def test_each_of_the_twelve_teams_has_the_weeks_plan():
    with time_machine.travel(NOW, tick=False):
        _load()
    tomorrow = NOW.date() + timedelta(days=1)
    teams = Team.objects.prefetch_related("covers", "plans__visits").order_by("pk")
    assert teams.count() == 12
    for team in teams:
        week = [p for p in team.plans.all() if p.starts_on == tomorrow]
        assert len(week) == 1, team.name
        plan = week[0]
        assert plan.ends_on == tomorrow + timedelta(days=6), team.name
        visits = list(plan.visits.all())
        assert visits, team.name
        covered = [area.path for area in team.covers.all()]
        assert all(v.area_path.startswith(tuple(covered)) for v in visits), team.name
