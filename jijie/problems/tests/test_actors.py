"""Every problem page and read endpoint by three actors: nobody signed in (sent to sign
in, or 401), someone signed in with no role or out of the problem's scope (403 or 404,
nothing written, nothing of the problem shown), and the one who may (done). The cases
are keyed by the app's own URL names and API paths: one added without its case fails
here."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client
from django.urls import reverse

from conftest import Actors, Tree, make_user
from jijie.accounts.models import User
from jijie.accounts.services import token_create
from jijie.areas.roles import Role
from jijie.core import uploads
from jijie.problems import services, urls
from jijie.problems.api import router
from jijie.problems.models import Problem, ProblemState
from jijie.problems.tests.fixtures import raise_problem
from tests import actor_pages

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JPEG = b"\xff\xd8\xff\xe0" + b"0" * 100
# What the problem says about the people it concerns: never on an outsider's page.
TITLE = "3栋王阿姨家缺耳温枪"
NEED = "耳温枪 2 个,联系 13912345678"


@dataclass
class World:
    tree: Tree
    actors: Actors
    far_street: User  # the street office of the other street
    problem: Problem  # raised by the grid worker, the street's to answer, with a photo

    def user(self, who: str) -> User:
        return self.far_street if who == "far_street" else getattr(self.actors, who)


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(AT, tick=False)


@pytest.fixture
def world(clock, tree, supplies, actors) -> World:
    problem = raise_problem(
        tree.grid,
        actor=actors.grid_worker,
        title=TITLE,
        need=NEED,
        photo=uploads.Upload("a.jpg", JPEG),
    )
    far_street = make_user("farstreet", Role.STREET_OFFICE, tree.other_street)
    return World(tree, actors, far_street, problem)


def _body(response):
    """What a response says, JSON as its text (not escaped to ASCII)."""
    if response["Content-Type"].startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False).encode()
    return response.content


def _shows_nothing_of_the_problem(response) -> bool:
    body = _body(response)
    return JPEG not in body and not any(s.encode() in body for s in (TITLE, NEED, "13912345678"))


# The pages ------------------------------------------------------------------------------


def _of_problem(name: str) -> Callable[[World], str]:
    return lambda w: reverse(f"problems:{name}", args=[w.problem.pk])


def _is(state: str, handler: str | None) -> Callable[[World], bool]:
    """Whether the problem is now in `state`, held by `handler` (an actor's name)."""

    def check(w: World) -> bool:
        w.problem.refresh_from_db()
        held_by = w.user(handler).pk if handler else None
        return (w.problem.state, w.problem.claimed_by_id) == (state, held_by)

    return check


def _claimed(w: World) -> None:
    w.problem = services.problem_claim(actor=w.actors.street, problem=w.problem)


def _answered(w: World) -> None:
    w.problem = services.problem_answer(
        actor=w.actors.street, problem=w.problem, answer=services.Answer("已从街道物资库调拨")
    )


OUTSIDERS = {"outsider": 404, "far_street": 404, "nobody": 404}


def page(**parts: Any) -> actor_pages.Page[World]:
    """A page of the app (`actor_pages.Page`), showing TITLE by default."""
    return actor_pages.Page(**{"shows": TITLE, **parts})


PAGES: dict[str, actor_pages.Page[World]] = {
    "board": page(
        url=lambda w: reverse("problems:board") + f"?tab=all&area={w.tree.community.code}",
        denied={"outsider": 404, "far_street": 404, "nobody": 403},
        may="street",
    ),
    "rates": page(
        url=lambda w: reverse("problems:rates") + f"?area={w.tree.community.code}",
        denied={"outsider": 404, "far_street": 404, "nobody": 403},
        may="street",
        shows="第01网格",
    ),
    "new": page(
        url=lambda w: reverse("problems:new") + f"?area={w.tree.grid.code}",
        # a secretary elsewhere is told on the form that they cannot raise it here
        denied={"outsider": 200, "far_street": 200, "nobody": 403},
        may="grid_worker",
        post=302,
        data=lambda w: {
            "area_code": w.tree.grid.code,
            "kind": "staff",
            "urgency": "normal",
            "title": "人手不足",
        },
        shows="反映问题",
        done=lambda w: Problem.objects.filter(title="人手不足").exists(),
    ),
    "mine": page(
        url=lambda w: reverse("problems:mine"),
        denied={"outsider": 200, "far_street": 200, "nobody": 200},  # their own, empty
        may="grid_worker",
    ),
    "detail": page(url=_of_problem("detail"), denied=OUTSIDERS, may="street"),
    "photo": page(url=_of_problem("photo"), denied=OUTSIDERS, may="street", shows=JPEG),
    "claim": page(
        url=_of_problem("claim"),
        denied=OUTSIDERS | {"manager": 403},  # reads it, does not handle it
        may="street",
        get=None,
        post=302,
        done=_is(ProblemState.HANDLING, "street"),
    ),
    "release": page(
        url=_of_problem("release"),
        denied=OUTSIDERS | {"manager": 403},
        may="street",
        get=None,
        post=302,
        given=_claimed,
        done=_is(ProblemState.OPEN, None),
    ),
    "answer": page(
        url=_of_problem("answer"),
        denied=OUTSIDERS | {"manager": 403},
        may="street",
        get=None,
        post=302,
        data=lambda w: {"answer": "已从街道物资库调拨耳温枪 2 个"},
        done=_is(ProblemState.ANSWERED, "street"),
    ),
    "confirm": page(
        url=_of_problem("confirm"),
        denied=OUTSIDERS | {"street": 403},  # the one who answered does not confirm
        may="grid_worker",
        get=None,
        post=302,
        data=lambda w: {"rating": "5"},
        given=_answered,
        done=_is(ProblemState.RESOLVED, "street"),
    ),
    "reopen": page(
        url=_of_problem("reopen"),
        denied=OUTSIDERS | {"street": 403},
        may="grid_worker",
        get=None,
        post=302,
        data=lambda w: {"reason": "只送来一个"},
        given=_answered,
        done=_is(ProblemState.OPEN, None),
    ),
}
NAMES = actor_pages.url_names(urls.urlpatterns)


def test_every_page_of_the_app_has_its_case():
    actor_pages.every_url_has_its_case(PAGES, urls.urlpatterns)


@pytest.mark.parametrize("name", NAMES)
def test_nobody_signed_in_is_sent_to_sign_in(client, world, name):
    actor_pages.nobody_is_sent_to_sign_in(client, PAGES[name], world, "problems")


@pytest.mark.parametrize("name", NAMES)
def test_out_of_scope_or_without_a_role_is_refused_and_shown_nothing(client, world, name):
    actor_pages.outsiders_are_refused(
        client, PAGES[name], world, "problems", _shows_nothing_of_the_problem
    )


@pytest.mark.parametrize("name", NAMES)
def test_the_one_who_may_is_answered(client, world, name):
    actor_pages.the_one_who_may_is_answered(client, PAGES[name], world)


# The read API ---------------------------------------------------------------------------


def _headers(user: User) -> dict[str, str]:
    key = token_create(user=user, name="phone", scopes=("problems",))
    return {"Authorization": f"Bearer {key}"}


@dataclass(frozen=True)
class Endpoint:
    url: Callable[[World], str]
    denied: dict[str, int]


ENDPOINTS: dict[str, Endpoint] = {
    "/problems": Endpoint(
        url=lambda w: "/api/problems/problems?tab=all",
        denied={"outsider": 200, "far_street": 200, "nobody": 403},  # their own, without it
    ),
    "/problems/{pk}": Endpoint(
        url=lambda w: f"/api/problems/problems/{w.problem.pk}",
        denied={"outsider": 404, "far_street": 404, "nobody": 403},
    ),
    "/rates": Endpoint(
        url=lambda w: (
            f"/api/problems/rates?area={w.tree.community.code}&start=2026-12-01&end=2026-12-03"
        ),
        denied={"outsider": 404, "far_street": 404, "nobody": 403},
    ),
}


def test_every_endpoint_of_the_api_has_its_case():
    assert set(ENDPOINTS) == set(router.path_operations)


@pytest.mark.parametrize("path", list(router.path_operations))
def test_the_api_without_a_token_or_out_of_scope_tells_nothing(world, path):
    endpoint = ENDPOINTS[path]
    anonymous = Client().get(endpoint.url(world))
    assert anonymous.status_code == 401
    assert _shows_nothing_of_the_problem(anonymous)
    for who, status in endpoint.denied.items():
        response = Client().get(endpoint.url(world), headers=_headers(world.user(who)))
        assert response.status_code == status, who
        assert _shows_nothing_of_the_problem(response), who


@pytest.mark.parametrize("path", list(router.path_operations))
def test_the_api_answers_the_level_that_handles_it(world, path):
    response = Client().get(ENDPOINTS[path].url(world), headers=_headers(world.actors.street))
    assert response.status_code == 200
    shows = "第01网格" if path == "/rates" else TITLE
    assert shows.encode() in _body(response)
