"""Supplies on home and in the menu: what is short under the user's areas (stores under
their minimum, requests past their day), requests from below waiting for a decision or
a transfer, and supplies on their way to be signed for."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core import decimals
from jijie.core.home import Card, provides_badge, provides_home
from jijie.supplies import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User

SHOWN = 3  # shortages named on the card; the page lists them all


@provides_home
def shortages(user: User) -> list[Card]:
    roots = access.scope_roots(user, Action.SUPPLY_VIEW)
    if not roots:
        return []
    today = timezone.localdate()
    short = [s for root in roots for s in selectors.short_stores(root.path)]
    overdue = sum(selectors.overdue_requests(root.path, today).count() for root in roots)
    if not short and not overdue:
        return []
    named = [
        f"{s.store.name} {s.item.name} {decimals.plain(s.held)}/{decimals.plain(s.minimum)}"
        for s in short[:SHOWN]
    ]
    if overdue:
        named.append(str(_("逾期申请 %(n)s 份") % {"n": overdue}))
    return [
        Card(
            title=str(_("物资缺口")),
            url=reverse("supplies:index"),
            action=_("查看物资"),
            count=len(short) + overdue,
            note="、".join(named),
            key="supplies-short",
            order=7,
        )
    ]


@provides_home
def requests_waiting(user: User) -> list[Card]:
    waiting = selectors.waiting_count(user)
    if not waiting:
        return []
    return [
        Card(
            title=str(_("待处理的物资申请")),
            url=reverse("supplies:requests"),
            action=_("去审批"),
            count=waiting,
            key="supplies-requests",
            order=8,
        )
    ]


@provides_home
def transfers_to_sign(user: User) -> list[Card]:
    arriving = list(selectors.arriving(user)[:2])
    if not arriving:
        return []
    first = arriving[0]
    return [
        Card(
            title=str(_("待签收的物资")),
            url=reverse("supplies:store", args=[first.to_store_id]),
            action=_("去签收"),
            count=selectors.arriving(user).count(),
            note=_("%(source)s 调来") % {"source": first.from_store.name},
            key="supplies-arriving",
            order=9,
        )
    ]


@provides_badge("supplies")
def supplies_badge(user: User) -> int:
    return selectors.waiting_count(user)
