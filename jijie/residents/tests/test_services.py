"""The registry's writes: validation, protection at rest, conflicts, reveal, scope."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.core.models import birth_date_of
from jijie.residents import counts, selectors
from jijie.residents.models import BuildingHouseholds, Person
from jijie.residents.services import (
    ConflictError,
    PersonData,
    do_household_register,
    household_flags_set,
    household_register,
    person_add,
    person_move,
    person_reveal,
    person_update,
)

PHONE = "13800138000"


def _valid_id():
    from stdnum.cn.ric import calc_check_digit

    body = "44160219900101123"
    return body + calc_check_digit(body + "0")


@pytest.fixture
def household(tree, actors):
    return household_register(actor=actors.manager, building=tree.building, door_number="502")


@pytest.fixture
def person(household, actors):
    data = PersonData(name="王小明", document_number=_valid_id(), phone=PHONE, relation="head")
    return person_add(actor=actors.manager, household=household, data=data).person


def test_the_database_holds_no_plain_id_or_phone(person):
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM residents_person")
        rows = cursor.fetchall()
    dump = repr(rows)
    assert _valid_id() not in dump
    assert PHONE not in dump
    for row in rows:
        for value in row:
            if isinstance(value, bytes | memoryview):
                assert _valid_id().encode() not in bytes(value)
                assert PHONE.encode() not in bytes(value)


def test_masks_tails_and_derived_fields(person):
    assert person.document_masked == f"441***********{_valid_id()[-4:]}"
    assert person.phone_masked == "138****8000"
    assert (person.document_tail, person.phone_tail) == (_valid_id()[-4:], "8000")
    assert person.name_initials == "wxm"
    assert person.sex == "M"
    assert person.birth_year == 1990  # the date itself only encrypted
    assert str(birth_date_of(person.birth_date_cipher)) == "1990-01-01"


def test_bad_input_names_every_field_and_stores_nothing(household, actors):
    data = PersonData(
        name=" ", document_number="441602199002301234", phone="12345", relation="boss"
    )
    with pytest.raises(ValidationError) as info:
        person_add(actor=actors.manager, household=household, data=data)
    assert set(info.value.message_dict) == {"name", "document_number", "phone", "relation"}
    assert not Person.objects.exists()
    # and no plaintext in the message either
    assert "441602199002301234" not in repr(info.value.message_dict)


def test_one_registry_entry_per_document(person, tree, actors):
    other = do_household_register(actor=SYSTEM, building=tree.building, door_number="503")
    with pytest.raises(ValidationError) as info:
        person_add(
            actor=actors.manager,
            household=other,
            data=PersonData(name="冒名", document_number=_valid_id()),
        )
    assert "已登记" in info.value.message_dict["document_number"][0]


def test_fifteen_digit_number_is_upgraded_with_a_warning(household, actors):
    saved = person_add(
        actor=actors.manager,
        household=household,
        data=PersonData(name="李老伯", document_number="441602490101001"),
    )
    assert saved.warnings
    assert saved.person.document_masked.endswith(saved.person.document_tail)
    assert len(saved.person.document_masked) == 18


def test_second_of_two_concurrent_edits_gets_a_conflict(person, actors):
    read_by_first = read_by_second = person.version
    person_update(
        actor=actors.manager,
        person=person,
        version=read_by_first,
        data=PersonData(name="王晓明", relation="head"),
    )
    with pytest.raises(ConflictError):
        person_update(
            actor=actors.lower,
            person=person,
            version=read_by_second,
            data=PersonData(name="王小名", relation="head"),
        )
    assert Person.objects.get(pk=person.pk).name == "王晓明"


def test_household_flags_and_conflict(household, actors):
    updated = household_flags_set(
        actor=actors.manager,
        household=household,
        version=household.version,
        kind="rental",
        is_party_centre=True,
        is_home_isolation=False,
        is_hardship=True,
    )
    assert (updated.kind, updated.is_party_centre, updated.is_hardship) == ("rental", True, True)
    with pytest.raises(ConflictError):
        household_flags_set(
            actor=actors.manager,
            household=household,
            version=household.version,
            kind="resident",
            is_party_centre=False,
            is_home_isolation=False,
            is_hardship=False,
        )


def test_move_within_scope_only(person, tree, actors):
    sibling_household = do_household_register(
        actor=SYSTEM,
        building=Area.objects.get(code="441602004002-01-001"),
        door_number="101",
    )
    with pytest.raises(Http404):
        person_move(
            actor=actors.manager, person=person, version=person.version, household=sibling_household
        )
    other = household_register(actor=actors.manager, building=tree.building, door_number="601")
    moved = person_move(
        actor=actors.manager, person=person, version=person.version, household=other
    )
    assert moved.household == other
    # to another building: the kept counts of people follow
    elsewhere = household_register(
        actor=actors.manager,
        building=Area.objects.get(code="441602004001-01-002"),
        door_number="101",
    )
    kept = dict(BuildingHouseholds.objects.values_list("pk", "people"))
    person_move(actor=actors.manager, person=moved, version=moved.version, household=elsewhere)
    after = dict(BuildingHouseholds.objects.values_list("pk", "people"))
    assert after[tree.building.pk] == kept[tree.building.pk] - 1
    assert after[elsewhere.building_id] == kept.get(elsewhere.building_id, 0) + 1
    assert counts.rebuild() == 0


def test_reveal_needs_a_reason_and_is_audited(person, actors):
    with pytest.raises(ValidationError):
        person_reveal(actor=actors.manager, person=person, field="document", reason="  ")
    assert not AuditEvent.objects.filter(action__startswith="pii.reveal").exists()
    value = person_reveal(
        actor=actors.manager, person=person, field="phone", reason="上门核实联系方式"
    )
    assert value == PHONE
    event = AuditEvent.objects.get(action="pii.reveal.phone")
    assert (event.actor, event.reason, event.target_id) == (
        actors.manager,
        "上门核实联系方式",
        str(person.pk),
    )
    assert PHONE not in repr(event.data)


@pytest.mark.parametrize(
    ("who", "error"),
    [("guard", PermissionDenied), ("outsider", Http404), ("street", PermissionDenied)],
)
def test_reveal_refused_for_others(person, actors, who, error):
    with pytest.raises(error):
        person_reveal(
            actor=getattr(actors, who), person=person, field="document", reason="随便看看看"
        )


@pytest.mark.parametrize(("who", "error"), [("guard", PermissionDenied), ("outsider", Http404)])
def test_writes_refused_for_lower_role_and_outsider(household, person, actors, who, error):
    actor = getattr(actors, who)
    with pytest.raises(error):
        person_add(actor=actor, household=household, data=PersonData(name="张三"))
    with pytest.raises(error):
        person_update(
            actor=actor, person=person, version=person.version, data=PersonData(name="张三")
        )
    with pytest.raises(error):
        household_register(actor=actor, building=household.building, door_number="999")


def test_search_kinds_and_scope(person, actors):
    def found(query, who="manager"):
        return [p.pk for p in selectors.person_search(actor=getattr(actors, who), query=query)]

    assert found("王小明") == [person.pk]
    assert found("小明") == [person.pk]
    assert found("wxm") == [person.pk]
    assert found("WX") == [person.pk]
    assert found("8000") == [person.pk]  # phone tail
    assert found(_valid_id()[-4:]) == [person.pk]  # ID tail
    assert found(_valid_id().lower()) == [person.pk]  # whole ID, exact
    assert found("138 0013 8000") == [person.pk]  # whole phone, exact
    assert found("13800138001") == []
    assert found("王小明", who="guard") == [person.pk]  # guards read
    assert found("王小明", who="outsider") == []
    assert found("王小明", who="member") == []
    assert found("") == []


def test_household_lists_are_scoped(household, person, actors, tree):
    assert [h.pk for h in selectors.household_list(actor=actors.street)] == [household.pk]
    assert list(selectors.household_list(actor=actors.outsider)) == []
    assert selectors.household_list(actor=actors.manager, area=tree.grid2).count() == 0
    (row,) = selectors.ledger_rows(
        list(selectors.household_list(actor=actors.manager)), within=None
    )
    assert (row.head, row.size) == ("王小明", 1)
    assert row.place == "源西街道 · 新港路社区 · 第01网格"
    (row,) = selectors.ledger_rows([household], within=tree.community)
    assert row.place == "第01网格"  # the levels below the ledger's own area
    with pytest.raises(Http404):
        selectors.household_for(actor=actors.outsider, pk=household.pk)
    with pytest.raises(Http404):
        selectors.person_for(actor=actors.member, pk=person.pk)


def test_name_pieces():
    from jijie.residents.names import grams

    assert grams("王小明") == {"王", "小", "明", "王小", "小明"}
    assert grams("欧阳") == {"欧", "阳", "欧阳"}


def test_name_index_follows_edits_and_moves(person, tree, actors):
    def found(query, who="manager"):
        return [p.pk for p in selectors.person_search(actor=getattr(actors, who), query=query)]

    assert found("明") == [person.pk]
    updated = person_update(
        actor=actors.manager,
        person=person,
        version=person.version,
        data=PersonData(name="陈大文", relation="head", document_number=None, phone=None),
    ).person
    assert found("大文") == [person.pk]
    assert found("小明") == []
    other = household_register(
        actor=actors.manager, building=Area.objects.get(code="441602004001-02-003"), door_number="9"
    )
    person_move(actor=actors.manager, person=updated, version=updated.version, household=other)
    assert found("陈大") == [person.pk]
    assert [
        p.pk for p in selectors.person_search(actor=actors.manager, query="陈", area=tree.grid)
    ] == []
    assert [
        p.pk for p in selectors.person_search(actor=actors.manager, query="陈", area=tree.grid2)
    ] == [person.pk]


def test_a_sex_contradicting_the_id_number_is_a_warning(household, actors):
    # the number's sex digit (3, odd) says male
    saved = person_add(
        actor=actors.manager,
        household=household,
        data=PersonData(name="王小明", document_number=_valid_id(), sex="F"),
    )
    assert saved.person.sex == "M"
    assert any("性别" in w for w in saved.warnings)


def test_name_search_reads_the_first_candidates_in_area_order(tree, actors):
    """A common piece with more entries than the first batch: the candidates are the
    first in area order, whatever order the people were registered in."""
    from jijie.residents.models import Household, NameGram
    from jijie.residents.selectors import NAME_CANDIDATES

    buildings = list(
        Area.objects.filter(path__startswith=tree.community.path, kind="building").order_by("path")
    )
    first, last = buildings[0], buildings[-1]
    people = []
    # The last building's people first (lower ids, earlier in the table), then the first's.
    for building, count in ((last, NAME_CANDIDATES[0] + 100), (first, 60)):
        household = Household.objects.create(
            building=building, area_path=building.path, door_number="1"
        )
        people += [
            Person(household=household, area_path=building.path, name=f"王{i:03d}")
            for i in range(count)
        ]
    from jijie.residents.names import grams_for

    NameGram.objects.bulk_create(grams_for(Person.objects.bulk_create(people)))
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ANALYZE residents_namegram")
    found = selectors.person_search(actor=actors.manager, query="王")
    assert len(found) == selectors.SEARCH_LIMIT
    assert {p.area_path for p in found} == {first.path}
    assert [p.name for p in found] == [f"王{i:03d}" for i in range(50)]


def test_a_deleted_persons_name_pieces_go_with_them(person):
    from jijie.residents.models import NameGram

    assert NameGram.objects.filter(person=person).count() == 5
    Person.objects.filter(pk=person.pk).delete()
    assert not NameGram.objects.exists()
