"""The screening API with three actors, the visit stored once when a phone sends it
twice, health counts only for follow-up roles."""

import pytest

from jijie.accounts.services import token_create
from jijie.screening.models import HouseholdState, Visit


def _headers(user):
    return {"Authorization": f"Bearer {token_create(user=user, name='phone')}"}


def _post(client, user, campaign, household, **body):
    return client.post(
        f"/api/screening/campaigns/{campaign.pk}/households/{household.pk}/visits",
        data={"mode": "door", "outcome": "done", **body},
        content_type="application/json",
        headers=_headers(user),
    )


@pytest.mark.parametrize(("who", "status"), [("manager", 200), ("guard", 403), ("outsider", 404)])
def test_coverage_three_actors(client, campaign, households, actors, who, status):
    user = getattr(actors, who)
    response = client.get(
        f"/api/screening/campaigns/{campaign.pk}/coverage", headers=_headers(user)
    )
    assert response.status_code == status
    if status == 200:
        body = response.json()
        assert body["total"]["households"] == 4
        assert body["total"]["fevers"] == 0
        assert [r["name"] for r in body["rows"]] == ["第01网格", "第02网格"]


def test_health_counts_hidden_from_the_street(client, campaign, actors):
    body = client.get(
        f"/api/screening/campaigns/{campaign.pk}/coverage", headers=_headers(actors.street)
    ).json()
    assert body["total"]["fevers"] is None


@pytest.mark.parametrize(
    ("who", "status"), [("grid_worker", 201), ("guard", 403), ("outsider", 404)]
)
def test_visit_three_actors(client, campaign, households, actors, who, status):
    response = _post(
        client, getattr(actors, who), campaign, households[0], answers={"people_home": 2}
    )
    assert response.status_code == status, response.content
    assert Visit.objects.count() == (1 if status == 201 else 0)


def test_visit_outside_the_grid_refused_and_bad_input_named(client, campaign, households, actors):
    assert _post(client, actors.grid_worker, campaign, households[3]).status_code == 404
    bad = _post(client, actors.grid_worker, campaign, households[0], answers={"people_home": "x"})
    assert bad.status_code == 400
    assert "people_home" in bad.json()["errors"]
    assert not Visit.objects.exists()


def test_replayed_visit_stored_once(client, campaign, households, actors):
    for _ in range(2):
        response = _post(
            client, actors.grid_worker, campaign, households[0], outcome="no_answer",
            client_ref="phone-7f3a-0001",
        )  # fmt: skip
        assert response.status_code == 201
    assert Visit.objects.count() == 1
    assert HouseholdState.objects.get().visits == 1


def test_doors_for_the_worker(client, campaign, households, actors, tree):
    _post(client, actors.grid_worker, campaign, households[0])
    doors = client.get(
        f"/api/screening/campaigns/{campaign.pk}/doors/{tree.building.code}",
        headers=_headers(actors.grid_worker),
    ).json()
    assert [(d["door_number"], d["state"]) for d in doors] == [
        ("102", "todo"),
        ("103", "todo"),
        ("101", "done"),
    ]
    assert (
        client.get(
            f"/api/screening/campaigns/{campaign.pk}/doors/{tree.building.code}",
            headers=_headers(actors.outsider),
        ).status_code
        == 404
    )


def test_coverage_depth_is_capped(client, campaign, tree, actors):
    body = client.get(
        f"/api/screening/campaigns/{campaign.pk}/coverage",
        {"area": tree.street.code, "depth": 6},
        headers=_headers(actors.street),
    ).json()
    assert [r["name"] for r in body["rows"]] == ["第01网格", "第02网格"]
