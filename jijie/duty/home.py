"""Duty's cards on home: a member's next shift and the shifts they may claim; a
community's claims waiting to be confirmed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from jijie.areas import access
from jijie.areas.access import Action
from jijie.core.home import Card, provides_badge, provides_home, shared
from jijie.duty import selectors
from jijie.mobilization.selectors import member_of

if TYPE_CHECKING:
    from jijie.accounts.models import User


@provides_home
def my_shifts(user: User) -> list[Card]:
    member = shared("member", lambda: member_of(user))
    if member is None:
        return []
    upcoming = selectors.upcoming_shifts(member, limit=1)
    claimable = [s for s, refusal in selectors.open_shifts_for(member) if refusal is None]
    if not upcoming and not claimable:
        return []
    note: str | Promise = ngettext(
        "暂无已排的班次,%(count)d 个班次可认领",
        "暂无已排的班次,%(count)d 个班次可认领",
        len(claimable),
    ) % {"count": len(claimable)}
    if upcoming:
        first = upcoming[0]
        note = _("下一班:%(when)s %(post)s") % {
            "when": timezone.localtime(first.starts_at).strftime("%m-%d %H:%M"),
            "post": first.shift.demand.post_type.name,
        }
    return [
        Card(
            title=str(_("我的值守")),
            url=reverse("duty:mine"),
            action=_("查看与认领"),
            count=len(claimable),
            note=note,
            key="shifts",
            order=20,
        )
    ]


@provides_home
def claims_to_confirm(user: User) -> list[Card]:
    waiting = selectors.pending_claims_count(user)
    if not waiting:
        return []
    communities = access.scope_roots(user, Action.DUTY_MANAGE)
    return [
        Card(
            title=str(_("待确认的认领")),
            url=reverse("duty:board", args=[communities[0].code]),
            action=_("去确认"),
            count=waiting,
            key="claims",
            order=8,
        )
    ]


@provides_badge("duty")
def claims_badge(user: User) -> int:
    return selectors.pending_claims_count(user)


@provides_home
def gaps_soon(user: User) -> list[Card]:
    """A community's shifts of today and tomorrow still short of people."""
    short = selectors.gaps_count(user)
    if not short:
        return []
    communities = access.scope_roots(user, Action.DUTY_MANAGE)
    return [
        Card(
            title=str(_("缺岗")),
            url=reverse("duty:board", args=[communities[0].code]),
            action=_("去排班"),
            count=short,
            note=_("今明两天人手不足的班次"),
            key="gaps",
            order=9,
        )
    ]
