"""Links to what may be done for a record, registered by the apps that do it: a lower
app's page (an area's, a household's) lists them without importing the apps above it.

An app registers a provider in its `AppConfig.ready`; a provider answers with a few
queries and only with what the signed-in user may do for that record, each link
arriving on its form with the record already chosen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, TypeVar

if TYPE_CHECKING:
    from django.utils.functional import Promise

T = TypeVar("T")


@dataclass(frozen=True)
class Offer:
    label: str | Promise  # the link's words: 登记居家隔离
    url: str
    note: str | Promise = ""  # the state it follows from: 居家隔离,至 03-23
    key: str = ""  # for the page's tests (data-testid)
    order: int = 100  # smaller first


class Offers(Generic[T]):
    """One kind of record's registry of offers."""

    def __init__(self) -> None:
        self._providers: list[Callable[[Any, T], list[Offer]]] = []

    def register(
        self, provider: Callable[[Any, T], list[Offer]]
    ) -> Callable[[Any, T], list[Offer]]:
        """Register `provider(user, record) -> offers`; used as a decorator."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def for_user(self, user: Any, record: T) -> list[Offer]:
        """Every app's offers for `record` that `user` may take, in order."""
        found = (offer for provider in self._providers for offer in provider(user, record))
        return sorted(found, key=lambda offer: offer.order)
