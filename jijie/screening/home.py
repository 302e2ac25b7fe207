"""Screening's cards on a worker's home: each sweep running today in their scope, with
the doors not yet reached where they work."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, AreaKind
from jijie.core.home import Card, provides_home
from jijie.screening import selectors

if TYPE_CHECKING:
    from jijie.accounts.models import User

CAMPAIGNS_SHOWN = 3


@provides_home
def sweeps_today(user: User) -> list[Card]:
    if not access.scope_paths(user, Action.SCREENING_VISIT):
        return []
    today = timezone.localdate()
    running = selectors.campaign_list(actor=user).filter(starts_on__lte=today, ends_on__gte=today)
    cards = []
    for campaign in running[:CAMPAIGNS_SHOWN]:
        area = selectors.campaign_area(actor=user, campaign=campaign)
        total = selectors.coverage_total(campaign=campaign, area=area)
        cards.append(
            Card(
                title=campaign.name,
                # the day's buildings, kept on the phone for the stairwells
                url=reverse("screening:today", args=[campaign.pk]),
                action=_("去排查"),
                count=total.not_reached,
                note=_("%(area)s:未走访 %(todo)s 户,待回访 %(revisit)s 户")
                % {"area": area.name, "todo": total.not_reached, "revisit": total.revisits_pending},
                key="sweep",
                order=20,
            )
        )
    return cards


WORST_SHOWN = 3


@provides_home
def sweeps_over_communities(user: User) -> list[Card]:
    """For a street or the command: each sweep running today over their area, its
    coverage, and the communities furthest behind."""
    community_depth = KIND_DEPTH[AreaKind.COMMUNITY]
    roots = [
        r for r in access.scope_roots(user, Action.SCREENING_VIEW) if r.depth < community_depth
    ]
    if not roots or access.scope_paths(user, Action.SCREENING_VISIT):
        return []
    today = timezone.localdate()
    running = selectors.campaign_list(actor=user).filter(starts_on__lte=today, ends_on__gte=today)
    cards = []
    for campaign in running[:CAMPAIGNS_SHOWN]:
        area = selectors.campaign_area(actor=user, campaign=campaign)
        # By community when the sweep is wider than one; the one community otherwise.
        wide = area.depth < community_depth
        found = selectors.coverage(
            campaign=campaign, area=area, depth=community_depth if wide else None
        )
        rows = found.rows if wide else [found.total]
        behind = sorted((r for r in rows if r.households and r.area), key=lambda r: r.percent)
        worst = "、".join(f"{r.area.name} {r.percent}%" for r in behind[:WORST_SHOWN] if r.area)
        cards.append(
            Card(
                title=campaign.name,
                url=reverse("screening:coverage", args=[campaign.pk]),
                action=_("查看覆盖"),
                count=found.total.not_reached,
                note=_("%(area)s 已完成 %(percent)s%%;最落后:%(worst)s")
                % {"area": area.name, "percent": found.total.percent, "worst": worst or "—"},
                key="sweep-progress",
                order=12,
            )
        )
    return cards
