"""The migration that took the clear birth dates out of the registry and the members:
existing rows keep their dates, encrypted, with the year in clear; reversing restores
them."""

from datetime import date

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from jijie.core import pii

BEFORE = [("residents", "0009_export_masked"), ("mobilization", "0004_sign_up_attempt")]
AFTER = [("residents", "0010_birth_date_encrypted"), ("mobilization", "0005_birth_date_encrypted")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_birth_dates_are_encrypted_and_the_clear_column_dropped():
    try:
        # given: rows as they were stored before
        old = migrate(BEFORE)
        building = old.get_model("areas", "Area").objects.create(
            path="0001", depth=1, name="1栋", kind="building", code="441602004001-01-001"
        )
        household = old.get_model("residents", "Household").objects.create(
            building=building, area_path="0001", door_number="101"
        )
        people = old.get_model("residents", "Person").objects
        people.create(
            household=household, area_path="0001", name="甲", birth_date=date(1990, 2, 28)
        )
        people.create(household=household, area_path="0001", name="乙")
        old.get_model("mobilization", "Member").objects.create(
            name="丙", kind="party_member", birth_date=date(1985, 5, 1)
        )
        # when
        new = migrate(AFTER)
        # then
        Person = new.get_model("residents", "Person")
        assert "birth_date" not in {f.name for f in Person._meta.get_fields()}
        with connection.cursor() as cursor:
            columns = connection.introspection.get_table_description(cursor, "residents_person")
        assert "birth_date" not in {column.name for column in columns}
        dated = Person.objects.get(name="甲")
        assert dated.birth_year == 1990
        assert pii.decrypt(dated.birth_date_cipher) == "1990-02-28"
        undated = Person.objects.get(name="乙")
        assert (undated.birth_year, undated.birth_date_cipher) == (None, None)
        member = new.get_model("mobilization", "Member").objects.get(name="丙")
        assert member.birth_year == 1985
        assert pii.decrypt(member.birth_date_cipher) == "1985-05-01"
        # and back
        old = migrate(BEFORE)
        assert old.get_model("residents", "Person").objects.get(name="甲").birth_date == date(
            1990, 2, 28
        )
        assert old.get_model("mobilization", "Member").objects.get().birth_date == date(1985, 5, 1)
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_the_name_index_is_rebuilt_under_its_new_key():
    try:
        old = migrate([("residents", "0012_import_job_stepped_at")])
        building = old.get_model("areas", "Area").objects.create(
            path="0002", depth=1, name="2栋", kind="building", code="441602004001-01-002"
        )
        household = old.get_model("residents", "Household").objects.create(
            building=building, area_path="0002", door_number="101"
        )
        people = old.get_model("residents", "Person").objects
        first = people.create(household=household, area_path="0002", name="王小明")
        second = people.create(household=household, area_path="0002", name="欧阳")
        new = migrate([("residents", "0013_name_gram_keyed")])
        grams = new.get_model("residents", "NameGram").objects
        assert sorted(grams.filter(person_id=first.pk).values_list("gram", flat=True)) == sorted(
            ["王", "小", "明", "王小", "小明"]
        )
        assert set(grams.filter(person_id=second.pk).values_list("gram", "area_path")) == {
            ("欧", "0002"), ("阳", "0002"), ("欧阳", "0002")
        }  # fmt: skip
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
