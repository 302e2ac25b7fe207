"""Every inspection page by three actors: nobody signed in (sent to sign in), someone
signed in with no role or out of the target's scope (403 or 404, nothing written,
nothing of the visit shown), and the one who may (done). The cases are keyed by the
app's own URL names: a page added without its case fails here."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from conftest import Actors, Tree, make_user
from jijie.accounts.models import User
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM
from jijie.core import uploads
from jijie.inspections import services, urls
from jijie.inspections.models import ChecklistItem, Order, OrderState, Photo, Plan, Team, Visit
from jijie.inspections.tests.fixtures import Inspections
from tests import actor_pages

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ON_THE_DAY = datetime(2026, 12, 5, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
# What the visit found, naming someone: never on an outsider's page.
FINDING = "东门值守人员张三脱岗,电话 13912345678"
TARGETS = ("新港路社区 东门", "新港路社区 西门")


@dataclass
class World:
    tree: Tree
    actors: Actors
    inspections: Inspections
    far_street: User  # the street office of the other street
    visit: Visit  # 新港路社区 西门: drawn, not yet visited
    order: Order  # of what was found at 新港路社区 东门, open
    photo: Photo  # of that finding

    def user(self, who: str) -> User:
        if who == "inspector":
            return self.inspections.inspector
        return self.far_street if who == "far_street" else getattr(self.actors, who)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(ON_THE_DAY, tick=False)


@pytest.fixture
def world(clock, tree, actors, inspections) -> World:
    plan = services.do_plan_create(
        actor=SYSTEM,
        team=inspections.team,
        data=services.PlanData(
            starts_on=date(2026, 12, 4), ends_on=date(2026, 12, 10), kinds=["gate"], size=3, seed=7
        ),
        now=AT,
    )
    east = plan.visits.get(label="新港路社区 东门")
    lines = inspections.gate_lines
    services.visit_record(
        actor=inspections.inspector,
        visit=east,
        answers={str(line.pk): "fail" if line == lines[0] else "pass" for line in lines},
        note="",
        findings=[
            services.FindingData(
                kind="problem",
                severity="major",
                text=FINDING,
                photos=[uploads.Upload("a.jpg", JPEG)],
            )
        ],
    )
    far_street = make_user("farstreet", Role.STREET_OFFICE, tree.other_street)
    return World(
        tree,
        actors,
        inspections,
        far_street,
        visit=plan.visits.get(label="新港路社区 西门"),
        order=Order.objects.get(),
        photo=Photo.objects.get(),
    )


def _shows_nothing_of_the_visits(body: bytes) -> bool:
    said = (FINDING, "13912345678", *TARGETS)
    return JPEG not in body and not any(s.encode() in body for s in said)


def _order_state(state: str) -> Callable[[World], bool]:
    def check(w: World) -> bool:
        w.order.refresh_from_db()
        return w.order.state == state

    return check


def _fixed(w: World) -> None:
    services.order_fix(actor=w.actors.manager, order=w.order, fix="已安排两人轮值", photos=[])


def _gate_lines() -> list[str]:
    active = ChecklistItem.objects.filter(kind="gate", is_active=True).order_by("position")
    return list(active.values_list("text", flat=True))


OUTSIDERS = {"outsider": 404, "far_street": 404, "nobody": 404}


def page(**parts: Any) -> actor_pages.Page[World]:
    """A page of the app (`actor_pages.Page`), showing FINDING by default."""
    return actor_pages.Page(**{"shows": FINDING, **parts})


PAGES: dict[str, actor_pages.Page[World]] = {
    "index": page(
        url=lambda w: reverse("inspections:index"),
        # a secretary elsewhere sees their own visits and orders, none of these
        denied={"outsider": 200, "far_street": 200, "nobody": 403},
        may="manager",
    ),
    "team_new": page(
        url=lambda w: reverse("inspections:team_new"),
        # a street office sets up its own teams: told on the form it cannot cover 新港路
        denied={"outsider": 403, "far_street": 200, "nobody": 403, "manager": 403},
        may="command",
        post=302,
        data=lambda w: {
            "name": "第二督查组",
            "members": [w.inspections.inspector.pk],
            "covers": w.tree.community.code,
        },
        shows="设立督查组",
        done=lambda w: Team.objects.filter(name="第二督查组").exists(),
    ),
    "plan_new": page(
        url=lambda w: reverse("inspections:plan_new", args=[w.inspections.team.pk]),
        denied=OUTSIDERS | {"street": 404, "manager": 404},
        may="command",
        post=302,
        data=lambda w: {
            "starts_on": "2026-12-06",
            "ends_on": "2026-12-12",
            "kinds": ["gate"],
            "size": "2",
        },
        shows="第一督查组",
        done=lambda w: Plan.objects.count() == 2,
    ),
    "checklist": page(
        url=lambda w: reverse("inspections:checklist", args=["gate"]),
        denied={"outsider": 403, "nobody": 403, "manager": 403},
        may="command",
        post=302,
        data=lambda w: {"lines": "值守人员在岗\n测温登记规范"},
        shows="测温登记规范",
        done=lambda w: _gate_lines() == ["值守人员在岗", "测温登记规范"],
    ),
    "plan": page(
        url=lambda w: reverse("inspections:plan", args=[w.visit.plan_id]),
        # before the visits, nobody at a target learns of them
        denied=OUTSIDERS | {"manager": 404, "street": 404},
        may="inspector",
        shows=TARGETS[1],
    ),
    "visit": page(
        url=lambda w: reverse("inspections:visit", args=[w.visit.pk]),
        denied=OUTSIDERS | {"manager": 404, "command": 403},  # not the command's team
        may="inspector",
        post=302,
        data=lambda w: {f"item-{line.pk}": "pass" for line in w.inspections.gate_lines},
        shows=TARGETS[1],
        done=lambda w: Visit.objects.get(pk=w.visit.pk).recorded_at == ON_THE_DAY,
    ),
    "orders": page(
        url=lambda w: reverse("inspections:orders"),
        denied={"outsider": 200, "far_street": 200, "nobody": 403},  # their own, not these
        may="manager",
    ),
    "order": page(
        url=lambda w: reverse("inspections:order", args=[w.order.pk]),
        denied=OUTSIDERS | {"grid_worker": 404},
        may="manager",
    ),
    "order_fix": page(
        url=lambda w: reverse("inspections:order_fix", args=[w.order.pk]),
        denied=OUTSIDERS | {"inspector": 403},  # sees it, is not the one to fix it
        may="manager",
        get=None,
        post=302,
        data=lambda w: {"fix": "已安排两人轮值"},
        done=_order_state(OrderState.REPORTED),
    ),
    "order_recheck": page(
        url=lambda w: reverse("inspections:order_recheck", args=[w.order.pk]),
        denied=OUTSIDERS | {"manager": 403},  # who fixed it does not pass it
        may="inspector",
        get=None,
        post=302,
        data=lambda w: {"is_fixed": "yes"},
        given=_fixed,
        done=_order_state(OrderState.CLOSED),
    ),
    "photo": page(
        url=lambda w: reverse("inspections:photo", args=[w.photo.pk]),
        denied=OUTSIDERS | {"grid_worker": 404},
        may="manager",
        shows=JPEG,
    ),
    "scores": page(
        url=lambda w: reverse("inspections:scores") + f"?area={w.tree.street.code}",
        denied={"outsider": 404, "far_street": 404, "nobody": 403},
        may="street",
        shows="新港路社区",
    ),
}
NAMES = actor_pages.url_names(urls.urlpatterns)


def test_every_page_of_the_app_has_its_case():
    actor_pages.every_url_has_its_case(PAGES, urls.urlpatterns)


@pytest.mark.parametrize("name", NAMES)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, name):
    actor_pages.nobody_is_sent_to_sign_in(client, PAGES[name], world, "inspections")


@pytest.mark.parametrize("name", NAMES)
def test_out_of_scope_or_without_a_role_is_refused_and_shown_nothing(client, world, name):
    actor_pages.outsiders_are_refused(
        client,
        PAGES[name],
        world,
        "inspections",
        lambda response: _shows_nothing_of_the_visits(response.content),
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_one_who_may_is_answered(client, world, name):
    actor_pages.the_one_who_may_is_answered(client, PAGES[name], world)


def test_a_fix_photo_is_the_orders_readers_only(client, world):
    # given the community's fix reported with a photo
    services.order_fix(
        actor=world.actors.manager,
        order=world.order,
        fix="已安排两人轮值",
        photos=[uploads.Upload("b.jpg", JPEG)],
    )
    url = reverse("inspections:photo", args=[Photo.objects.get(order=world.order).pk])
    # then the order's readers see it, and nobody else
    for who in ("manager", "inspector", "street"):
        client.force_login(world.user(who))
        assert client.get(url).content == JPEG, who
    for who in OUTSIDERS:
        client.force_login(world.user(who))
        assert client.get(url).status_code == 404, who
