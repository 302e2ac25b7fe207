"""Reads of problems: the board of what the user may see (filtered by tab, kind and
area), what waits at the user's own level, the three rates (响应率、解决率、满意率) per
area below one over a period, and the supplies requests and transfers that may answer
a problem.

The rates, over the problems raised in the period under an area:
- 响应率: claimed or answered by the first deadline, of those whose first deadline has
  passed or that were responded to (a problem still inside its first hours counts once
  it is responded to or its time is up);
- 解决率: confirmed solved by whoever raised it, of all raised;
- 满意率: rated 4 or 5, of those rated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.mobilization.models import Deployment, DeploymentStatus, Member
from jijie.problems import rules
from jijie.problems.models import UNANSWERED_STATES, Problem, ProblemState
from jijie.supplies.models import SupplyRequest, Transfer

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


class Tab:
    TODO = "todo"  # waiting at the user's level
    OPEN = "open"  # unanswered anywhere in sight
    OVERDUE = "overdue"
    ESCALATED = "escalated"
    ANSWERED = "answered"
    RESOLVED = "resolved"
    ALL = "all"
    ALL_TABS = (TODO, OPEN, OVERDUE, ESCALATED, ANSWERED, RESOLVED, ALL)


def in_sight(user: User | AnonymousUser) -> QuerySet[Problem]:
    """The problems under the areas where `user` may read them."""
    return access.scoped(Problem.objects.all(), user, Action.PROBLEM_VIEW, path_field="area_path")


def at_my_level(user: User | AnonymousUser) -> QuerySet[Problem]:
    """The unanswered problems waiting at a level the user's office answers for."""
    levels = access.scope_paths(user, Action.PROBLEM_HANDLE)
    return Problem.objects.filter(level_path__in=levels, state__in=UNANSWERED_STATES)


def member_places(user: User | AnonymousUser, today: date) -> list[Area]:
    """The communities where a member serves today — deployed there (下沉) or living
    there (双报到) — where they may raise problems through their own member record."""
    member = Member.objects.filter(user=user.pk).first() if user.is_authenticated else None
    if member is None:
        return []
    paths = set(
        Deployment.objects.filter(
            member=member, status=DeploymentStatus.ACTIVE, starts_on__lte=today, ends_on__gte=today
        ).values_list("community_path", flat=True)
    )
    if member.residence_path:
        paths.add(member.residence_path)
    return list(Area.objects.filter(path__in=paths).order_by("path"))


def raise_places(user: User | AnonymousUser, today: date) -> list[Area]:
    """Where the user may raise problems: under their roles' areas, and, as a member,
    the communities where they serve."""
    return [*access.scope_roots(user, Action.PROBLEM_RAISE), *member_places(user, today)]


def raise_area(user: User | AnonymousUser, code: str, today: date) -> Area | None:
    """The area with `code` if the user may raise a problem there (None otherwise)."""
    area = Area.objects.filter(code=code).first()
    if area is None:
        return None
    if any(area.path.startswith(place.path) for place in raise_places(user, today)):
        return area
    return None


def raised_by(user: User) -> QuerySet[Problem]:
    return Problem.objects.filter(raised_by=user)


def board(
    user: User | AnonymousUser,
    *,
    tab: str,
    now: datetime,
    kind: str = "",
    area: Area | None = None,
) -> QuerySet[Problem]:
    """The problems of a board's tab, soonest deadline first for what is unanswered,
    newest first for the rest."""
    rows = at_my_level(user) if tab == Tab.TODO else in_sight(user)
    if tab == Tab.OPEN:
        rows = rows.filter(state__in=UNANSWERED_STATES)
    elif tab == Tab.OVERDUE:
        rows = rows.filter(state__in=UNANSWERED_STATES, deadline_at__lt=now)
    elif tab == Tab.ESCALATED:
        rows = rows.filter(state__in=UNANSWERED_STATES, escalations__gt=0)
    elif tab == Tab.ANSWERED:
        rows = rows.filter(state=ProblemState.ANSWERED)
    elif tab == Tab.RESOLVED:
        rows = rows.filter(state=ProblemState.RESOLVED)
    if kind:
        rows = rows.filter(kind=kind)
    if area is not None:
        rows = rows.filter(area_path__startswith=area.path)
    order = (
        ("deadline_at", "pk")
        if tab in (Tab.TODO, Tab.OPEN, Tab.OVERDUE, Tab.ESCALATED)
        else ("-raised_at", "-pk")
    )
    return rows.select_related("area", "level").order_by(*order)


