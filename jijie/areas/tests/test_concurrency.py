"""Concurrent writes on PostgreSQL (the production database): two people adding grids to
one community at the same moment both succeed, with distinct paths."""

import threading

import pytest
from django.db import connection, connections

from jijie.areas.models import Area, AreaKind
from jijie.areas.services import area_create

pytestmark = pytest.mark.django_db(transaction=True)


def test_concurrent_adds_under_one_parent_all_land(tree, actors):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are exercised on PostgreSQL (CI runs the suite there too)")
    workers = 6
    barrier = threading.Barrier(workers)
    errors: list[BaseException] = []

    def add(n: int) -> None:
        try:
            barrier.wait()
            area_create(
                actor=actors.manager,
                parent=tree.community,
                kind=AreaKind.GRID,
                code=f"441602004001-{10 + n}",
                name=f"第{10 + n}网格",
            )
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=add, args=(n,)) for n in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    grids = Area.objects.filter(path__startswith=tree.community.path, kind=AreaKind.GRID)
    assert grids.count() == 2 + workers
    assert len(set(grids.values_list("path", flat=True))) == 2 + workers
    assert Area.objects.find_problems() == ([], [], [], [], [])
    assert Area.objects.get(pk=tree.community.pk).numchild == 2 + workers
