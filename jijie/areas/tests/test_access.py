import uuid

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st

from jijie.accounts.services import do_role_assign
from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.areas.roles import Role
from jijie.audit.actors import SYSTEM


def test_scope_is_the_subtree_of_each_assignment(tree, actors):
    visible = set(access.visible_areas(actors.manager).values_list("code", flat=True))
    assert tree.community.code in visible
    assert tree.building.code in visible
    assert tree.sibling.code not in visible
    assert tree.street.code not in visible  # no sight upwards


def test_street_office_sees_all_its_communities_and_nothing_else(tree, actors):
    visible = access.visible_areas(actors.street)
    assert visible.filter(code=tree.sibling.code).exists()
    assert not visible.filter(code=tree.far_community.code).exists()


def test_nested_assignments_collapse_to_the_outer_one(tree, actors):

    do_role_assign(actor=SYSTEM, user=actors.street, role=Role.INSPECTOR, area=tree.street)
    access.forget(actors.street)
    assert access.scope_paths(actors.street) == [tree.street.path]


def test_area_for_answers_400_404_403(tree, actors):
    assert access.area_for(actors.manager, tree.grid.code) == tree.grid
    with pytest.raises(BadRequest):
        access.area_for(actors.manager, "44-16")
    with pytest.raises(Http404):
        access.area_for(actors.manager, "441602009999")  # unknown
    with pytest.raises(Http404):
        access.area_for(actors.manager, tree.sibling.code)  # out of scope: same answer
    with pytest.raises(PermissionDenied):
        access.area_for(actors.lower, tree.grid.code, Action.AREA_EDIT)
    assert access.area_for(actors.manager, tree.grid.code, Action.AREA_EDIT) == tree.grid


def test_member_and_no_role_see_no_area(tree, actors):
    for user in (actors.member, actors.nobody, AnonymousUser()):
        assert not access.visible_areas(user).exists()
        with pytest.raises(Http404):
            access.area_for(user, tree.community.code)


def test_inactive_user_has_no_scope(tree, actors):
    actors.manager.is_active = False
    access.forget(actors.manager)
    assert access.scope_paths(actors.manager) == []


def test_audit_scope(tree, actors):
    from jijie.audit.models import AuditEvent

    q = access.audit_filter(actors.auditor)
    assert AuditEvent.objects.filter(q).count() == AuditEvent.objects.count()
    assert not AuditEvent.objects.filter(access.audit_filter(actors.manager)).exists()


@pytest.mark.django_db
@settings(max_examples=25, deadline=None)
@given(picks=st.lists(st.integers(min_value=0, max_value=10_000), min_size=0, max_size=4))
def test_visible_areas_match_a_brute_force_ancestor_walk(picks):
    """Whatever areas a user holds roles on, they see exactly the areas that have one of
    those as an ancestor-or-self."""
    from conftest import build_tree, make_user

    if not Area.objects.exists():
        build_tree()
    areas = list(Area.objects.order_by("path"))
    held = [areas[p % len(areas)] for p in picks]
    user = make_user(f"u-{uuid.uuid4().hex[:12]}")
    from jijie.accounts.models import RoleAssignment

    for area in held:
        RoleAssignment.objects.get_or_create(user=user, role=Role.INSPECTOR, area=area)
    access.forget(user)

    def is_under(area, holder):
        node = area
        while node is not None:
            if node.pk == holder.pk:
                return True
            node = Area.objects.get_parent(node)
        return False

    expected = {a.pk for a in areas if any(is_under(a, h) for h in held)}
    assert set(access.visible_areas(user).values_list("pk", flat=True)) == expected
    user.role_assignments.all().delete()
