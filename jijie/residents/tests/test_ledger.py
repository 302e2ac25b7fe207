"""The household ledger: doors in the order people read them, by the database; sorted,
filtered, counted and paged with the filters kept; each row with its head, size and the
levels below the ledger's area; a fixed number of queries whatever its size."""

from __future__ import annotations

import random
import re

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.paging import Pages
from jijie.residents import counts, selectors
from jijie.residents.doors import door_key, door_sort
from jijie.residents.models import BuildingHouseholds
from jijie.residents.services import (
    PersonData,
    do_household_flags_set,
    do_household_register,
    do_person_add,
)

DOORS = st.text(alphabet="0123456789-AB单元#", min_size=1, max_size=10).filter(str.strip)


@given(st.lists(DOORS, min_size=2, max_size=20))
def test_the_stored_key_sorts_as_people_read(doors):
    by_stored_key = sorted(doors, key=lambda d: door_sort(d).encode())  # as bytes compare
    assert [door_key(d) for d in by_stored_key] == sorted(door_key(d) for d in doors)


def test_the_database_orders_doors_as_people_read(tree, actors):
    doors = ["1001", "101", "2单元101", "102", "B3", "1单元1201", "99", "201"]
    random.Random(7).shuffle(doors)
    for door in doors:
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
    listed = [h.door_number for h in selectors.household_list(actor=actors.manager)]
    assert listed == sorted(doors, key=door_key)
    assert listed.index("99") < listed.index("101") < listed.index("201") < listed.index("1001")
    backwards = selectors.household_list(actor=actors.manager, order="-address")
    assert [h.door_number for h in backwards] == listed[::-1]


def test_the_ledger_page_sorts_filters_counts_and_keeps_filters(
    client, tree, actors, django_assert_max_num_queries
):
    for n in range(60):
        home = do_household_register(actor=SYSTEM, building=tree.building, door_number=str(101 + n))
        do_person_add(
            actor=SYSTEM, household=home, data=PersonData(name=f"住户{n}", relation="head")
        )
    do_household_flags_set(
        actor=SYSTEM,
        household=home,
        version=home.version,
        kind=home.kind,
        is_party_centre=False,
        is_home_isolation=False,
        is_hardship=True,
    )
    client.force_login(actors.street)
    url = reverse("residents:list")
    with django_assert_max_num_queries(16):
        page = client.get(url)
    html = page.content.decode()
    assert page.context["page"].paginator.count == 60
    assert "共 60 户" in html
    first = page.context["rows"][0]
    assert (first.household.door_number, first.head, first.size) == ("101", "住户0", 1)
    assert first.place == "新港路社区 · 第01网格"  # the street's own level is not repeated
    # The next page keeps the filters and the order.
    page = client.get(url, {"order": "-address", "kind": "resident", "page": 2})
    assert [r.household.door_number for r in page.context["rows"]][:2] == ["110", "109"]
    html = page.content.decode()
    assert "order=-address" in html  # the page links keep the order
    assert "kind=resident" in html  # and the filters
    # A flag filters; the header toggles the order.
    page = client.get(url, {"flag": "is_hardship"})
    assert [r.household.door_number for r in page.context["rows"]] == ["160"]
    assert 'data-testid="sort-address"' in page.content.decode()
    assert page.context["address_toggle"] == "-address"


def test_every_household_is_on_exactly_one_page_read_from_either_end(
    tree, actors, django_assert_max_num_queries
):
    # given doors that read alike ("0101" and "101" sort together) across two buildings,
    # so that only the primary key orders them
    other = Area.objects.get(code="441602004001-01-002")
    doors = ["101", "0101", "00101", "102", "1001", "2单元101", "B3", "7", "07", "9"]
    for building in (tree.building, other):
        for door in doors:
            do_household_register(actor=SYSTEM, building=building, door_number=door)
    households = selectors.household_list(actor=actors.manager)
    everyone = [h.pk for h in households]
    for order in selectors.LEDGER_ORDERS:
        ordered = selectors.household_list(actor=actors.manager, order=order)
        for by_key in (False, True):
            # when it is paged three at a time (pages past the middle read from the end)
            pages = Pages(ordered, 3, by_key=by_key)
            paged = []
            for number in pages.page_range:
                with CaptureQueriesContext(connection) as seen:
                    rows = list(pages.page(number))
                    paged += [(h.pk, h.building.name) for h in rows]  # joined, no query more
                # no page skips more than half the list: a late one is read from the end
                (sql,) = [q["sql"] for q in seen.captured_queries if "LIMIT" in q["sql"]]
                offset = re.search(r"OFFSET (\d+)", sql)
                assert int(offset.group(1) if offset else 0) <= pages.count // 2
                # by key, the rows skipped are read without their building
                assert ("JOIN" in sql) is not by_key
                assert len(seen.captured_queries) == 1 + by_key
            # then each appears once, in the order of the whole list
            assert [pk for pk, _name in paged] == [h.pk for h in ordered]
            assert sorted(pk for pk, _name in paged) == sorted(everyone)


def test_the_ledger_counts_its_buildings_kept_counts(
    client, tree, actors, django_assert_max_num_queries
):
    # given households registered one by one, and by an import
    for door in ("101", "102", "103"):
        do_household_register(actor=SYSTEM, building=tree.building, door_number=door)
    sibling_building = Area.objects.get(code="441602004002-01-001")
    do_household_register(actor=SYSTEM, building=sibling_building, door_number="1")
    kept = dict(BuildingHouseholds.objects.values_list("pk", "households"))
    assert kept == {tree.building.pk: 3, sibling_building.pk: 1}
    assert counts.rebuild() == 0  # what was kept is what a recount finds
    # then each scope's count is its buildings' counts summed, no household counted
    assert selectors.household_count(actor=actors.manager) == 3
    assert selectors.household_count(actor=actors.street) == 4
    assert selectors.household_count(actor=actors.street, area=tree.sibling) == 1
    assert selectors.household_count(actor=actors.outsider, area=tree.community) == 0
    client.force_login(actors.street)
    with CaptureQueriesContext(connection) as seen:
        response = client.get(reverse("residents:list"))
    assert "共 4 户" in response.content.decode()
    assert not [
        q
        for q in seen.captured_queries
        if 'COUNT(*) AS "__count" FROM "residents_household"' in q["sql"]
    ]
    # a filter still counts the households it keeps
    response = client.get(reverse("residents:list"), {"kind": "shop"})
    assert "共 0 户" in response.content.decode()


def test_a_recount_repairs_a_wrong_count(tree):
    do_household_register(actor=SYSTEM, building=tree.building, door_number="101")
    BuildingHouseholds.objects.update(households=7)
    assert counts.rebuild() == 1
    assert BuildingHouseholds.objects.get().households == 1
