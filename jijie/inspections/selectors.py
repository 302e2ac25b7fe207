"""Reads of inspections: the teams and plans a user may see (a plan only by its team
and the offices over the team's), the visits recorded under the user's areas, the
rectification orders of an office, and the scores per community or street over a
period."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q, QuerySet
from django.db.models.functions import Substr

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.inspections.models import (
    FindingKind,
    Order,
    OrderState,
    Plan,
    Severity,
    Team,
    Visit,
)
from jijie.mobilization.models import Deployment, DeploymentStatus, Member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def teams_for(user: User | AnonymousUser) -> QuerySet[Team]:
    """The teams the user is in, and those of the offices they manage inspections over."""
    managed = access.path_filter(user, Action.INSPECTION_MANAGE, path_field="area_path")
    return (
        Team.objects.filter(managed | Q(members=user.pk)).distinct().order_by("area_path", "name")
    )


def plans_for(user: User | AnonymousUser) -> QuerySet[Plan]:
    """The plans of those teams: what nobody at a target may see before the visit."""
    return (
        Plan.objects.filter(team__in=teams_for(user))
        .select_related("team")
        .order_by("-starts_on", "-pk")
    )


def my_visits(user: User | AnonymousUser, today: datetime | None = None) -> QuerySet[Visit]:
    """The visits of the plans of the teams the user is in, not yet recorded."""
    return (
        Visit.objects.filter(plan__team__members=user.pk, recorded_at__isnull=True)
        .select_related("plan__team")
        .order_by("day", "plan_id", "position")
    )


def members_serving(community_path: str) -> QuerySet[Member]:
    """The members deployed to a community now, by name: whom a finding there may name
    (the inspector sees the visit, and the names of those on duty at it)."""
    deployed = Deployment.objects.filter(
        community_path=community_path, status=DeploymentStatus.ACTIVE
    ).values("member_id")
    return Member.objects.filter(pk__in=deployed).order_by("name")


def recorded(user: User | AnonymousUser) -> QuerySet[Visit]:
    """The visits recorded under the areas where the user may read inspections."""
    return access.scoped(
        Visit.objects.filter(recorded_at__isnull=False),
        user,
        Action.INSPECTION_VIEW,
        path_field="area_path",
    ).select_related("plan__team")


def visit_in_sight(user: User | AnonymousUser, pk: int) -> Visit | None:
    """A visit the user may read: recorded and under their areas, or of a plan they see."""
    visit = Visit.objects.filter(pk=pk).select_related("plan__team").first()
    if visit is None:
        return None
    if visit.recorded_at is not None and access.may_path(
        user, Action.INSPECTION_VIEW, visit.area_path
    ):
        return visit
    if plans_for(user).filter(pk=visit.plan_id).exists():
        return visit
    return None


def orders_for(user: User | AnonymousUser) -> QuerySet[Order]:
    """The orders of the targets under the user's areas, and those sent to their office."""
    seen = access.path_filter(user, Action.INSPECTION_VIEW, path_field="area_path")
    return (
        Order.objects.filter(
            seen | Q(owner_path__in=access.scope_paths(user, Action.INSPECTION_RECTIFY))
        )
        .select_related("finding__visit", "owner")
        .order_by("state", "due_at", "pk")
    )


def order_in_sight(user: User | AnonymousUser, pk: int) -> Order | None:
    return orders_for(user).filter(pk=pk).first()


@dataclass(frozen=True)
class Score:
    area: Area | None
    path: str
    visits: int
    average: float | None
    problems: int
    serious: int  # major and critical
    commendations: int
    orders_open: int
    orders_overdue: int
    orders_closed: int


def scores(area: Area, *, start: datetime, end: datetime, now: datetime) -> list[Score]:
    """Per area one level below `area`: the visits recorded in [start, end), their
    average score, what they found, and the state of its orders now."""
    child = len(area.path) + Area.steplen
    visits = {
        row["child"]: row
        for row in Visit.objects.filter(
            area_path__startswith=area.path, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(child=Substr("area_path", 1, child))
        .values("child")
        .annotate(
            visits=Count("pk", distinct=True),
            average=Avg("score"),
        )
    }
    findings = {
        row["child"]: row
        for row in Visit.objects.filter(
            area_path__startswith=area.path, recorded_at__gte=start, recorded_at__lt=end
        )
        .annotate(child=Substr("area_path", 1, child))
        .values("child")
        .annotate(
            problems=Count("findings", filter=Q(findings__kind=FindingKind.PROBLEM)),
            serious=Count(
                "findings",
                filter=Q(
                    findings__kind=FindingKind.PROBLEM,
                    findings__severity__in=[Severity.MAJOR, Severity.CRITICAL],
                ),
            ),
            commendations=Count("findings", filter=Q(findings__kind=FindingKind.COMMENDATION)),
            orders_open=Count(
                "findings__order", filter=~Q(findings__order__state=OrderState.CLOSED)
            ),
            orders_overdue=Count(
                "findings__order",
                filter=Q(findings__order__state=OrderState.OPEN, findings__order__due_at__lt=now),
            ),
            orders_closed=Count(
                "findings__order", filter=Q(findings__order__state=OrderState.CLOSED)
            ),
        )
    }
    names = {a.path: a for a in Area.objects.filter(path__in=visits)}
    return [
        Score(
            area=names.get(path) if path != area.path else None,
            path=path,
            visits=row["visits"],
            average=row["average"],
            **{
                k: findings[path][k]
                for k in (
                    "problems",
                    "serious",
                    "commendations",
                    "orders_open",
                    "orders_overdue",
                    "orders_closed",
                )
            },
        )
        for path, row in sorted(visits.items())
    ]
