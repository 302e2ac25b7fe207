"""Amounts and quantities as people type them: one reading for every way in.

Money and stock are exact (`Decimal`, never float), and what is typed is read strictly:
a value that could mean two things, or that a float would have mangled, is refused with
the field and the reason rather than guessed at. Refused:

- what is not a plain decimal: `NaN`, `Infinity`, exponents (`1e400`), a thousands
  separator (`1,000.00`: is it one thousand or one?), full-width digits (`１００`, which
  an input method slips in unseen) — each told apart, so the person knows what to fix;
- a sign: amounts and quantities are positive, the direction is the action's (an issue
  takes out, a receipt puts in); `-0.00` and `0` are nothing to record;
- more places than the unit allows (`0.001` yuan; `1.5` masks of an item counted whole);
- more than the ceiling a real ledger could hold.

Floats and Decimals given by code go through the same reading (as their text), so a
service called from an import or a test cannot slip past what a form would refuse.
"""

from __future__ import annotations

import re
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Digits, at most one point, digits after it: nothing else is a plain decimal.
_PLAIN = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_FULL_WIDTH = re.compile(r"[\uff10-\uff19\uff0e\uff0c]")
_WORDS = re.compile(r"(?i)nan|inf|infinity|snan")

MONEY_PLACES = 2
QUANTITY_PLACES = 3
MONEY_CEILING = Decimal("1000000000")  # a billion yuan in one posting
QUANTITY_CEILING = Decimal("100000000")  # a hundred million of one item in one movement


def _read(raw: object, *, field: str, label: str, zero: bool = False) -> Decimal:
    text = "" if raw is None else str(raw).strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if _FULL_WIDTH.search(text):
        raise ValidationError(
            {field: _("%(label)s请用半角数字填写(如 100),不要用全角数字。") % {"label": label}}
        )
    if text[0] in "+-":
        if _PLAIN.fullmatch(text[1:]) and not Decimal(text[1:]):
            if zero:
                return Decimal(0)
            raise ValidationError({field: _("%(label)s须大于零。") % {"label": label}})
        raise ValidationError({field: _("%(label)s须为正数,不要带正负号。") % {"label": label}})
    if "," in text:
        raise ValidationError(
            {
                field: _("%(label)s中不要用千位分隔符(如 1000.00,而不是 1,000.00)。")
                % {"label": label}
            }
        )
    if not _PLAIN.fullmatch(text):
        if _WORDS.fullmatch(text) or "e" in text.lower():
            raise ValidationError(
                {field: _("%(label)s须为普通的十进制数字,如 100 或 12.50。") % {"label": label}}
            )
        raise ValidationError(
            {field: _("%(label)s“%(value)s”不是数字。") % {"label": label, "value": text[:20]}}
        )
    return Decimal(text)


def _bounded(
    value: Decimal,
    *,
    field: str,
    label: str,
    places: int,
    ceiling: Decimal,
    zero: bool = False,
) -> Decimal:
    if not value and not zero:
        raise ValidationError({field: _("%(label)s须大于零。") % {"label": label}})
    if value != value.quantize(Decimal(1).scaleb(-places)):
        raise ValidationError(
            {field: _("%(label)s最多 %(n)s 位小数。") % {"label": label, "n": places}}
        )
    if value > ceiling:
        raise ValidationError(
            {field: _("%(label)s不能超过 %(max)s。") % {"label": label, "max": f"{ceiling:,}"}}
        )
    return value.quantize(Decimal(1).scaleb(-places))


def money(raw: object, *, field: str = "amount", label: str | None = None) -> Decimal:
    """A positive amount of yuan to the cent, from what was typed or given."""
    label = label or _("金额")
    value = _read(raw, field=field, label=label)
    return _bounded(value, field=field, label=label, places=MONEY_PLACES, ceiling=MONEY_CEILING)


def quantity(
    raw: object,
    *,
    whole: bool,
    field: str = "quantity",
    label: str | None = None,
    zero: bool = False,
) -> Decimal:
    """A positive quantity of an item: whole units for an item counted one by one
    (`whole`), else to a thousandth (litres, kilograms). With `zero`, nothing at all is
    a quantity too (a count of an empty shelf)."""
    label = label or _("数量")
    value = _read(raw, field=field, label=label, zero=zero)
    if whole and value != value.to_integral_value():
        raise ValidationError({field: _("%(label)s须为整数:这种物资按件计数。") % {"label": label}})
    return _bounded(
        value, field=field, label=label, places=0 if whole else QUANTITY_PLACES,
        ceiling=QUANTITY_CEILING, zero=zero,
    )  # fmt: skip


def plain(value: Decimal) -> str:
    """A quantity as people write it: 500, 12.25, never 5E+2 nor 12.250."""
    return format(value.normalize(), "f")


def yuan(value: Decimal) -> str:
    """Money as ledgers and notices write it: 1,351,824.99, always two places."""
    return f"{value:,.2f}"
