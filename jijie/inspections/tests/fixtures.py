"""Inspections' test fixtures: the supplies' response and stores, three gates (two in
新港路社区, one in 新江三路社区), an inspector, a team of the district covering 源西街道,
and the checklists of gates and stores."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

import pytest

from conftest import make_user
from jijie.accounts.models import User
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.gates import services as gates
from jijie.gates.models import Gate
from jijie.inspections import services
from jijie.inspections.models import ChecklistItem, Team


@dataclass
class Inspections:
    inspector: User
    team: Team
    gates: list[Gate]
    gate_lines: list[ChecklistItem]


@pytest.fixture
def inspections(tree, supplies, actors) -> Inspections:
    inspector = make_user("inspector", Role.INSPECTOR, tree.district)
    made = [
        gates.do_gate_create(
            actor=SYSTEM, area=tree.community, name="东门", opens_at=time(6), closes_at=time(22)
        ),
        gates.do_gate_create(actor=SYSTEM, area=tree.community, name="西门"),
        gates.do_gate_create(actor=SYSTEM, area=tree.sibling, name="南门"),
    ]
    team = services.do_team_create(
        actor=SYSTEM,
        response=supplies.response,
        area=tree.district,
        name="第一督查组",
        members=[inspector],
        covers=[tree.street],
    )
    services.do_checklist_set(
        actor=SYSTEM,
        response=supplies.response,
        kind="gate",
        lines=["值守人员在岗", "测温登记规范", "防护用品齐全"],
    )
    services.do_checklist_set(
        actor=SYSTEM, response=supplies.response, kind="store", lines=["台账与实物相符"]
    )
    lines = list(ChecklistItem.objects.filter(kind="gate").order_by("position"))
    return Inspections(inspector=inspector, team=team, gates=made, gate_lines=lines)
