"""The whole demo city, every app's step together: loads twice, deterministic, each
account sees its own subtree, and the registry is filled."""

from io import StringIO

import pytest
from django.core.management import call_command

from jijie.accounts.models import User
from jijie.areas.demo import GRID_MAX, GRID_MIN
from jijie.areas.models import Area, AreaKind, Compound


@pytest.mark.django_db
def test_demo_city_loads_twice_and_is_deterministic():
    out = StringIO()
    call_command("demo_city", stdout=out)
    first = list(Area.objects.order_by("path").values_list("code", "path", "dwelling_count"))
    assert Area.objects.filter(kind__in=[AreaKind.COMMUNITY, AreaKind.VILLAGE]).count() == 36
    assert Area.objects.filter(kind__in=[AreaKind.STREET, AreaKind.TOWN]).count() == 6
    assert Compound.objects.exists()
    for grid in Area.objects.filter(kind=AreaKind.GRID):
        dwellings = sum(b.dwelling_count for b in Area.objects.get_children(grid))
        assert GRID_MIN <= dwellings <= GRID_MAX
    assert Area.objects.find_problems() == ([], [], [], [], [])  # treebeard integrity check
    call_command("demo_city", stdout=out)  # the second run changes nothing
    assert (
        list(Area.objects.order_by("path").values_list("code", "path", "dwelling_count")) == first
    )
    assert "secretary_xingang" in out.getvalue()
    assert "jijie-demo-2026" in out.getvalue()
    assert User.objects.get(username="secretary_xingang").check_password("jijie-demo-2026")
    _each_demo_account_sees_exactly_its_own_subtree()
    _the_registry_is_filled()


def _the_registry_is_filled():
    from jijie.residents.models import Household, Person

    buildings = Area.objects.filter(kind=AreaKind.BUILDING)
    assert Household.objects.count() == sum(b.dwelling_count for b in buildings)
    yuanxi = Area.objects.get(code="441602004000")
    assert Person.objects.filter(area_path__startswith=yuanxi.path).count() > 1000
    assert not Person.objects.exclude(area_path__startswith=yuanxi.path).exists()
    heads = Person.objects.filter(relation="head").count()
    assert heads == Household.objects.filter(area_path__startswith=yuanxi.path).count()


def _each_demo_account_sees_exactly_its_own_subtree():

    from jijie.accounts.demo import ACCOUNTS
    from jijie.accounts.models import Role
    from jijie.areas import access

    for username, _name, role, code in ACCOUNTS:
        user = User.objects.get(username=username)
        roots = [a.code for a in access.scope_roots(user)]
        if role == Role.MEMBER:
            assert roots == [], username
        else:
            assert roots == [code], username
            area = Area.objects.get(code=code)
            visible = access.visible_areas(user)
            assert visible.count() == Area.objects.filter(path__startswith=area.path).count()
    assert access.scope_roots(User.objects.get(username="admin")) == []
