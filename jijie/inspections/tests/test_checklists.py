"""A checklist edited: a line taken out is retired, not deleted, and the visits that
answered it still show it; a new visit's form no longer asks it; put back, it is the
same line again."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from jijie.audit.actors import SYSTEM
from jijie.inspections import services
from jijie.inspections.models import ChecklistItem

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@time_machine.travel(ON_THE_DAY, tick=False)
def test_a_line_taken_out_is_retired_and_old_visits_still_show_it(client, inspections, actors):
    # given 新港路社区's 东门 visited against the three gate lines
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    east, west = plan.visits.get(label="新港路社区 东门"), plan.visits.get(label="新港路社区 西门")
    services.visit_record(
        actor=inspections.inspector,
        visit=east,
        answers={str(line.pk): "pass" for line in inspections.gate_lines},
        note="",
        findings=[],
    )
    taken_out = inspections.gate_lines[0]
    assert taken_out.text == "值守人员在岗"
    # when the command takes its first line out
    client.force_login(actors.command)
    response = client.post(
        reverse("inspections:checklist", args=["gate"]), {"lines": "测温登记规范\n防护用品齐全"}
    )
    assert response.status_code == 302
    # then the line is kept, retired
    taken_out.refresh_from_db()
    assert not taken_out.is_active
    assert ChecklistItem.objects.filter(kind="gate").count() == 3
    # the visit made with it still shows it, and a new visit's form does not ask it
    client.force_login(actors.manager)
    assert (
        "值守人员在岗" in client.get(reverse("inspections:visit", args=[east.pk])).content.decode()
    )
    client.force_login(inspections.inspector)
    form = client.get(reverse("inspections:visit", args=[west.pk])).content.decode()
    assert "测温登记规范" in form
    assert "值守人员在岗" not in form
    # put back, it is the same line, asked again
    services.checklist_set(
        actor=actors.command,
        response=inspections.team.response,
        kind="gate",
        lines=["值守人员在岗", "测温登记规范", "防护用品齐全"],
    )
    taken_out.refresh_from_db()
    assert taken_out.is_active
    assert ChecklistItem.objects.filter(kind="gate").count() == 3
