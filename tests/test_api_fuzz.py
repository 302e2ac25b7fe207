"""Fuzzing the whole API from its own OpenAPI schema, as six roles.

For every operation in /api/openapi.json, schemathesis generates requests that fit the
schema (some aimed at records that exist, so the handlers' own checks run, not only
the 404 of a random id) and requests that do not; each goes through Django's test
client with each role's bearer token in turn (community secretary, street office, grid
worker, gate guard, member, working committee), inside the test's transaction. The answer must be:
no server error, a status the schema lists for the operation with a body that fits it,
and for a request that violates the schema a refusal (4xx).

Examples per operation and kind: API_FUZZ_EXAMPLES (default 8: the test takes about
40 seconds on one core; raise it locally, e.g. API_FUZZ_EXAMPLES=100, to look for
trouble). Hypothesis is derandomized, so a CI run is the same run every time;
API_FUZZ_SEED=<n> runs other cases."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest
import schemathesis
from django.utils import timezone
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from conftest import make_user
from jijie.accounts.services import token_create
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.core.testing_api import send, validate
from jijie.mobilization import services as mobilization
from jijie.mobilization.tests.fixtures import sign_up
from jijie.problems.tests.fixtures import raise_problem
from jijie.residents.services import PersonData, do_person_add
from jijie.screening.services import do_campaign_create

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "8"))
# Another seed explores other cases (locally); without one, every run is CI's run.
SEED = os.environ.get("API_FUZZ_SEED", "")

ROLES = ["manager", "street", "grid_worker", "guard", "member", "chair"]

POSITIVE = [not_a_server_error, status_code_conformance, response_schema_conformance]
NEGATIVE = [*POSITIVE, negative_data_rejection]


@pytest.fixture
def world(tree, actors, setup):
    """Something behind every path: a gate with a pass (the gates' fixture), a person,
    a call-up with sign-ups (one deployed), a screening campaign; and a chair of the
    district's working committee beside the shared actors."""
    person = do_person_add(
        actor=SYSTEM, household=setup.household, data=PersonData(name="赵建国", relation="head")
    ).person
    committee = mobilization.do_organisation_create(
        actor=SYSTEM, name="区直机关工委", kind="working_committee", area=tree.district
    )
    unit = mobilization.do_organisation_create(
        actor=SYSTEM, name="区财政局", kind="agency", area=tree.district, parent=committee
    )
    call_up = mobilization.do_call_up_issue(
        actor=SYSTEM,
        response=setup.response,
        organisation=committee,
        title="疫情防控集结号",
        quota=3,
        deadline=timezone.now() + timedelta(days=3),
        targets=[mobilization.Target(tree.community, 2)],
        conditions="18 至 60 岁",
    )
    mobilization.do_sign_up_approve(actor=SYSTEM, sign_up=sign_up(call_up, 1, organisation=unit))
    waiting = sign_up(call_up, 2, organisation=unit)
    today = timezone.localdate()
    campaign = do_campaign_create(
        actor=SYSTEM,
        response=setup.response,
        name="第一轮扫楼",
        areas=[tree.community],
        starts_on=today,
        ends_on=today + timedelta(days=6),
    )
    chair = make_user("chair", Role.WORKING_COMMITTEE, tree.district)
    problem = raise_problem(tree.grid)
    known = {
        "/api/problems/problems/{pk}": {"pk": problem.pk},
        "/api/areas/{code}": {"code": tree.community.code},
        "/api/residents/households/{pk}": {"pk": setup.household.pk},
        "/api/residents/people/{pk}": {"pk": person.pk},
        "/api/mobilization/call-ups/{pk}": {"pk": call_up.pk},
        "/api/mobilization/join/{token}": {"token": call_up.token},
        "/api/mobilization/sign-ups/{pk}": {"pk": waiting.pk},
        "/api/mobilization/communities/{code}": {"code": tree.community.code},
        "/api/gates/gates/{gate_id}": {"gate_id": setup.gate.pk},
        "/api/screening/campaigns/{pk}": {
            "pk": campaign.pk,
            "code": tree.building.code,
            "household": setup.household.pk,
        },
    }
    users = {name: getattr(actors, name, None) for name in ROLES}
    users["chair"] = chair
    return known, users


def _known(known: dict[str, dict[str, Any]], path: str, names: set[str]) -> dict[str, Any]:
    for prefix, values in known.items():
        if path.startswith(prefix):
            return {k: v for k, v in values.items() if k in names}
    return {}


def test_every_operation_answers_as_its_schema_says(client, world):
    known, users = world
    tokens = {
        role: {"Authorization": f"Bearer {token_create(user=user, name='fuzz')}"}
        for role, user in users.items()
    }
    schema = schemathesis.openapi.from_dict(client.get("/api/openapi.json").json())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 30
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        fixed = _known(known, operation.path, names)
        strategies = [
            operation.as_strategy(GenerationMode.POSITIVE),
            operation.as_strategy(GenerationMode.NEGATIVE),
        ]
        if fixed and len(fixed) == len(names):
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))

        @settings(
            max_examples=EXAMPLES * len(strategies),
            deadline=None,
            database=None,
            derandomize=not SEED,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=st.one_of(strategies))
        def run(case: schemathesis.Case) -> None:
            # Generating is the costly half: each case is sent as every role.
            is_negative = case.meta is not None and case.meta.generation.mode.is_negative
            for role, headers in tokens.items():
                response = send(client, case, headers)
                try:
                    validate(case, response, NEGATIVE if is_negative else POSITIVE, headers)
                except Exception as failure:
                    failure.add_note(f"as {role} ({users[role].username})")
                    raise

        (seed(int(SEED))(run) if SEED else run)()


def test_the_schema_lists_the_refusals(client, db):
    paths = client.get("/api/openapi.json").json()["paths"]
    answers = {
        (method.upper(), path): set(operation["responses"])
        for path, methods in paths.items()
        for method, operation in methods.items()
    }
    assert answers[("GET", "/api/gates/gates")] == {"200", "401", "403"}
    assert answers[("POST", "/api/gates/scans")] == {
        *("200", "201", "409"),
        *("400", "401", "403", "404", "422"),
    }
    assert answers[("POST", "/api/mobilization/join/{token}")] == {
        *("202", "429"),
        *("400", "404", "422"),
    }
    assert answers[("GET", "/api/mobilization/me")] == {"200", "401", "403", "404"}
    scan = paths["/api/gates/scans"]["post"]["responses"]
    assert scan["422"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Invalid"
    }
