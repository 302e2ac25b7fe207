"""What supplies offers on a household's page — issuing to it (an isolated household's
parcel) — and beside each member deployed to a community (their protective kit): from
the nearest store above that the user keeps."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.core.offers import Offer
from jijie.mobilization.actions import offers_for_deployed_members
from jijie.residents.actions import offers_for_household
from jijie.supplies import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User
    from jijie.areas.models import Area
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


@offers_for_deployed_members
def issue_to_member(user: User, community: Area) -> list[Offer]:
    store = selectors.nearest_kept_store(user, community.path)
    if store is None:
        return []
    return [
        Offer(
            label=_("发放物资"),
            url=reverse("supplies:issue", args=[store.pk]),
            note=_("从%(store)s") % {"store": store.name},
            key="supplies-issue-member",
            order=40,
        )
    ]
