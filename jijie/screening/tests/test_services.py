"""Campaigns and visits: revisits for every failed outcome, closed by a later done visit;
the household counted once; visits outside the worker's grid or the campaign refused."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.residents import keygroups
from jijie.residents.imports.commit import import_ledger
from jijie.residents.models import Household, KeyGroupMember, Person
from jijie.residents.services import PersonData, do_household_register, household_register
from jijie.screening import counters, selectors
from jijie.screening.models import (
    REVISIT_AFTER,
    BuildingCoverage,
    DailyCoverage,
    HouseholdState,
    Outcome,
    Revisit,
    Visit,
)
from jijie.screening.services import (
    VisitData,
    campaign_create,
    campaign_update,
    do_campaign_create,
    do_visit_record,
    visit_record,
)

FAILED = [o for o in Outcome.values if o != Outcome.DONE]


def _coverage(campaign, building):
    return BuildingCoverage.objects.get(campaign=campaign, building=building)


def test_campaign_counts_the_households_in_scope(campaign, tree):
    rows = {
        c.building.code: c.households for c in BuildingCoverage.objects.select_related("building")
    }
    # three doors in 1栋, one in 3栋; the sibling community's door is not in scope
    assert rows == {tree.building.code: 3, "441602004001-02-003": 1}
    assert AuditEvent.objects.filter(action="screening.campaign.create").count() == 1


def test_households_registered_after_the_start_are_in_the_totals_at_once(campaign, tree, actors):
    # given 2栋, which had no household when the campaign began, and 1栋 with three
    second = Area.objects.get(code="441602004001-01-002")
    assert not BuildingCoverage.objects.filter(campaign=campaign, building=second).exists()
    # when a door is registered on its page, and a ledger adds one to each building
    household_register(actor=actors.manager, building=second, door_number="201")
    ledger = "姓名,楼栋代码,门牌号\n张三,441602004001-01-002,202\n李四,441602004001-01-001,104\n"
    import_ledger(actor=actors.manager, area=tree.community, data=ledger.encode(), commit=True)
    # then the totals count them, as the list of doors not reached does, unvisited
    assert _coverage(campaign, second).households == 2
    assert _coverage(campaign, tree.building).households == 4
    total = selectors.coverage(campaign=campaign, area=tree.community).total
    assert total.households == 3 + 1 + 2 + 1  # 1栋, 3栋, and the three new doors
    not_reached = selectors.households_not_reached(campaign=campaign, area=tree.community)
    assert total.not_reached == not_reached.count()
    # and a door outside the campaign's areas counts in none of its buildings
    sibling = Area.objects.get(code="441602004002-01-001")
    do_household_register(actor=SYSTEM, building=sibling, door_number="902")
    assert not BuildingCoverage.objects.filter(campaign=campaign, building=sibling).exists()


def test_campaign_refuses_areas_out_of_scope_or_nested(tree, response, actors, households):
    today = timezone.localdate()
    kwargs = {"response": response, "starts_on": today, "ends_on": today}
    with pytest.raises(Http404):
        campaign_create(actor=actors.manager, name="a", areas=[tree.sibling], **kwargs)
    with pytest.raises(PermissionDenied):
        campaign_create(actor=actors.grid_worker, name="b", areas=[tree.grid], **kwargs)
    with pytest.raises(ValidationError):
        do_campaign_create(actor=SYSTEM, name="c", areas=[tree.community, tree.grid], **kwargs)
    with pytest.raises(ValidationError):
        do_campaign_create(actor=SYSTEM, name="d", areas=[tree.district], **kwargs)
    with pytest.raises(ValidationError):
        do_campaign_create(
            actor=SYSTEM, name="e", areas=[tree.grid], response=response, starts_on=today,
            ends_on=today - timedelta(days=1),
        )  # fmt: skip


@pytest.mark.parametrize("outcome", FAILED)
def test_every_failed_outcome_opens_a_revisit_that_a_done_visit_closes(
    campaign, households, actors, outcome
):
    # given a door that did not give an answer
    first = visit_record(
        actor=actors.grid_worker,
        campaign=campaign,
        household=households[1],
        data=VisitData(mode="door", outcome=outcome),
    )
    revisit = Revisit.objects.get(household=households[1])
    assert revisit.closed_at is None
    assert revisit.due_at == first.visited_at + REVISIT_AFTER[outcome]
    coverage = _coverage(campaign, households[1].building)
    assert (coverage.visited, coverage.completed) == (1, 0)

    # when a second try fails too, the same revisit moves on
    visit_record(
        actor=actors.grid_worker,
        campaign=campaign,
        household=households[1],
        data=VisitData(mode="phone", outcome=Outcome.NO_ANSWER),
    )
    revisit.refresh_from_db()
    assert revisit.attempts == 2
    assert Revisit.objects.filter(household=households[1]).count() == 1

    # then a done visit closes it
    done = visit_record(
        actor=actors.grid_worker,
        campaign=campaign,
        household=households[1],
        data=VisitData(mode="door", outcome=Outcome.DONE, answers={"people_home": "3"}),
    )
    revisit.refresh_from_db()
    assert revisit.closed_at == done.visited_at
    assert revisit.closed_by == done
    coverage = _coverage(campaign, households[1].building)
    assert (coverage.visited, coverage.completed, coverage.people_screened) == (1, 1, 3)
    day = DailyCoverage.objects.get(campaign=campaign, building=households[1].building)
    assert (day.visits, day.failed, day.revisits_opened, day.revisits_closed) == (3, 2, 1, 1)


def test_done_household_counted_once_and_no_revisit_after(campaign, households, actors):
    for outcome in (Outcome.DONE, Outcome.DONE, Outcome.NO_ANSWER):
        visit_record(
            actor=actors.manager,
            campaign=campaign,
            household=households[0],
            data=VisitData(
                mode="door",
                outcome=outcome,
                answers={"people_home": 2} if outcome == "done" else {},
            ),
        )
    coverage = _coverage(campaign, households[0].building)
    assert (coverage.visited, coverage.completed, coverage.people_screened) == (1, 1, 2)
    assert not Revisit.objects.exists()
    assert HouseholdState.objects.get(household=households[0]).visits == 3


def test_visit_outside_the_workers_grid_is_refused(campaign, households, actors):
    # 3栋 is in grid 02 of the same community: seen by the grid worker? no: out of scope
    with pytest.raises(Http404):
        visit_record(
            actor=actors.grid_worker,
            campaign=campaign,
            household=households[3],
            data=VisitData(mode="door", outcome=Outcome.DONE),
        )
    # the gate guard sees the community but may not screen
    with pytest.raises(PermissionDenied):
        visit_record(
            actor=actors.guard,
            campaign=campaign,
            household=households[0],
            data=VisitData(mode="door", outcome=Outcome.DONE),
        )
    # the sibling community's door is not in the campaign
    with pytest.raises(ValidationError):
        do_visit_record(
            actor=SYSTEM,
            campaign=campaign,
            household=households[4],
            data=VisitData(mode="door", outcome=Outcome.DONE),
        )
    assert not Visit.objects.exists()
    assert not HouseholdState.objects.exists()


def test_bad_answers_store_nothing(campaign, households, actors):
    with pytest.raises(ValidationError) as error:
        visit_record(
            actor=actors.grid_worker,
            campaign=campaign,
            household=households[0],
            data=VisitData(
                mode="door",
                outcome="done",
                answers={"people_home": "many", "fever_cough": "maybe", "nope": 1},
            ),
        )
    assert set(error.value.error_dict) == {"people_home", "fever_cough", "nope"}
    with pytest.raises(ValidationError):
        visit_record(
            actor=actors.grid_worker,
            campaign=campaign,
            household=households[0],
            data=VisitData(
                mode="door", outcome="done", temperatures=[(None, "41.9"), (None, "48")]
            ),
        )
    assert not Visit.objects.exists()
    assert not BuildingCoverage.objects.filter(visited__gt=0).exists()


def test_done_visit_adds_people_temperatures_and_flags(campaign, households, actors, response):
    group = keygroups.do_key_group_create(actor=SYSTEM, response=response, name="发热人员")
    head = Person.objects.get(household=households[0])
    visit = visit_record(
        actor=actors.grid_worker,
        campaign=campaign,
        household=households[0],
        data=VisitData(
            mode="door",
            outcome="done",
            answers={"people_home": "2", "fever_cough": "yes"},
            temperatures=[(head.pk, "37.8")],
            new_people=[PersonData(name="王新来", relation="tenant")],
            flags=[(head.pk, group.pk)],
        ),
    )
    assert Person.objects.filter(household=households[0], name="王新来").exists()
    assert KeyGroupMember.objects.filter(person=head, key_group=group).exists()
    assert [str(t.celsius) for t in visit.temperatures.all()] == ["37.8"]
    coverage = _coverage(campaign, households[0].building)
    assert (coverage.flags, coverage.fevers) == (1, 1)
    assert {"person.add", "key_group.add"} <= set(
        AuditEvent.objects.values_list("action", flat=True)
    )


def test_failed_visit_takes_no_findings(campaign, households, actors):
    with pytest.raises(ValidationError):
        visit_record(
            actor=actors.grid_worker,
            campaign=campaign,
            household=households[0],
            data=VisitData(mode="door", outcome="no_answer", new_people=[PersonData(name="某")]),
        )


def test_campaign_mode_and_questions(campaign, households, actors):
    campaign_update(
        actor=actors.manager,
        campaign=campaign,
        ends_on=campaign.ends_on,
        mode="door",
        questions=campaign.questions,
    )
    campaign.refresh_from_db()
    with pytest.raises(ValidationError):
        do_visit_record(
            actor=SYSTEM,
            campaign=campaign,
            household=households[0],
            data=VisitData(mode="phone", outcome="done"),
        )
    with pytest.raises(ValidationError):
        campaign_update(
            actor=actors.manager,
            campaign=campaign,
            ends_on=campaign.ends_on,
            mode="door",
            questions=[{"key": "Bad Key", "label": "x"}],
        )
    # a community worker sees the community but does not run campaigns; a grid worker
    # does not even see it
    for who, error in [(actors.lower, PermissionDenied), (actors.grid_worker, Http404)]:
        with pytest.raises(error):
            campaign_update(
                actor=who,
                campaign=campaign,
                ends_on=campaign.ends_on,
                mode="both",
                questions=campaign.questions,
            )


def test_visits_outside_the_period_are_refused(campaign, households, time_machine):
    time_machine.move_to(timezone.now() + timedelta(days=30))
    with pytest.raises(ValidationError):
        do_visit_record(
            actor=SYSTEM,
            campaign=campaign,
            household=households[0],
            data=VisitData(mode="door", outcome="done"),
        )


def test_rebuild_gives_the_same_counters(campaign, households, actors):
    plan = [(0, "no_answer"), (0, "done"), (1, "refused"), (2, "done"), (1, "vacant"), (3, "done")]
    for index, outcome in plan:
        do_visit_record(
            actor=SYSTEM,
            campaign=campaign,
            household=households[index],
            data=VisitData(
                mode="door",
                outcome=outcome,
                answers={"people_home": 1} if outcome == "done" else {},
            ),
        )

    def snapshot():
        return (
            sorted(BuildingCoverage.objects.filter(campaign=campaign).values_list(
                "building_id", "households", "visited", "completed", "people_screened", "flags", "fevers")),
            sorted(DailyCoverage.objects.filter(campaign=campaign).values_list(
                "building_id", "day", "visits", "reached", "completed", "failed", "revisits_opened", "revisits_closed")),
            sorted(Revisit.objects.filter(campaign=campaign).values_list(
                "household_id", "outcome", "attempts", "due_at", "closed_at")),
            sorted(HouseholdState.objects.filter(campaign=campaign).values_list(
                "household_id", "visits", "first_visited_at", "completed_at")),
        )  # fmt: skip

    before = snapshot()
    assert counters.rebuild(campaign) == len(plan)
    assert snapshot() == before


def test_rebuild_command_recounts_new_households(campaign, households, tree):
    from django.core.management import call_command

    do_household_register(actor=SYSTEM, building=tree.building, door_number="104")
    call_command("screening_rebuild", "--campaign", str(campaign.pk), stdout=None)
    assert _coverage(campaign, tree.building).households == 4


def test_health_data_purged_after_the_response_closes(
    campaign, households, response, actors, time_machine
):
    from jijie.responses.services import response_close
    from jijie.screening.models import Temperature
    from jijie.screening.services import health_data_purge

    head = Person.objects.get(household=households[0])
    visit = do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(
            mode="door",
            outcome="done",
            answers={"people_home": 2, "fever_cough": True, "needs_help": True},
            temperatures=[(head.pk, "38.0")],
        ),
    )
    response_close(actor=actors.command, response=response)
    assert health_data_purge() == 0  # within the retention
    time_machine.move_to(timezone.now() + timedelta(days=31))
    assert health_data_purge() == 1
    visit.refresh_from_db()
    assert visit.answers == {"people_home": 2, "needs_help": True}
    assert not Temperature.objects.exists()
    coverage = _coverage(campaign, households[0].building)
    assert (coverage.completed, coverage.fevers, coverage.people_screened) == (1, 1, 2)
    assert health_data_purge() == 0
    assert AuditEvent.objects.filter(action="screening.health_purge").count() == 1


# Health questions stay health questions ------------------------------------------------


def _unticked(questions, drop=()):
    """The list as someone who unticks 健康 everywhere (and drops `drop`) sends it."""
    return [{**q, "health": False} for q in questions if q["key"] not in drop]


def test_a_street_office_cannot_untick_a_health_question(campaign, households, actors):
    # given the street office (no HEALTH_VIEW) edits the questions, unticking 健康
    campaign_update(
        actor=actors.street,
        campaign=campaign,
        ends_on=campaign.ends_on,
        mode=campaign.mode,
        questions=_unticked(campaign.questions),
    )
    campaign.refresh_from_db()
    # then the travel and fever questions are still health questions
    health = {q["key"] for q in campaign.questions if q["health"]}
    assert health == {"risk_area_14d", "fever_cough"}
    # and the audit row says what changed (nothing did)
    event = AuditEvent.objects.filter(action="screening.campaign.update").get()
    assert event.data["questions"] == {"added": [], "removed": [], "changed": [], "health": []}


def test_a_health_question_dropped_and_added_back_is_still_one(campaign, households, actors):
    def edit(questions):
        campaign.refresh_from_db()
        campaign_update(
            actor=actors.street,
            campaign=campaign,
            ends_on=campaign.ends_on,
            mode=campaign.mode,
            questions=questions,
        )

    # given the street office drops the travel question, then adds it back unticked
    edit(_unticked(campaign.questions, drop=["risk_area_14d"]))
    back = {"key": "risk_area_14d", "label": "去过哪里", "kind": "text", "health": False}
    campaign.refresh_from_db()
    edit([*campaign.questions, back])
    # then it is a health question again, and the log says what happened
    campaign.refresh_from_db()
    [question] = [q for q in campaign.questions if q["key"] == "risk_area_14d"]
    assert question["health"]
    changes = [
        e.data["questions"]
        for e in AuditEvent.objects.filter(action="screening.campaign.update").order_by("seq")
    ]
    assert changes[0]["removed"] == ["risk_area_14d"]
    assert (changes[1]["added"], changes[1]["health"]) == (["risk_area_14d"], ["risk_area_14d"])


def test_the_purge_erases_answers_of_a_health_question_since_dropped(
    campaign, households, response, actors, time_machine
):
    from jijie.responses.services import response_close
    from jijie.screening.services import health_data_purge

    visit = do_visit_record(
        actor=SYSTEM,
        campaign=campaign,
        household=households[0],
        data=VisitData(mode="door", outcome="done", answers={"risk_area_14d": True}),
    )
    campaign_update(
        actor=actors.manager,
        campaign=campaign,
        ends_on=campaign.ends_on,
        mode=campaign.mode,
        questions=_unticked(campaign.questions, drop=["risk_area_14d"]),
    )
    response_close(actor=actors.command, response=response)
    time_machine.move_to(timezone.now() + timedelta(days=31))
    assert health_data_purge() == 1
    visit.refresh_from_db()
    assert "risk_area_14d" not in visit.answers


def test_the_migration_recounts_what_was_registered_before_the_counters_followed(campaign):
    # given a door written straight into the table, as nothing follows (older releases
    # did not follow the registry between visits)
    from importlib import import_module

    from django.apps import apps

    second = Area.objects.get(code="441602004001-01-002")
    Household.objects.create(building=second, area_path=second.path, door_number="201")
    assert not BuildingCoverage.objects.filter(campaign=campaign, building=second).exists()
    # when the migration runs
    migration = import_module("jijie.screening.migrations.0005_households_follow_the_registry")
    migration.recount(apps, None)
    # then the building is counted, and the others keep their counts
    assert _coverage(campaign, second).households == 1
    assert _coverage(campaign, Area.objects.get(code="441602004001-01-001")).households == 3
