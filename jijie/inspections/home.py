"""Inspections on home and in the menu: an inspector's visits of the plans begun, the
rectification orders sent to the user's office (the overdue named), and the fixes
reported and waiting for the team's recheck."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.home import Card, provides_badge, provides_home
from jijie.inspections import selectors
from jijie.inspections.models import Order, OrderState

if TYPE_CHECKING:
    from jijie.accounts.models import User


@provides_home
def visits_due(user: User) -> list[Card]:
    if not access.scope_paths(user, Action.INSPECTION_VIEW):
        return []  # a team's inspectors read inspections by their role: nobody else asks
    # A plan's visits may be made any day once it has begun; its days are a suggestion.
    due = selectors.my_visits(user).filter(plan__starts_on__lte=timezone.localdate())
    count = due.count()
    if not count:
        return []
    first = due.first()
    return [
        Card(
            title=str(_("待检查的督查点位")),
            url=reverse("inspections:index"),
            action=_("去检查"),
            count=count,
            note=first.label if first else "",
            key="inspections-visits",
            order=5,
        )
    ]


def _to_fix(user: User):  # type: ignore[no-untyped-def]
    return Order.objects.filter(
        owner_path__in=access.scope_paths(user, Action.INSPECTION_RECTIFY), state=OrderState.OPEN
    )


@provides_home
def orders_to_fix(user: User) -> list[Card]:
    # The open orders and the overdue among them, counted in one statement.
    counts = _to_fix(user).aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=timezone.now()))
    )
    count, overdue = counts["n"], counts["overdue"]
    if not count:
        return []
    return [
        Card(
            title=str(_("待整改的督查问题")),
            url=reverse("inspections:orders") + "?state=open",
            action=_("去整改"),
            count=count,
            note=_("其中逾期 %(n)s 件") % {"n": overdue} if overdue else "",
            key="inspections-orders",
            order=5,
        )
    ]


@provides_home
def fixes_to_recheck(user: User) -> list[Card]:
    if not access.scope_paths(user, Action.INSPECTION_VIEW):
        return []
    count = Order.objects.filter(
        state=OrderState.REPORTED, finding__visit__plan__team__members=user.pk
    ).count()
    if not count:
        return []
    return [
        Card(
            title=str(_("待复查的整改")),
            url=reverse("inspections:orders") + "?state=reported",
            action=_("去复查"),
            count=count,
            key="inspections-recheck",
            order=5,
        )
    ]


@provides_badge("inspections")
def inspections_badge(user: User) -> int:
    return int(_to_fix(user).count())
