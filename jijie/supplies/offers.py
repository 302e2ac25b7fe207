"""What supplies offers on a household's page: issuing to it (an isolated household's
parcel) from the nearest store above it that the user keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.core.offers import Offer
from jijie.residents.actions import offers_for_household
from jijie.supplies import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.residents.models import Household


@offers_for_household
def issue_to(user: User, household: Household) -> list[Offer]:
    store = selectors.nearest_kept_store(user, household.area_path)
    if store is None:
        return []
    return [
        Offer(
            label=_("发放物资"),
            url=reverse("supplies:issue", args=[store.pk])
            + "?"
            + urlencode({"household": household.pk}),
            note=_("从%(store)s") % {"store": store.name},
            key="supplies-issue",
            order=40,
        )
    ]
