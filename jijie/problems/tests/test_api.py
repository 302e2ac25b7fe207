"""The problems' read API with three actors (the level answering, a lower role, an
outsider), scoped as the pages, and the rates as the page gives them."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from jijie.accounts.services import token_create
from jijie.problems import services
from jijie.problems.tests.fixtures import raise_problem

pytestmark = pytest.mark.django_db

AT = datetime(2026, 12, 3, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


def _headers(user, scopes=("problems",)):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone', scopes=scopes)}"}


@time_machine.travel(AT, tick=False)
def test_problems_read_by_three_actors(client, tree, supplies, actors):
    here = raise_problem(tree.grid, title="没有耳温枪", now=AT)
    there = raise_problem(tree.sibling_grid, title="人手不足", kind="staff", now=AT)
    street = client.get("/api/problems/problems", headers=_headers(actors.street)).json()
    assert {p["title"] for p in street["items"]} == {"没有耳温枪", "人手不足"}
    todo = client.get("/api/problems/problems?tab=todo", headers=_headers(actors.street)).json()
    assert todo["count"] == 2
    lower = client.get("/api/problems/problems", headers=_headers(actors.lower)).json()
    assert [p["id"] for p in lower["items"]] == [here.pk]
    assert lower["items"][0]["level"] == "源西街道"
    assert (
        client.get(f"/api/problems/problems/{there.pk}", headers=_headers(actors.lower)).status_code
        == 404
    )
    outsider = _headers(actors.outsider)
    assert client.get(f"/api/problems/problems/{here.pk}", headers=outsider).status_code == 404
    assert client.get(f"/api/problems/problems/{there.pk}", headers=outsider).status_code == 200
    # a guard raises on the pages and reads nothing here; a token without the part, neither
    assert client.get("/api/problems/problems", headers=_headers(actors.guard)).status_code == 403
    other_part = _headers(actors.street, scopes=("supplies",))
    assert client.get("/api/problems/problems", headers=other_part).status_code == 403
    assert (
        client.get("/api/problems/problems?tab=nope", headers=_headers(actors.street)).status_code
        == 400
    )


@time_machine.travel(AT, tick=False)
def test_the_rates_by_api(client, tree, supplies, actors):
    problem = raise_problem(tree.grid, actor=actors.grid_worker, now=AT)
    services.problem_answer(actor=actors.street, problem=problem, answer=services.Answer("已送"))
    services.problem_confirm(actor=actors.grid_worker, problem=problem, rating=5)
    url = f"/api/problems/rates?area={tree.street.code}&start=2026-12-01&end=2026-12-03"
    rows = client.get(url, headers=_headers(actors.command)).json()
    assert [(r["area"], r["raised"], r["response_rate"], r["satisfaction_rate"]) for r in rows] == [
        ("新港路社区", 1, 1.0, 1.0)
    ]
    assert client.get(url, headers=_headers(actors.outsider)).status_code == 404
    backwards = f"/api/problems/rates?area={tree.street.code}&start=2026-12-03&end=2026-12-01"
    assert client.get(backwards, headers=_headers(actors.command)).status_code == 400
