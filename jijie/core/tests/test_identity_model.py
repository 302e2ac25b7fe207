"""One identity, kept one way and checked one way, wherever a person is recorded."""

from django.apps import apps

from jijie.core.models import Identity, check_identity

GOOD_ID = "11010519491231002X"


def test_every_model_that_keeps_an_identity_keeps_it_as_identity():
    keepers = {
        m._meta.label
        for m in apps.get_models()
        if {"document_hash", "phone_hash"} <= {f.name for f in m._meta.fields}
    }
    assert keepers == {"residents.Person", "mobilization.Member"}
    assert all(issubclass(apps.get_model(label), Identity) for label in keepers)


def test_what_is_wrong_is_named_under_its_field_not_raised():
    found = check_identity("resident_id", "110105194912310021", "12345")
    assert found.document is None
    assert found.phone is None
    assert set(found.errors) == {"document_number", "phone"}


def test_given_values_are_checked_and_blank_ones_left_alone():
    found = check_identity("resident_id", f" {GOOD_ID} ", "138 0013 8000")
    assert found.errors == {}
    assert found.document is not None
    assert found.document.value == GOOD_ID
    assert found.document.sex == "F"
    assert found.phone == "13800138000"
    assert check_identity("resident_id", "  ", None) == check_identity("resident_id", None, "")