def waiting_count(user: User | AnonymousUser) -> int:
    return at_my_level(user).count()


@dataclass(frozen=True)
class Rates:
    """The counts behind the three rates of one area (or of all of them)."""

    raised: int
    responded_due: int
    responded_in_time: int
    resolved: int
    rated: int
    satisfied: int
    unanswered: int
    overdue: int
    escalated: int

    @staticmethod
    def _rate(part: int, whole: int) -> float | None:
        return part / whole if whole else None

    @property
    def response(self) -> float | None:
        return self._rate(self.responded_in_time, self.responded_due)

    @property
    def resolution(self) -> float | None:
        return self._rate(self.resolved, self.raised)

    @property
    def satisfaction(self) -> float | None:
        return self._rate(self.satisfied, self.rated)


@dataclass(frozen=True)
class AreaRates:
    area: Area | None  # None: the area itself (本级)
    path: str
    rates: Rates


def _counts(now: datetime) -> dict[str, Count]:
    return {
        "raised": Count("pk"),
        "responded_due": Count(
            "pk", filter=Q(responded_at__isnull=False) | Q(first_deadline_at__lt=now)
        ),
        "responded_in_time": Count("pk", filter=Q(is_responded_in_time=True)),
        "resolved": Count("pk", filter=Q(state=ProblemState.RESOLVED)),
        "rated": Count("rating"),
        "satisfied": Count("pk", filter=Q(rating__gte=4)),
        "unanswered": Count("pk", filter=Q(state__in=UNANSWERED_STATES)),
        "overdue": Count("pk", filter=Q(state__in=UNANSWERED_STATES, deadline_at__lt=now)),
        "escalated": Count("pk", filter=Q(escalations__gt=0)),
    }


def rates_by_area(
    area: Area, *, start: datetime, end: datetime, now: datetime
) -> tuple[Rates, list[AreaRates]]:
    """The rates of the problems raised in [start, end) under `area`, in all and for
    each area one level below it (and the area itself, for problems raised about it):
    one grouped statement."""
    child = len(area.path) + Area.steplen
    rows = (
        Problem.objects.filter(
            area_path__startswith=area.path, raised_at__gte=start, raised_at__lt=end
        )
        .annotate(child=Substr("area_path", 1, child))
        .values("child")
        .annotate(**_counts(now))
        .order_by("child")
    )
    found = {row.pop("child"): Rates(**row) for row in rows}
    names = {a.path: a for a in Area.objects.filter(path__in=found)}
    per_area = [
        AreaRates(area=names.get(path) if path != area.path else None, path=path, rates=rates)
        for path, rates in found.items()
    ]
    total = Rates(
        **{
            field: sum(getattr(r.rates, field) for r in per_area)
            for field in Rates.__dataclass_fields__
        }
    )
    return total, per_area


# What may answer a problem ------------------------------------------------------------


def _on_branch(problem: Problem, field: str) -> Q:
    """A store's path at the problem's place or below it, or above it up to the level
    answering it (`rules.on_branch` as a filter)."""
    above = rules.places_above(problem.area_path, problem.level_path)
    return Q(**{f"{field}__startswith": problem.area_path}) | Q(**{f"{field}__in": above})


def answering_requests(problem: Problem) -> QuerySet[SupplyRequest]:
    return (
        SupplyRequest.objects.filter(response_id=problem.response_id)
        .filter(_on_branch(problem, "area_path"))
        .select_related("store")
        .order_by("-created_at", "-pk")
    )


def answering_transfers(problem: Problem) -> QuerySet[Transfer]:
    return (
        Transfer.objects.filter(response_id=problem.response_id)
        .filter(_on_branch(problem, "to_path"))
        .select_related("from_store", "to_store")
        .order_by("-sent_at", "-pk")
    )
