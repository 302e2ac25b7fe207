"""Concurrent writes on PostgreSQL (the production database): two people adding grids to
one community at the same moment both succeed, with distinct paths."""

import pytest

from jijie.areas.models import Area, AreaKind
from jijie.areas.services import area_create
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.postgres_only("row locks")
def test_concurrent_adds_under_one_parent_all_land(tree, actors):
    workers = 6

    def add(n: int):
        return lambda: area_create(
            actor=actors.manager,
            parent=tree.community,
            kind=AreaKind.GRID,
            code=f"441602004001-{10 + n}",
            name=f"第{10 + n}网格",
        )

    _results, refusals = race(*(add(n) for n in range(workers)))

    assert refusals == []
    grids = Area.objects.filter(path__startswith=tree.community.path, kind=AreaKind.GRID)
    assert grids.count() == 2 + workers
    assert len(set(grids.values_list("path", flat=True))) == 2 + workers
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.get(pk=tree.community.pk).numchild == 2 + workers
