"""Care's cards on home: a supervisor's follow-ups due today, a community's open alerts
(fevers, missed follow-ups, overdue errands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.care import selectors
from jijie.core.home import Card, provides_badge, provides_home, shared
from jijie.mobilization.selectors import member_of

if TYPE_CHECKING:
    from jijie.accounts.models import User


@provides_home
def follow_ups_due(user: User) -> list[Card]:
    cases, waiting = selectors.due_counts(user)
    if not cases:
        return []
    return [
        Card(
            title=str(_("今日随访")),
            url=reverse("care:day"),
            action=_("去随访"),
            count=waiting,
            note=_("监管 %(n)s 户") % {"n": cases},
            key="follow-ups",
            order=15,
        )
    ]


@provides_home
def open_alerts(user: User) -> list[Card]:
    open_ = selectors.open_alert_count(user)
    if not open_:
        return []
    root = access.scope_roots(user, Action.CARE_MANAGE)[0]
    return [
        Card(
            title=str(_("待处理预警")),
            url=reverse("care:board", args=[root.code]),
            action=_("去处理"),
            count=open_,
            note=_("发热、漏访、逾期代办"),
            key="alerts",
            order=5,
        )
    ]


@provides_home
def my_errands(user: User) -> list[Card]:
    member = shared("member", lambda: member_of(user))
    found = None if member is None else selectors.member_errands(user, member=member)
    if found is None or not (found.mine or found.claimable):
        return []
    open_ = [row for row in found.mine if row.errand.is_open]
    return [
        Card(
            title=str(_("代办")),
            url=reverse("care:mine"),
            action=_("查看代办"),
            count=len(open_),
            note=_("可认领 %(n)s 件") % {"n": len(found.claimable)},
            key="errands",
            order=25,
        )
    ]


@provides_badge("care")
def alerts_badge(user: User) -> int:
    return selectors.open_alert_count(user)


@provides_home
def alerts_over_communities(user: User) -> list[Card]:
    """For a street or the command: the communities with the most alerts not yet
    handled, leading to the first one's board."""
    if access.scope_paths(user, Action.CARE_MANAGE):
        return []  # a community's own card says it (open_alerts)
    worst = selectors.alerts_by_community(user)
    if not worst:
        return []
    return [
        Card(
            title=str(_("需关注的社区")),
            url=reverse("care:board", args=[worst[0][0].code]),
            action=_("查看看板"),
            count=sum(n for _area, n in worst),
            note=_("未处理预警:%(list)s")
            % {"list": "、".join(f"{area.name} {n}" for area, n in worst)},
            key="communities-alerts",
            order=6,
        )
    ]
