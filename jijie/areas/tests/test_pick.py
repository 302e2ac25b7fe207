"""The area picker: the user's own areas first, then their children, never an area out
of their scope for the action."""

from django.urls import reverse

URL = reverse("areas:pick")


def _pick(client, **params):
    query = {"action": "pass.issue", "kind": "building", "field": "id_building", **params}
    return client.get(URL, query)


def test_a_secretary_goes_from_the_community_down_to_a_building(client, actors, tree):
    client.force_login(actors.manager)
    top = _pick(client).content.decode()
    assert (
        f'hx-get="{URL}?action=pass.issue&kind=building&field=id_building&at={tree.community.code}"'
        in top
    )
    grids = _pick(client, at=tree.community.code).content.decode()
    assert "第01网格" in grids
    assert "第02网格" in grids
    buildings = _pick(client, at=tree.grid.code).content.decode()
    # a building is chosen, not opened: its code goes into the field
    assert f'data-pick-value="{tree.building.code}"' in buildings
    assert 'data-pick-field="id_building"' in buildings


def test_an_area_out_of_scope_is_not_found(client, actors, tree):
    client.force_login(actors.manager)
    assert _pick(client, at=tree.sibling.code).status_code == 404
    assert _pick(client, at=tree.street.code).status_code == 404  # above their scope


def test_a_role_that_may_not_do_the_action_gets_nothing_to_pick(client, actors, tree):
    client.force_login(actors.lower)  # a community worker issues no passes
    html = _pick(client).content.decode()
    assert "data-pick-value" not in html
    assert tree.community.name not in html


def test_bad_parameters_are_refused(client, actors):
    client.force_login(actors.manager)
    assert _pick(client, action="no.such").status_code == 400
    assert _pick(client, field='x" onmouseover="alert(1)').status_code == 400
    assert _pick(client, kind="planet").status_code == 400
