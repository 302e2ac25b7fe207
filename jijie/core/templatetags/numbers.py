"""Numbers on pages: `{{ value|quantity }}` shows a Decimal as people write it;
`{{ value|yuan }}` shows money as ledgers do, 1,351,824.99; `{{ rate|percent }}` a rate."""

from __future__ import annotations

from decimal import Decimal

from django import template

from jijie.core import decimals

register = template.Library()


@register.filter
def quantity(value: Decimal | None) -> str:
    return "" if value is None else decimals.plain(value)


@register.filter
def yuan(value: Decimal | None) -> str:
    return "" if value is None else decimals.yuan(value)


@register.filter
def percent(value: float | None) -> str:
    """A rate (0 to 1) as a percentage with one decimal, 87.5%; a rate of nothing
    (no problems to count it over) as a dash."""
    return "—" if value is None else f"{value * 100:.1f}%"
