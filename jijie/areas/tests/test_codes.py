import pytest
from django.core.exceptions import ValidationError

from jijie.areas.codes import is_well_formed, validate_child_code
from jijie.areas.models import AreaKind


@pytest.mark.parametrize(
    ("kind", "code", "parent"),
    [
        (AreaKind.CITY, "441600", None),
        (AreaKind.DISTRICT, "441602", "441600"),
        (AreaKind.STREET, "441602004000", "441602"),
        (AreaKind.TOWN, "441602100000", "441602"),
        (AreaKind.COMMUNITY, "441602004001", "441602004000"),
        (AreaKind.VILLAGE, "441602100201", "441602100000"),
        (AreaKind.GRID, "441602004001-01", "441602004001"),
        (AreaKind.BUILDING, "441602004001-01-017", "441602004001-01"),
    ],
)
def test_well_formed_codes_are_accepted(kind, code, parent):
    assert validate_child_code(kind=kind, code=f" {code} ", parent_code=parent) == code
    assert is_well_formed(code)


@pytest.mark.parametrize(
    ("kind", "code", "parent", "reason"),
    [
        (AreaKind.CITY, "441602", None, "malformed"),  # a district code, not a city
        (AreaKind.CITY, "440000", None, "malformed"),  # a province
        (AreaKind.CITY, "4416", None, "malformed"),
        (AreaKind.DISTRICT, "441700", "441600", "malformed"),
        (AreaKind.DISTRICT, "441702", "441600", "not_under_parent"),
        (AreaKind.STREET, "441602004", "441602", "malformed"),
        (AreaKind.STREET, "441602004001", "441602", "malformed"),
        (AreaKind.STREET, "441603004000", "441602", "not_under_parent"),
        (AreaKind.COMMUNITY, "441602004000", "441602004000", "malformed"),
        (AreaKind.COMMUNITY, "441602005001", "441602004000", "not_under_parent"),
        (AreaKind.COMMUNITY, "44160200400A", "441602004000", "malformed"),
        (AreaKind.GRID, "441602004002-01", "441602004001", "malformed"),
        (AreaKind.GRID, "441602004001-x1", "441602004001", "malformed"),
        (AreaKind.BUILDING, "441602004001-01-12345", "441602004001-01", "malformed"),
        (AreaKind.DISTRICT, "441602", None, "no_parent"),
    ],
)
def test_bad_codes_are_refused_with_a_reason(kind, code, parent, reason):
    with pytest.raises(ValidationError) as info:
        validate_child_code(kind=kind, code=code, parent_code=parent)
    assert info.value.code == reason
    assert info.value.messages[0]  # a message a person can read


@pytest.mark.parametrize(
    "junk", ["", "abc", "4416", "441600'; drop", "441602004001-01-001-1", "../x"]
)
def test_junk_is_not_well_formed(junk):
    assert not is_well_formed(junk)
