"""`startswith` on byte-wise fields and area paths: the same rows as a prefix test, read
through the index on SQLite too (`jijie.core.models.PrefixRange`)."""

from __future__ import annotations

import pytest
from django.db import connection

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.residents.models import Household
from jijie.residents.services import do_household_register


def test_a_prefix_finds_exactly_the_paths_that_start_with_it(tree):
    paths = list(Area.objects.values_list("path", flat=True))
    prefixes = {p[:n] for p in paths for n in range(1, len(p) + 1)} | {"0001Z", "000~", "9"}
    for prefix in sorted(prefixes):
        found = set(Area.objects.filter(path__startswith=prefix).values_list("path", flat=True))
        assert found == {p for p in paths if p.startswith(prefix)}, prefix


def test_byte_wise_prefixes_of_any_text(tree):
    for door in ["101", "1~1", "1\U0010fffe", "1\ud7ff", "1\ue000", "2", "10", "1"]:
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
    sorts = list(Household.objects.values_list("door_sort", flat=True))
    for prefix in {s[:n] for s in sorts for n in range(1, len(s) + 1)}:
        found = set(
            Household.objects.filter(door_sort__startswith=prefix).values_list(
                "door_sort", flat=True
            )
        )
        assert found == {s for s in sorts if s.startswith(prefix)}, repr(prefix)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL's LIKE uses the index")
def test_a_scoped_count_reads_the_index_range_on_sqlite(tree):
    query = Household.objects.filter(area_path__startswith=tree.community.path)
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row[-1]) for row in cursor.fetchall())
    assert "SEARCH" in plan, plan
    assert "area_path>? AND area_path<?" in plan, plan
