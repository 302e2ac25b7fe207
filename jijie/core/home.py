"""What each app puts on a user's home page: cards of today's work, registered by the
apps above (a lower app, accounts, renders them without importing them).

An app registers a provider in its `AppConfig.ready`; the home page asks every provider
for the signed-in user's cards. A provider answers quickly (a few queries) and only
with what is the user's to do: the home page is every user's first page.
"""

from __future__ import annotations

from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from django.utils.functional import Promise


@dataclass(frozen=True)
class Card:
    title: str
    url: str
    action: str | Promise = ""  # the button's words, e.g. 扫码登记
    count: int | None = None  # a badge: how many are waiting
    note: str | Promise = ""
    key: str = ""  # for the page's tests (data-testid)
    order: int = 100  # smaller first


Provider = Callable[[Any], list[Card]]
_PROVIDERS: list[Provider] = []


def provides_home(provider: Provider) -> Provider:
    """Register `provider(user) -> cards`; used as a decorator."""
    if provider not in _PROVIDERS:
        _PROVIDERS.append(provider)
    return provider


T = TypeVar("T")
# What the providers of one home page share (`shared`); None outside `cards_for`.
_SHARED: ContextVar[dict[str, Any] | None] = ContextVar("home_shared", default=None)


def shared(key: str, read: Callable[[], T]) -> T:
    """`read()`, read once a home page for every provider that asks for `key` (a
    member's shifts and errands both start from the user's member record); outside a
    home page, read each time."""
    memo = _SHARED.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    found: T = memo[key]
    return found


def cards_for(user: Any) -> list[Card]:
    """Every app's cards for `user`, in order."""
    token = _SHARED.set({})
    try:
        return sorted((card for p in _PROVIDERS for card in p(user)), key=lambda c: c.order)
    finally:
        _SHARED.reset(token)


# Menu badges: how many things wait behind a menu entry (open alerts behind 关怀,
# claims to confirm behind 值守). The page is drawn without them; the shell then asks
# for them in one small request (core:badges), so that no page pays for them.
Counter = Callable[[Any], int]
_BADGES: dict[str, list[Counter]] = {}


def provides_badge(key: str) -> Callable[[Counter], Counter]:
    """Register `counter(user) -> int` for the menu entry `key`; used as a decorator."""

    def register(counter: Counter) -> Counter:
        counters = _BADGES.setdefault(key, [])
        if counter not in counters:
            counters.append(counter)
        return counter

    return register


def badge_keys() -> list[str]:
    return list(_BADGES)


def badges_for(user: Any, keys: list[str]) -> dict[str, int]:
    """The badges of the menu entries `keys` the user sees, those above zero."""
    counts = {key: sum(counter(user) for counter in _BADGES.get(key, [])) for key in keys}
    return {key: n for key, n in counts.items() if n > 0}
