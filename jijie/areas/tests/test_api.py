"""`/api/areas/...` with the same three actors, over session and token auth."""

import json

import pytest

from jijie.accounts.services import token_create
from jijie.areas.models import Area


def _get(client, user, url):
    client.force_login(user)
    return client.get(url)


def test_requires_authentication(client, tree):
    assert client.get("/api/areas/").status_code == 401


def test_detail_for_the_three_actors(client, tree, actors):
    url = f"/api/areas/{tree.community.code}"
    body = _get(client, actors.manager, url).json()
    assert body["area"]["name"] == "新港路社区"
    assert [c["area"]["code"] for c in body["children"]] == [tree.grid.code, tree.grid2.code]
    assert body["children"][0]["counts"] == {"by_level": {"6": 2}, "dwellings": 112}
    assert body["may_edit"] is True
    assert _get(client, actors.lower, url).json()["may_edit"] is False
    response = _get(client, actors.outsider, url)
    assert response.status_code == 404
    assert "管辖范围" in response.json()["detail"]


def test_roots_and_search(client, tree, actors):
    assert [a["code"] for a in _get(client, actors.street, "/api/areas/").json()] == [
        tree.street.code
    ]
    found = _get(client, actors.manager, "/api/areas/?q=新江三路").json()
    assert found == []


def test_malformed_code(client, tree, actors):
    response = _get(client, actors.manager, "/api/areas/44x")
    assert response.status_code == 400
    assert "格式不正确" in response.json()["detail"]


def test_token_auth_and_writes(client, tree, actors):
    token = token_create(user=actors.manager, name="phone")
    headers = {"Authorization": f"Bearer {token}"}
    payload = json.dumps({"kind": "grid", "name": "第03网格", "code": "441602004001-03"})
    response = client.post(
        f"/api/areas/{tree.community.code}/children",
        payload,
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == 201, response.content
    assert Area.objects.filter(code="441602004001-03").exists()


@pytest.mark.parametrize(("who", "status"), [("lower", 403), ("outsider", 404)])
def test_writes_refused_for_lower_and_outsider(client, tree, actors, who, status):
    token = token_create(user=getattr(actors, who), name="phone")
    headers = {"Authorization": f"Bearer {token}"}
    response = client.patch(
        f"/api/areas/{tree.community.code}",
        json.dumps({"name": "改名"}),
        content_type="application/json",
        headers=headers,
    )
    assert response.status_code == status
    assert Area.objects.get(pk=tree.community.pk).name == "新港路社区"


def test_bad_input_names_the_field(client, tree, actors):
    token = token_create(user=actors.manager, name="phone")
    response = client.post(
        f"/api/areas/{tree.community.code}/children",
        json.dumps({"kind": "grid", "name": "x", "code": "441602004001-01"}),
        content_type="application/json",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400
    assert "code" in response.json()["errors"]


def test_bad_token_is_401(client, tree):
    response = client.get("/api/areas/", headers={"Authorization": "Bearer jj_nonsense"})
    assert response.status_code == 401
