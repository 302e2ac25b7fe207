"""An area's name drawn in another order (U+202E), or holding NUL, is refused on the
pages and through the API alike; invisible characters are removed."""

import json

import pytest

from jijie.areas.forms import AreaEditForm
from jijie.areas.models import Area

RLO = "\u202e"


def test_the_edit_form_refuses_a_bidi_override_and_cleans_the_rest(tree) -> None:
    form = AreaEditForm(data={"name": f"第01网格{RLO}"}, area=tree.community)
    assert not form.is_valid()
    assert "U+202E" in form.errors["name"][0]
    form = AreaEditForm(data={"name": " 新港路\u200b  社区 "}, area=tree.community)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["name"] == "新港路 社区"


def _post(client, user, url, payload, method="post"):
    client.force_login(user)
    return getattr(client, method)(url, json.dumps(payload), content_type="application/json")


@pytest.mark.parametrize(("char", "code"), [(RLO, "U+202E"), ("\x00", "U+0000")])
def test_the_api_refuses_a_name_the_form_refuses(client, tree, actors, char, code):
    created = _post(
        client,
        actors.manager,
        f"/api/areas/{tree.community.code}/children",
        {"kind": "grid", "name": f"第03网格{char}", "code": "441602004001-03"},
    )
    assert created.status_code == 422, created.content
    [error] = created.json()["detail"]
    assert error["loc"][-1] == "name"
    assert code in error["msg"]
    assert "“name”" in error["msg"]
    assert not Area.objects.filter(code="441602004001-03").exists()
    renamed = _post(
        client, actors.manager, f"/api/areas/{tree.grid.code}", {"name": f"a{char}b"}, "patch"
    )
    assert renamed.status_code == 422
    tree.grid.refresh_from_db()
    assert char not in tree.grid.name


def test_the_api_cleans_a_name_as_the_form_does(client, tree, actors):
    url = f"/api/areas/{tree.grid.code}"
    response = _post(client, actors.manager, url, {"name": " 第01\u200b  网格 "}, "patch")
    assert response.status_code == 200, response.content
    tree.grid.refresh_from_db()
    assert tree.grid.name == "第01 网格"
