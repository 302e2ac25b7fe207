"""Problems on home and in the menu: what waits at the user's level (the overdue
among it named), and the user's own problems answered and waiting for their word."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.core.home import Card, provides_badge, provides_home
from jijie.problems import selectors
from jijie.problems.models import ProblemState

if TYPE_CHECKING:
    from jijie.accounts.models import User


@provides_home
def waiting(user: User) -> list[Card]:
    # The waiting and the overdue among them, counted in one statement.
    counts = selectors.at_my_level(user).aggregate(
        n=Count("pk"), overdue=Count("pk", filter=Q(deadline_at__lt=timezone.now()))
    )
    count, overdue = counts["n"], counts["overdue"]
    if not count:
        return []
    return [
        Card(
            title=str(_("待办的问题")),
            url=reverse("problems:board"),
            action=_("去办理"),
            count=count,
            note=_("其中超期 %(n)s 件") % {"n": overdue} if overdue else "",
            key="problems-waiting",
            order=6,
        )
    ]


@provides_home
def to_confirm(user: User) -> list[Card]:
    count = selectors.raised_by(user).filter(state=ProblemState.ANSWERED).count()
    if not count:
        return []
    return [
        Card(
            title=str(_("待确认的答复")),
            url=reverse("problems:mine"),
            action=_("去确认"),
            count=count,
            key="problems-confirm",
            order=6,
        )
    ]


@provides_badge("problems")
def problems_badge(user: User) -> int:
    return selectors.waiting_count(user)
