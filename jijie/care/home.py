"""Care's cards on home: a supervisor's follow-ups due today, a community's open alerts
(fevers, missed follow-ups, overdue errands)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.care import rules, selectors
from jijie.care.models import Alert
from jijie.core.home import Card, provides_home

if TYPE_CHECKING:
    from jijie.accounts.models import User


@provides_home
def follow_ups_due(user: User) -> list[Card]:
    cases = selectors.due_list(user)
    if not cases:
        return []
    waiting = sum(
        slot.state in (rules.SlotState.DUE, rules.SlotState.MISSED)
        for case in cases
        for slot in case.slots
    )
    return [
        Card(
            title=str(_("今日随访")),
            url=reverse("care:day"),
            action=_("去随访"),
            count=waiting,
            note=_("监管 %(n)s 户") % {"n": len(cases)},
            key="follow-ups",
            order=15,
        )
    ]


@provides_home
def open_alerts(user: User) -> list[Card]:
    communities = access.scope_roots(user, Action.CARE_MANAGE)
    if not communities:
        return []
    open_ = access.scoped(
        Alert.objects.filter(resolved_at__isnull=True),
        user,
        Action.CARE_MANAGE,
        path_field="area_path",
    ).count()
    if not open_:
        return []
    root = communities[0]
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
    found = selectors.member_errands(user)
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
