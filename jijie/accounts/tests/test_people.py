"""Opening accounts and granting roles within one's own scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.urls import reverse

from jijie.accounts.models import RoleAssignment, User
from jijie.accounts.services import account_open, role_assign, role_revoke
from jijie.areas import access
from jijie.areas.roles import Role
from jijie.audit.models import AuditEvent

NEW = {"username": "gw02", "full_name": "李网格", "password": "another-long-pass-42"}


def test_secretary_opens_a_grid_worker_account(tree, actors):
    user = account_open(actor=actors.manager, role=Role.GRID_WORKER, area=tree.grid2, **NEW)
    assert [a.code for a in access.scope_roots(user)] == [tree.grid2.code]
    assert AuditEvent.objects.filter(action="user.create", actor=actors.manager).exists()
    assert AuditEvent.objects.filter(action="role.assign", actor=actors.manager).exists()


@pytest.mark.parametrize(("who", "error"), [("lower", PermissionDenied), ("outsider", Http404)])
def test_lower_and_outsider_cannot_open_accounts_here(tree, actors, who, error):
    with pytest.raises(error):
        account_open(actor=getattr(actors, who), role=Role.GRID_WORKER, area=tree.grid2, **NEW)
    assert not User.objects.filter(username="gw02").exists()


def test_no_one_grants_above_their_station(tree, actors):
    with pytest.raises(PermissionDenied):  # a secretary cannot make a street office
        role_assign(
            actor=actors.manager,
            user=actors.lower,
            role=Role.COMMUNITY_SECRETARY,
            area=tree.community,
        )
    with pytest.raises(PermissionDenied):  # nor can a command make an auditor
        role_assign(actor=actors.command, user=actors.lower, role=Role.AUDITOR, area=tree.district)
    with pytest.raises(PermissionDenied):  # nor a second command beside itself
        role_assign(actor=actors.command, user=actors.lower, role=Role.COMMAND, area=tree.district)
    with pytest.raises(Http404):  # and the city above it is out of its sight
        role_assign(actor=actors.street, user=actors.lower, role=Role.AUDITOR, area=tree.city)
    with pytest.raises(ValidationError) as info:  # a grid worker holds a grid
        role_assign(
            actor=actors.manager, user=actors.lower, role=Role.GRID_WORKER, area=tree.community
        )
    assert "area" in info.value.message_dict
    # the street office names a community secretary below it
    role_assign(
        actor=actors.street, user=actors.lower, role=Role.COMMUNITY_SECRETARY, area=tree.community
    )


def test_bad_accounts_are_refused_whole(tree, actors):
    with pytest.raises(ValidationError) as info:
        account_open(
            actor=actors.manager,
            role=Role.GRID_WORKER,
            area=tree.grid,
            **{**NEW, "password": "12345678901"},
        )
    assert "password" in info.value.message_dict
    with pytest.raises(ValidationError):
        account_open(
            actor=actors.manager,
            role=Role.GRID_WORKER,
            area=tree.grid,
            **{**NEW, "username": "manager"},
        )
    with pytest.raises(ValidationError):
        account_open(
            actor=actors.manager,
            role=Role.GRID_WORKER,
            area=tree.grid,
            **{**NEW, "username": "has space"},
        )
    assert not User.objects.filter(username__in=["gw02", "has space"]).exists()


def test_revoke(tree, actors):
    assignment = RoleAssignment.objects.get(user=actors.grid_worker)
    with pytest.raises(PermissionDenied):
        role_revoke(actor=actors.lower, assignment=assignment)
    role_revoke(actor=actors.manager, assignment=assignment)
    assert not access.scope_roots(User.objects.get(pk=actors.grid_worker.pk))
    own = RoleAssignment.objects.get(user=actors.manager)
    with pytest.raises(ValidationError):
        role_revoke(actor=actors.manager, assignment=own)


def _post(client, user, data):
    client.force_login(user)
    return client.post(reverse("accounts:people"), data)


FORM = {**NEW, "role": Role.GRID_WORKER, "area_code": "441602004001-02"}


def test_people_page_three_actors(client, tree, actors):
    client.force_login(actors.manager)
    page = client.get(reverse("accounts:people")).content.decode()
    assert "gridworker" in page
    assert "outsider" not in page
    response = _post(client, actors.manager, FORM)
    assert response.status_code == 302
    assert User.objects.filter(username="gw02").exists()
    assert _post(client, actors.lower, {**FORM, "username": "gw03"}).status_code == 403
    response = _post(client, actors.outsider, {**FORM, "username": "gw04"})
    assert response.status_code == 200  # the form says the area is not found
    assert "管辖范围" in response.content.decode()
    assert not User.objects.filter(username__in=["gw03", "gw04"]).exists()


def test_people_page_shows_field_errors(client, tree, actors):
    response = _post(client, actors.manager, {**FORM, "password": "short"})
    assert response.status_code == 200
    assert "密码太短" in response.content.decode()
    response = _post(client, actors.manager, {**FORM, "area_code": "bad code"})
    assert "格式不正确" in response.content.decode()


def test_revoke_page(client, tree, actors):
    assignment = RoleAssignment.objects.get(user=actors.grid_worker)
    url = reverse("accounts:role_revoke", args=[assignment.pk])
    client.force_login(actors.outsider)
    assert client.post(url).status_code == 404
    client.force_login(actors.lower)
    assert client.post(url).status_code == 404  # a worker has no grant scope at all
    client.force_login(actors.manager)
    assert client.post(url).status_code == 302
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()


def test_people_page_needs_a_granting_role(client, tree, actors):
    client.force_login(actors.lower)
    response = client.get(reverse("accounts:people"))
    assert response.status_code == 403
