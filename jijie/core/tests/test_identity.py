from datetime import date

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn.ric import calc_check_digit

from jijie.core.identity import (
    DocumentType,
    check_document,
    check_phone,
    check_resident_id,
    looks_damaged_by_excel,
)

STANDARD_EXAMPLE = "11010519491231002X"  # GB 11643-1999's own example


def test_the_standards_example():
    checked = check_resident_id(STANDARD_EXAMPLE)
    assert checked.value == STANDARD_EXAMPLE
    assert checked.birth_date == date(1949, 12, 31)
    assert checked.sex == "F"
    assert checked.warnings == []


@pytest.mark.parametrize(
    "raw",
    [
        "11010519491231002x",
        " 110105 19491231 002X ",
        "１１０１０５１９４９１２３１００２Ｘ",
        "110105-19491231-002x",
        "110105\u300019491231002X",
    ],
)
def test_normalisation(raw):
    assert check_resident_id(raw).value == STANDARD_EXAMPLE


def _valid_ids():
    addresses = st.sampled_from(["110105", "441602", "440303", "310101", "510104", "441625"])
    dates = st.dates(min_value=date(1900, 1, 1), max_value=date(2024, 12, 31))
    sequences = st.integers(min_value=0, max_value=999)

    def build(address, born, seq):
        body = f"{address}{born:%Y%m%d}{seq:03d}"
        return body + calc_check_digit(body + "0")

    return st.builds(build, addresses, dates, sequences)


@given(
    number=_valid_ids(), position=st.integers(min_value=0, max_value=17), delta=st.integers(1, 9)
)
def test_any_single_digit_change_is_caught(number, position, delta):
    assert check_resident_id(number).value == number
    alphabet = "0123456789X" if position == 17 else "0123456789"
    current = alphabet.index(number[position])
    changed = alphabet[(current + delta) % len(alphabet)]
    mutated = number[:position] + changed + number[position + 1 :]
    with pytest.raises(ValidationError):
        check_resident_id(mutated)


@given(number=_valid_ids())
def test_fifteen_digit_numbers_upgrade_to_the_same_eighteen(number):
    if number[6:8] != "19":
        return
    old = number[:6] + number[8:17]
    checked = check_resident_id(old)
    assert checked.value == number
    assert any("15 位" in w for w in checked.warnings)


def test_retired_address_code_is_a_warning():
    body = "11010319491231002"  # 崇文区, merged into 东城区 in 2010
    checked = check_resident_id(body + calc_check_digit(body + "0"))
    assert checked.warnings
    assert "撤销" in checked.warnings[0]


def test_unknown_county_warns_and_unknown_province_fails():
    body = "45999919900101123"
    assert check_resident_id(body + calc_check_digit(body + "0")).warnings
    body = "99010319491231002"
    with pytest.raises(ValidationError) as info:
        check_resident_id(body + calc_check_digit(body + "0"))
    assert info.value.code == "province"


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("441602199002301238", "date"),  # 30 February
        ("441602209901011234", "date"),  # born in the future
        ("4416021990010112", "format"),
        ("44160219900101123Y", "format"),
        ("", "format"),
        (4.41602e17, "damaged"),
        ("4.41602E+17", "damaged"),
        ("441602198506123000", "damaged"),  # Excel zeroed the last digits
    ],
)
def test_bad_id_numbers(raw, code):
    with pytest.raises(ValidationError) as info:
        check_resident_id(raw)
    assert info.value.code == code
    assert info.value.messages[0]


def test_excel_damage_detector_leaves_good_numbers_alone():
    assert not looks_damaged_by_excel(STANDARD_EXAMPLE)
    assert looks_damaged_by_excel(441602199001011000.0)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        ("１３８００１３８０００", "13800138000"),
        ("0762-3386000", "07623386000"),
        ("(0762)3386000", "07623386000"),
    ],
)
def test_phones(raw, expected):
    assert check_phone(raw) == expected


@pytest.mark.parametrize("raw", ["12345678901", "1380013800", "138001380001", "3386000", "abc"])
def test_bad_phones(raw):
    with pytest.raises(ValidationError):
        check_phone(raw)


@pytest.mark.parametrize(
    ("kind", "raw", "ok"),
    [
        (DocumentType.HK_MO_PERMIT, "h12345678", True),
        (DocumentType.HK_MO_PERMIT, "X12345678", False),
        (DocumentType.TW_PERMIT, "12345678", True),
        (DocumentType.PASSPORT, "E12345678", True),
        (DocumentType.PASSPORT, "E1", False),
        ("library_card", "123", False),
    ],
)
def test_other_documents(kind, raw, ok):
    if ok:
        assert check_document(kind, raw).document_type == kind
    else:
        with pytest.raises(ValidationError):
            check_document(kind, raw)
