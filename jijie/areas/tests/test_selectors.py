from collections import Counter

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jijie.areas import selectors
from jijie.areas.models import Area


def subtree_counts(area):
    """Reference: the counts of everything under `area`, grouped directly."""
    return selectors._grouped_counts(area, branch_len=len(area.path), min_depth=area.depth).get(
        area.path, selectors.Counts()
    )


def test_children_counts_match_a_brute_force_count(tree):
    for parent in Area.objects.all():
        counts = selectors.children_counts(parent)
        for child in selectors.area_children(parent):
            descendants = [a for a in Area.objects.all() if a.path.startswith(child.path)]
            expected = Counter(a.depth for a in descendants)
            got = counts.get(child.path, selectors.Counts())
            assert {d: got.at(d) for d in expected} == dict(expected)
            assert got.dwellings == sum(a.dwelling_count for a in descendants)


def test_subtree_counts_and_table(tree):
    total = subtree_counts(tree.community)
    assert total.at(5) == 2  # grids
    assert total.at(6) == 3  # buildings
    assert total.dwellings == 64 + 48 + 120
    table = selectors.area_table(tree.community)
    for node in Area.objects.all():  # the table's totals equal the direct count
        assert selectors.area_table(node).total == subtree_counts(node)
    assert [row[0].code for row in table.rows] == [tree.grid.code, tree.grid2.code]
    assert table.rows[0][1:] == ([2], 112)  # two buildings, 112 dwellings
    assert table.rows[1][1:] == ([1], 120)


def test_breadcrumb_marks_what_the_user_may_open(tree, actors):
    crumbs = selectors.breadcrumb(actors.manager, tree.building)
    assert [a.code for a, _ in crumbs] == [
        "441600",
        "441602",
        "441602004000",
        "441602004001",
        "441602004001-01",
        "441602004001-01-001",
    ]
    assert [ok for _, ok in crumbs] == [False, False, False, True, True, True]


def test_search_stays_in_scope(tree, actors):
    assert [a.code for a in selectors.area_search(actors.manager, "网格")] == [
        tree.grid.code,
        tree.grid2.code,
    ]
    assert selectors.area_search(actors.manager, "新江三路") == []
    assert [a.code for a in selectors.area_search(actors.street, "441602004002")] == [
        tree.sibling.code,
        tree.sibling_grid.code,
        "441602004002-01-001",
    ]
    assert selectors.area_search(actors.manager, "   ") == []


def test_a_table_reads_its_children_once_and_counts_in_one_statement(tree):
    for node in (tree.district, tree.street, tree.community):
        with CaptureQueriesContext(connection) as queries:
            selectors.area_table(node)
        assert len(queries.captured_queries) == 2
