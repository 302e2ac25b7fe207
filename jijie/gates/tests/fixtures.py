"""Fixtures of gates: a gate of 新港路社区 with a rule for the 2020 response, a household
with a pass; and scans of it, as recorded and as a guard's phone posts them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from jijie.audit.actors import SYSTEM
from jijie.gates import services
from jijie.gates.models import Gate, GateRule, Pass
from jijie.residents.models import Household
from jijie.residents.services import do_household_register
from jijie.responses.models import Response
from jijie.responses.services import do_response_activate

NOON = timezone.make_aware(datetime(2026, 11, 24, 12, 0))


@dataclass
class Setup:
    response: Response
    gate: Gate
    rule: GateRule
    household: Household
    pass_: Pass
    token: str


@pytest.fixture
def setup(tree, time_machine) -> Setup:
    time_machine.move_to(NOON, tick=False)
    response = do_response_activate(
        actor=SYSTEM, area=tree.district, name="2020年新冠肺炎疫情防控", level="1"
    )
    gate = services.do_gate_create(
        actor=SYSTEM, area=tree.community, name="东门", opens_at=time(6), closes_at=time(22)
    )
    rule = services.do_gate_rule_set(
        actor=SYSTEM,
        gate=gate,
        response=response,
        data=services.RuleData(
            temperature_limit=Decimal("37.3"),
            certificate_hours=48,
            vehicles_allowed=True,
            visitors_allowed=True,
            outings_limit=1,
            outings_period_days=2,
            curfew_at=time(20),
        ),
    )
    household = do_household_register(actor=SYSTEM, building=tree.building, door_number="301")
    pass_ = services.do_pass_issue(
        actor=SYSTEM,
        household=household,
        response=response,
        valid_from=NOON - timedelta(days=1),
        valid_until=NOON + timedelta(days=13),
    )
    return Setup(response, gate, rule, household, pass_, services.pass_token(pass_))


def scan_data(**kw) -> services.ScanData:
    values: dict[str, Any] = {
        "client_id": uuid.uuid4(),
        "device_at": NOON,
        "direction": "in",
        "temperature": Decimal("36.5"),
        "certificate_checked": True,
    }
    values.update(kw)
    return services.ScanData(**values)


def record(setup: Setup, **kw) -> services.ScanResult:
    if "token" not in kw and "household_id" not in kw and "visitor_name" not in kw:
        kw["token"] = setup.token
    return services.do_scan_record(
        actor=SYSTEM,
        gate=setup.gate,
        response=setup.response,
        rule=setup.rule,
        data=scan_data(**kw),
    )


def scan_body(setup: Setup, **kw: object) -> dict[str, object]:
    """A scan as a guard's phone posts it to the API: allowed at the setup's gate at
    noon, fields in `kw` changed."""
    body: dict[str, object] = {
        "client_id": str(uuid.uuid4()),
        "gate_id": setup.gate.pk,
        "device_at": NOON.isoformat(),
        "direction": "in",
        "token": setup.token,
        "temperature": "36.5",
        "certificate_checked": True,
    }
    body.update(kw)
    return body
