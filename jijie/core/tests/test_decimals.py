"""Amounts and quantities read strictly: each bad value refused with its reason."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from jijie.core import decimals


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("NaN", "十进制"),
        ("Infinity", "十进制"),
        ("-Infinity", "正数"),
        ("1e400", "十进制"),
        ("-5", "正数"),
        ("0.001", "2 位小数"),
        ("-0.00", "大于零"),
        ("0", "大于零"),
        ("1,000.00", "千位"),
        ("１００", "半角"),
        ("", "请填写"),
        (None, "请填写"),
        ("12元", "不是数字"),
        ("1.2.3", "不是数字"),
        ("2000000000", "不能超过"),
        (float("nan"), "十进制"),
    ],
)
def test_a_bad_amount_is_refused_with_its_reason(raw, reason):
    with pytest.raises(ValidationError) as refused:
        decimals.money(raw, field="amount")
    (message,) = refused.value.message_dict["amount"]
    assert reason in message


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("12.5", Decimal("12.50")),
        (" 1351824.99 ", Decimal("1351824.99")),
        (Decimal("0.10"), Decimal("0.10")),
        (".5", Decimal("0.50")),
        (1000, Decimal("1000.00")),
    ],
)
def test_a_good_amount_is_exact_to_the_cent(raw, value):
    read = decimals.money(raw)
    assert read == value
    assert read.as_tuple().exponent == -2


def test_ten_dimes_are_a_yuan():
    assert sum((decimals.money("0.10") for _ in range(10)), Decimal(0)) == Decimal("1.00")


def test_a_quantity_counted_whole_or_measured():
    assert decimals.quantity("60", whole=True) == 60
    assert decimals.quantity("2.125", whole=False) == Decimal("2.125")
    assert decimals.quantity("0", whole=True, zero=True) == 0
    with pytest.raises(ValidationError, match="整数"):
        decimals.quantity("1.5", whole=True)
    with pytest.raises(ValidationError, match="3 位小数"):
        decimals.quantity("0.0005", whole=False)
    with pytest.raises(ValidationError, match="大于零"):
        decimals.quantity("0", whole=True)
