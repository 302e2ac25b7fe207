"""A first load into an empty registry: written without the secondary indexes (and, on
PostgreSQL, key checks), which come back exactly as they were; any other load takes the
ordinary path."""

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from jijie.core import pii
from jijie.residents import selectors
from jijie.residents.imports import bulk
from jijie.residents.imports.commit import import_ledger
from jijie.residents.models import Household, NameGram, Person
from jijie.residents.services import household_register
from jijie.residents.tests.fixtures import BAD_CHECK, GOOD, ID1, ID2, ledger


def _schema() -> set[tuple[str, ...]]:
    """Every index and constraint of the registry's tables, as the database states them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            marks = ", ".join(["%s"] * len(bulk.TABLES))
            cursor.execute(
                f"SELECT type, name, tbl_name, sql FROM sqlite_master WHERE tbl_name IN ({marks})",  # noqa: S608
                list(bulk.TABLES),
            )
            return set(cursor.fetchall())
        cursor.execute(
            "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
            " WHERE indrelid = ANY(%s::regclass[])",
            [list(bulk.TABLES)],
        )
        found = {("index", *row) for row in cursor.fetchall()}
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid),"
            " condeferrable::text, condeferred::text"
            " FROM pg_constraint WHERE conrelid = ANY(%s::regclass[])",
            [list(bulk.TABLES)],
        )
        return found | {("constraint", *row) for row in cursor.fetchall()}


@pytest.fixture
def taken(monkeypatch):
    """Which path each import took."""
    paths = []
    claim = bulk.claim_empty_registry

    def spy():
        paths.append(claim())
        return paths[-1]

    monkeypatch.setattr(bulk, "claim_empty_registry", spy)
    return paths


def test_a_first_load_takes_the_bulk_path_and_leaves_the_schema_as_it_was(tree, actors, taken):
    before = _schema()
    assert any("person_document_once" in row[1] for row in before)
    plan = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    assert taken == [True]
    assert plan.summary()["people_new"] == 3
    assert _schema() == before
    # the rebuilt indexes answer: exact ID, name piece, the household's door
    wang = Person.objects.get(document_hash=pii.lookup_hash("id", ID1))
    assert [p.pk for p in selectors.person_search(actor=actors.manager, query="小明")] == [wang.pk]
    assert NameGram.objects.filter(person=wang).count() == 5
    assert Household.objects.count() == 2
    # ids came in blocks from the sequences: the next ordinary write carries on above
    later = household_register(actor=actors.manager, building=tree.building, door_number="999")
    assert later.pk > max(Household.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    # the same file again: the registry is no longer empty, nothing changes
    again = import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    assert taken == [True, False]
    assert again.summary()["people_unchanged"] == 3


def test_a_registry_with_any_household_takes_the_ordinary_path(tree, actors, taken):
    household_register(actor=actors.manager, building=tree.building, door_number="1")
    before = _schema()
    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    assert taken == [False]
    assert _schema() == before
    assert Person.objects.count() == 3


def test_a_failed_first_load_keeps_nothing_and_the_schema_whole(tree, actors, taken):
    before = _schema()
    rows = [*GOOD, ("赵六", BAD_CHECK, "身份证", "", "1栋", "503", "户主")]
    with pytest.raises(ValidationError):
        import_ledger(actor=actors.manager, area=tree.grid, data=ledger(rows), commit=True)
    assert taken == [True]
    assert _schema() == before
    assert not Person.objects.exists()
    assert not Household.objects.exists()


def test_a_duplicate_in_the_file_is_still_refused_on_the_bulk_path(tree, actors, taken):
    rows = [*GOOD, ("王小明", ID2, "身份证", "", "1栋", "503", "户主")]
    plan = import_ledger(
        actor=actors.manager, area=tree.grid, data=ledger(rows), commit=True, skip_invalid=True
    )
    assert taken == [True]
    assert [p.reason for p in plan.errors] == ["与第 5 行的证件号码重复。"]
    assert Person.objects.filter(document_hash=pii.lookup_hash("id", ID2)).count() == 1


def test_the_bulk_path_drops_the_indexes_while_it_writes(tree, actors, monkeypatch):
    """Inside the load the secondary indexes are gone (what makes it fast), and back
    after it."""
    from jijie.residents.imports import writer

    during = []
    write = writer.write

    def spy(*args, **kwargs):
        during.append(_schema())
        return write(*args, **kwargs)

    monkeypatch.setattr(writer, "write", spy)
    before = _schema()
    import_ledger(actor=actors.manager, area=tree.grid, data=ledger(GOOD), commit=True)
    assert during
    assert not any("person_phone_hash" in str(row) for row in during[0])
    assert any("person_phone_hash" in str(row) for row in before)
    assert _schema() == before
