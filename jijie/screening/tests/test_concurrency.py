"""Two workers at the same door at the same moment, on PostgreSQL (the production
database): both visits are recorded, the household is counted once."""

from datetime import timedelta

import pytest
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.residents.services import do_household_register
from jijie.responses.services import do_response_activate
from jijie.screening.models import BuildingCoverage, DailyCoverage, HouseholdState, Revisit, Visit
from jijie.screening.services import VisitData, do_campaign_create, visit_record
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("outcomes", [("done", "done"), ("no_answer", "no_answer")])
@pytest.mark.postgres_only("row locks")
def test_two_workers_same_household_counted_once(tree, actors, outcomes):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    today = timezone.localdate()
    campaign = do_campaign_create(
        actor=SYSTEM,
        response=response,
        name="扫楼",
        areas=[tree.community],
        starts_on=today,
        ends_on=today + timedelta(days=1),
    )
    workers = [actors.grid_worker, actors.manager]

    def visit(worker, outcome):
        return lambda: visit_record(
            actor=worker,
            campaign=campaign,
            household=household,
            data=VisitData(
                mode="door",
                outcome=outcome,
                answers={"people_home": 2} if outcome == "done" else {},
            ),
        )

    _results, refusals = race(*(visit(w, o) for w, o in zip(workers, outcomes, strict=True)))

    assert refusals == []
    assert Visit.objects.filter(campaign=campaign).count() == 2
    assert HouseholdState.objects.get(campaign=campaign).visits == 2
    building = Area.objects.get(pk=tree.building.pk)
    coverage = BuildingCoverage.objects.get(campaign=campaign, building=building)
    done = outcomes[0] == "done"
    assert coverage.visited == 1
    assert coverage.completed == int(done)
    assert coverage.people_screened == (2 if done else 0)
    assert Revisit.objects.filter(campaign=campaign, closed_at=None).count() == int(not done)
    day = DailyCoverage.objects.get(campaign=campaign, building=building)
    assert (day.visits, day.reached, day.completed) == (2, 1, int(done))


@pytest.mark.postgres_only("row locks")
def test_the_same_visit_sent_twice_at_once_is_stored_once(tree, actors):
    response = do_response_activate(actor=SYSTEM, area=tree.district, name="疫情防控", level="2")
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    today = timezone.localdate()
    campaign = do_campaign_create(
        actor=SYSTEM,
        response=response,
        name="扫楼",
        areas=[tree.community],
        starts_on=today,
        ends_on=today,
    )

    def send():
        return visit_record(
            actor=actors.grid_worker,
            campaign=campaign,
            household=household,
            data=VisitData(mode="door", outcome="no_answer", client_ref="phone-1-0001"),
        ).pk

    stored, refusals = race(send, send)

    assert refusals == []
    assert len(set(stored)) == 1
    assert Visit.objects.filter(campaign=campaign).count() == 1
    assert HouseholdState.objects.get(campaign=campaign).visits == 1
