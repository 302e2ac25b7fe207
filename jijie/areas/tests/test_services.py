import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.areas.models import Area, AreaKind, Compound
from jijie.areas.services import area_create, area_update, compound_create, do_compound_create
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent


def test_manager_adds_a_grid_and_it_is_audited(tree, actors):
    grid = area_create(
        actor=actors.manager,
        parent=tree.community,
        kind=AreaKind.GRID,
        code="441602004001-03",
        name="第03网格",
    )
    assert Area.objects.get_parent(grid) == tree.community
    assert grid.path.startswith(tree.community.path)
    event = AuditEvent.objects.get(action="area.create", target_id=str(grid.pk))
    assert event.actor == actors.manager
    assert event.area_path == grid.path


def test_lower_role_may_not_add(tree, actors):
    with pytest.raises(PermissionDenied):
        area_create(
            actor=actors.lower,
            parent=tree.community,
            kind=AreaKind.GRID,
            code="441602004001-03",
            name="第03网格",
        )


def test_outsider_cannot_tell_the_area_exists(tree, actors):
    with pytest.raises(Http404):
        area_create(
            actor=actors.outsider,
            parent=tree.community,
            kind=AreaKind.GRID,
            code="441602004001-03",
            name="第03网格",
        )


@pytest.mark.parametrize(
    ("kind", "code", "name", "field"),
    [
        (AreaKind.BUILDING, "441602004001-03", "x", "kind"),  # buildings go under grids
        (AreaKind.GRID, "441602004001-01", "dup", "code"),  # code taken
        (AreaKind.GRID, "441602004002-09", "wrong parent", None),  # code of another community
        (AreaKind.GRID, "441602004001-05", "   ", "name"),
    ],
)
def test_bad_children_are_refused_and_nothing_is_stored(tree, actors, kind, code, name, field):
    before = Area.objects.count()
    with pytest.raises(ValidationError) as info:
        area_create(actor=actors.manager, parent=tree.community, kind=kind, code=code, name=name)
    if field:
        assert field in info.value.message_dict
    assert Area.objects.count() == before


def test_dwellings_only_on_buildings(tree, actors):
    with pytest.raises(ValidationError):
        area_create(
            actor=actors.manager,
            parent=tree.community,
            kind=AreaKind.GRID,
            code="441602004001-03",
            name="第03网格",
            dwelling_count=5,
        )


def test_update_renames_and_audits_changes(tree, actors):
    area_update(actor=actors.manager, area=tree.building, name="1号楼", dwelling_count=70)
    building = Area.objects.get(pk=tree.building.pk)
    assert (building.name, building.dwelling_count) == ("1号楼", 70)
    event = AuditEvent.objects.get(action="area.update")
    assert event.data == {"name": ["1栋", "1号楼"], "dwelling_count": [64, 70]}


def test_compound_groups_buildings_of_its_own_community_only(tree, actors):
    compound = compound_create(actor=actors.manager, community=tree.community, name="金丰花园")
    assert compound.code == "441602004001-C01"
    area_update(actor=actors.manager, area=tree.building, name="1栋", compound=compound)
    assert Area.objects.get(pk=tree.building.pk).compound == compound
    other = do_compound_create(actor=SYSTEM, community=tree.sibling, name="江景雅苑")
    with pytest.raises(ValidationError):
        area_update(actor=actors.manager, area=tree.building, name="1栋", compound=other)
    with pytest.raises(ValidationError):
        compound_create(actor=actors.manager, community=tree.community, name="金丰花园")
    with pytest.raises(ValidationError):
        do_compound_create(actor=SYSTEM, community=tree.grid, name="网格里的小区")
    assert Compound.objects.count() == 2
