"""The inspection pages by three actors (the office that set up the team, a community
inspected, an outsider) and the inspector; a visit recorded on the form, its order
fixed and rechecked on the pages."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import make_user
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.inspections import services
from jijie.inspections.models import Order, OrderState, Plan, Team, Visit

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100


def _as(client, user):
    client.force_login(user)
    return client


def _plan(inspections):
    return services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )


@time_machine.travel(ON_THE_DAY, tick=False)
def test_three_actors_and_the_inspector_on_every_page(client, tree, inspections, actors):
    plan = _plan(inspections)
    visit = plan.visits.get(label="新港路社区 东门")
    plan_url = reverse("inspections:plan", args=[plan.pk])
    visit_url = reverse("inspections:visit", args=[visit.pk])
    # before the visit: the team and the command see the plan; nobody at the target does
    assert _as(client, inspections.inspector).get(plan_url).status_code == 200
    assert _as(client, actors.command).get(plan_url).status_code == 200
    for who in ("manager", "lower", "street", "outsider"):
        assert _as(client, getattr(actors, who)).get(plan_url).status_code == 404, who
        assert _as(client, getattr(actors, who)).get(visit_url).status_code == 404, who
    assert _as(client, actors.command).get(visit_url).status_code == 403  # not its team's
    page = _as(client, inspections.inspector).get(reverse("inspections:index")).content.decode()
    assert f"visit-{visit.pk}" in page
    # the inspector records it on the phone form, with a photo
    lines = inspections.gate_lines
    data = {f"item-{line.pk}": "pass" for line in lines} | {
        f"item-{lines[0].pk}": "fail",
        "finding-1-kind": "problem",
        "finding-1-severity": "major",
        "finding-1-text": "值守人员脱岗",
        "finding-1-photo": SimpleUploadedFile("a.jpg", JPEG, content_type="image/jpeg"),
    }
    response = _as(client, inspections.inspector).post(visit_url, data)
    assert response.status_code == 302
    # now the community sees it and its order; the outsider does not
    for who in ("manager", "lower", "street", "command"):
        assert _as(client, getattr(actors, who)).get(visit_url).status_code == 200, who
    assert _as(client, actors.outsider).get(visit_url).status_code == 404
    order = Order.objects.get()
    order_url = reverse("inspections:order", args=[order.pk])
    assert _as(client, actors.outsider).get(order_url).status_code == 404
    assert _as(client, actors.manager).get(reverse("inspections:orders")).status_code == 200
    for url in (reverse("inspections:scores"), reverse("inspections:index")):
        assert _as(client, actors.street).get(url).status_code == 200
        assert _as(client, actors.nobody).get(url).status_code == 403
    # the community reports its fix; the outsider cannot; the inspector rechecks
    fix = reverse("inspections:order_fix", args=[order.pk])
    assert _as(client, actors.grid_worker).post(fix, {"fix": "x"}).status_code == 404
    assert _as(client, actors.manager).post(fix, {"fix": "已安排两人轮值"}).status_code == 302
    recheck = reverse("inspections:order_recheck", args=[order.pk])
    assert _as(client, actors.manager).post(recheck, {"is_fixed": "yes"}).status_code == 403
    assert _as(client, inspections.inspector).post(recheck, {"is_fixed": "yes"}).status_code == 302
    assert Order.objects.get().state == OrderState.CLOSED


@time_machine.travel(AT, tick=False)
def test_an_office_sets_up_a_team_a_checklist_and_a_plan(client, tree, inspections, actors):
    command = _as(client, actors.command)
    response = command.post(
        reverse("inspections:team_new"),
        {
            "name": "第二督查组",
            "members": [inspections.inspector.pk],
            "covers": tree.other_street.code,
        },
    )
    assert response.status_code == 302
    team = Team.objects.get(name="第二督查组")
    response = command.post(
        reverse("inspections:checklist", args=["store"]),
        {"lines": "台账与实物相符\n过期物资已清理"},
    )
    assert response.status_code == 302
    response = command.post(
        reverse("inspections:plan_new", args=[inspections.team.pk]),
        {
            "starts_on": "2026-12-04",
            "ends_on": "2026-12-10",
            "kinds": ["gate", "store"],
            "size": "4",
        },
    )
    assert response.status_code == 302
    plan = Plan.objects.get()
    assert plan.size == 4
    page = command.get(reverse("inspections:plan", args=[plan.pk])).content.decode()
    assert 'data-testid="reproduced"' in page
    # the street manages its own, not the district's team; a community manages none
    street = _as(client, actors.street)
    assert street.get(reverse("inspections:plan_new", args=[team.pk])).status_code == 404
    assert _as(client, actors.manager).get(reverse("inspections:team_new")).status_code == 403
    assert Visit.objects.count() == 4


def test_bad_filters_are_told(client, tree, inspections, actors):
    street = _as(client, actors.street)
    assert street.get(reverse("inspections:orders") + "?state=nope").status_code == 400
    assert street.get(reverse("inspections:scores") + "?start=2026-02-30").status_code == 400
    assert street.get(reverse("inspections:checklist", args=["weather"])).status_code == 404


def test_the_index_reads_the_teams_members_with_the_teams(client, tree, inspections, actors):
    # The office's teams are listed with their members: a team more, no query more.
    page = _as(client, actors.command)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert page.get(reverse("inspections:index")).status_code == 200
        return len(captured)

    page.get(reverse("inspections:index"))
    before = queries()
    for n in range(3):
        services.do_team_create(
            actor=SYSTEM,
            response=inspections.team.response,
            area=tree.district,
            name=f"第{n + 2}督查组",
            members=[make_user(f"inspector{n}", Role.INSPECTOR, tree.district)],
            covers=[tree.street],
        )
    assert queries() == before
