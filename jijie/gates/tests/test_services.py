"""Gates, rules and passes: who may set them up, audited, one active pass a household."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.gates import services
from jijie.gates.models import Pass, PassStatus
from jijie.gates.tests.fixtures import NOON
from jijie.residents.services import do_household_register
from jijie.responses.services import do_response_activate


@pytest.mark.parametrize(
    ("who", "error"), [("manager", None), ("lower", PermissionDenied), ("outsider", Http404)]
)
def test_gate_create_three_actors(tree, actors, who, error):
    def create():
        return services.gate_create(actor=getattr(actors, who), area=tree.community, name="北门")

    if error is None:
        assert create().area_path == tree.community.path
        assert AuditEvent.objects.filter(action="gate.create").count() == 1
    else:
        with pytest.raises(error):
            create()


def test_gate_only_at_a_community_and_named_once(tree):
    with pytest.raises(ValidationError):
        services.do_gate_create(actor=SYSTEM, area=tree.grid, name="北门")
    services.do_gate_create(actor=SYSTEM, area=tree.community, name="北门")
    with pytest.raises(ValidationError) as error:
        services.do_gate_create(actor=SYSTEM, area=tree.community, name=" 北门 ")
    assert "name" in error.value.message_dict


@pytest.mark.parametrize(
    ("who", "error"), [("manager", None), ("guard", PermissionDenied), ("outsider", Http404)]
)
def test_pass_issue_three_actors(setup, actors, who, error):
    household = do_household_register(
        actor=SYSTEM, building=setup.household.building, door_number="302"
    )

    def issue():
        return services.pass_issue(
            actor=getattr(actors, who),
            household=household,
            response=setup.response,
            valid_from=NOON,
            valid_until=NOON + timedelta(days=7),
        )

    if error is None:
        assert issue().status == PassStatus.ACTIVE
    else:
        with pytest.raises(error):
            issue()


def test_one_active_pass_per_household(setup):
    with pytest.raises(ValidationError):
        services.do_pass_issue(
            actor=SYSTEM,
            household=setup.household,
            response=setup.response,
            valid_from=NOON,
            valid_until=NOON + timedelta(days=1),
        )


def test_pass_period_must_be_positive(setup):
    household = do_household_register(
        actor=SYSTEM, building=setup.household.building, door_number="9"
    )
    with pytest.raises(ValidationError):
        services.do_pass_issue(
            actor=SYSTEM,
            household=household,
            response=setup.response,
            valid_from=NOON,
            valid_until=NOON,
        )


def test_building_issue_skips_households_with_a_pass(setup, actors):
    for door in ("302", "303"):
        do_household_register(actor=SYSTEM, building=setup.household.building, door_number=door)
    issued = services.passes_issue_building(
        actor=actors.manager,
        building=setup.household.building,
        response=setup.response,
        valid_from=NOON,
        valid_until=NOON + timedelta(days=7),
    )
    assert [p.household.door_number for p in issued] == ["302", "303"]
    assert AuditEvent.objects.filter(action="pass.issue").count() == 3


def _issue_building(setup, actors, doors):
    for door in doors:
        do_household_register(actor=SYSTEM, building=setup.household.building, door_number=door)
    with CaptureQueriesContext(connection) as queries:
        issued = services.passes_issue_building(
            actor=actors.manager,
            building=setup.household.building,
            response=setup.response,
            valid_from=NOON,
            valid_until=NOON + timedelta(days=7),
        )
    assert len(issued) == len(doors)
    # the manager's roles are read on the first call only, and savepoints are the test's
    return [
        q["sql"]
        for q in queries.captured_queries
        if "SAVEPOINT" not in q["sql"] and "accounts_roleassignment" not in q["sql"]
    ]


def test_building_issue_checks_once_and_writes_each_pass_and_its_audit_row(setup, actors):
    two = _issue_building(setup, actors, ["302", "303"])
    five = _issue_building(setup, actors, ["401", "402", "403", "404", "405"])
    # a pass and its audit row (the chain's head read and moved on) a household; no
    # EXISTS per household: the building's holders are left out in the households' query
    assert len(five) - len(two) == 3 * 4
    assert len(two) == 1 + 2 * 4
    assert not [sql for sql in five if "EXISTS" in sql or "LIMIT 1" in sql], five


def test_building_issue_names_who_issued_each_pass(setup, actors):
    do_household_register(actor=SYSTEM, building=setup.household.building, door_number="302")
    (issued,) = services.passes_issue_building(
        actor=actors.manager,
        building=setup.household.building,
        response=setup.response,
        valid_from=NOON,
        valid_until=NOON + timedelta(days=7),
    )
    assert issued.issued_by == actors.manager
    event = AuditEvent.objects.get(action="pass.issue", target_id=str(issued.pk))
    assert event.actor == actors.manager


def test_building_issue_needs_an_active_response_over_it(setup, actors, tree):

    do_household_register(actor=SYSTEM, building=setup.household.building, door_number="302")
    sibling = do_response_activate(actor=SYSTEM, area=tree.sibling, name="隔壁社区", level="1")
    with pytest.raises(ValidationError):
        services.passes_issue_building(
            actor=actors.manager,
            building=setup.household.building,
            response=sibling,
            valid_from=NOON,
            valid_until=NOON + timedelta(days=7),
        )
    assert not Pass.objects.filter(response=sibling).exists()


def test_revoke_and_reissue_are_audited(setup, actors):
    services.pass_revoke(actor=actors.manager, pass_=setup.pass_, reason="迁出")
    with pytest.raises(ValidationError):
        services.pass_revoke(actor=actors.manager, pass_=setup.pass_, reason="again")
    with pytest.raises(ValidationError):
        services.pass_reissue(actor=actors.manager, pass_=setup.pass_, reason="x")
    assert AuditEvent.objects.get(action="pass.revoke").reason == "迁出"


def test_revoke_reads_the_household_and_building_with_the_pass(setup, actors):
    pass_ = Pass.objects.get(pk=setup.pass_.pk)  # as a page finds it, nothing joined
    with CaptureQueriesContext(connection) as queries:
        services.pass_revoke(actor=actors.manager, pass_=pass_, reason="迁出")
    selects = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT")]
    assert not [sql for sql in selects if 'FROM "residents_household"' in sql], selects
    assert not [sql for sql in selects if 'FROM "areas_area"' in sql], selects
    event = AuditEvent.objects.get(action="pass.revoke")
    assert event.area_path == setup.household.building.path


def test_reissue_voids_the_old_pass(setup, actors):
    new = services.pass_reissue(actor=actors.manager, pass_=setup.pass_, reason="卡片遗失")
    old = Pass.objects.get(pk=setup.pass_.pk)
    assert old.status == PassStatus.REPLACED
    assert new.replaces_id == old.pk
    assert services.pass_token(new) != setup.token
    assert AuditEvent.objects.filter(action="pass.reissue").count() == 1


def test_revoke_needs_a_reason_and_the_role(setup, actors):
    with pytest.raises(ValidationError):
        services.pass_revoke(actor=actors.manager, pass_=setup.pass_, reason=" ")
    with pytest.raises(PermissionDenied):
        services.pass_revoke(actor=actors.guard, pass_=setup.pass_, reason="x")
