"""The daily report's read API with three actors and an outsider, the figures as the
page shows them, and a token without the reports' part refused."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from jijie.accounts.services import token_create
from jijie.reports.tests.test_rollup import DAY, UNTIL, World

pytestmark = pytest.mark.django_db


def _headers(user, scopes=("reports",)):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone', scopes=scopes)}"}


@pytest.fixture
def world(tree, actors):
    made = World(tree, 3)
    made.visits(15)
    made.problems(5)
    made.refresh(UNTIL + timedelta(minutes=1))
    return made


def test_a_units_day_for_three_actors(client, tree, actors, world):
    with time_machine.travel(UNTIL + timedelta(hours=1), tick=False):
        day = {"day": DAY.isoformat()}
        street = client.get(
            "/api/reports/day", {"area": tree.street.code, **day}, headers=_headers(actors.street)
        )
        assert street.status_code == 200
        body = street.json()
        assert [u["area"] for u in body["units"]] == ["新港路社区", "新江三路社区"]
        assert body["expected"] == 2
        assert body["submitted"] == 0
        total = sum(int(u["figures"].get("door_visits_today", "0")) for u in body["units"])
        assert int(body["figures"].get("door_visits_today", "0")) == total
        assert set(body["rates"]) == {
            "coverage",
            "response_rate",
            "resolution_rate",
            "satisfaction_rate",
        }
        words = client.get(
            "/api/reports/bulletin",
            {"area": tree.street.code, **day},
            headers=_headers(actors.street),
        ).json()
        assert words["text"].startswith("截至3月10日18时,源西街道累计排查住户")

        lower = _headers(actors.manager)
        mine = client.get("/api/reports/day", {"area": tree.community.code, **day}, headers=lower)
        assert mine.status_code == 200
        assert mine.json()["units"] == []
        sibling = client.get("/api/reports/day", {"area": tree.sibling.code, **day}, headers=lower)
        assert sibling.status_code == 404
        far = client.get(
            "/api/reports/day",
            {"area": tree.other_street.code, **day},
            headers=_headers(actors.street),
        )
        assert far.status_code == 404
        assert (
            client.get("/api/reports/indicators", headers=_headers(actors.grid_worker)).status_code
            == 403
        )
        wrong_part = _headers(actors.street, scopes=("problems",))
        assert client.get("/api/reports/indicators", headers=wrong_part).status_code == 403
        listed = client.get("/api/reports/indicators", headers=_headers(actors.street)).json()
        assert {"households_screened", "problems_open"} <= {i["key"] for i in listed}
        none_yet = client.get(
            "/api/reports/day",
            {"area": tree.street.code, "day": "2026-01-01"},
            headers=_headers(actors.street),
        )
        assert none_yet.status_code == 404
