"""Reads of the screening app. Coverage is summed from the per-building counters over a
path prefix; the visits table is read only for one household's history and the ledger."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import Area
from jijie.residents.models import Household
from jijie.screening.models import (
    BUILDING_COUNTERS,
    DAILY_COUNTERS,
    BuildingCoverage,
    Campaign,
    DailyCoverage,
    HouseholdState,
    Revisit,
    Visit,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


BUILDING_DEPTH = 6


def _overlap(paths: list[str], field_name: str = "areas__area_path") -> Q:
    """Campaign areas above or below any of `paths`."""
    q = Q(pk__in=[])
    for path in paths:
        ancestors = [path[:n] for n in range(Area.steplen, len(path) + 1, Area.steplen)]
        q |= Q(**{f"{field_name}__in": ancestors}) | Q(**{f"{field_name}__startswith": path})
    return q


def campaign_list(*, actor: User | AnonymousUser) -> QuerySet[Campaign]:
    """Campaigns over or inside the user's screening scope, newest first."""
    paths = access.scope_paths(actor, Action.SCREENING_VIEW)
    ids = Campaign.objects.filter(_overlap(paths)).values("pk")
    return (
        Campaign.objects.filter(pk__in=ids).select_related("response").order_by("-starts_on", "-pk")
    )


def campaign_for(*, actor: User | AnonymousUser, pk: int) -> Campaign:
    campaign = campaign_list(actor=actor).filter(pk=pk).first()
    if campaign is None:
        raise Http404
    return campaign


def campaign_paths(campaign: Campaign) -> list[str]:
    return sorted(campaign.areas.values_list("area_path", flat=True))


def view_roots(actor: User | AnonymousUser, campaign: Campaign) -> list[Area]:
    """Where the user's view of a campaign starts: the campaign's areas inside their
    scope, or their scope's areas inside the campaign."""
    mine = access.scope_paths(actor, Action.SCREENING_VIEW)
    result = set()
    for path in campaign_paths(campaign):
        for own in mine:
            if path.startswith(own):
                result.add(path)
            elif own.startswith(path):
                result.add(own)
    return list(Area.objects.filter(path__in=result).order_by("path"))


def campaign_area(*, actor: User | AnonymousUser, campaign: Campaign, code: str = "") -> Area:
    """The area asked for by `code`, or where the user's view of the campaign starts (the
    deepest area holding all of it that they may see); 404 unless it lies both in their
    screening scope and over or inside the campaign's areas."""
    if code:
        area = access.area_for(actor, code, Action.SCREENING_VIEW)
        paths = campaign_paths(campaign)
        if not any(area.path.startswith(p) or p.startswith(area.path) for p in paths):
            raise Http404
        return area
    roots = view_roots(actor, campaign)
    if not roots:
        raise Http404
    if len(roots) == 1:
        return roots[0]
    common = roots[0].path
    for root in roots[1:]:
        while not root.path.startswith(common):
            common = common[: -Area.steplen]
    area = Area.objects.get(path=common)
    return area if access.may(actor, Action.SCREENING_VIEW, area) else roots[0]


def in_view(actor: User | AnonymousUser, campaign: Campaign, area: Area) -> bool:
    return any(area.path.startswith(root.path) for root in view_roots(actor, campaign))


@dataclass
class Row:
    """One line of the coverage table: an area and its counts."""

    area: Area | None
    households: int = 0
    visited: int = 0
    completed: int = 0
    people_screened: int = 0
    flags: int = 0
    fevers: int = 0

    @property
    def revisits_pending(self) -> int:
        return self.visited - self.completed

    @property
    def not_reached(self) -> int:
        return max(self.households - self.visited, 0)

    @property
    def percent(self) -> float:
        return round(100 * self.completed / self.households, 1) if self.households else 0.0


@dataclass
class Coverage:
    area: Area
    total: Row
    rows: list[Row] = field(default_factory=list)


def deepest_level(area: Area) -> int:
    """How deep a coverage table under `area` may go: communities from a city, grids from
    a street, buildings from a community; tens of rows, never a district's buildings."""
    return min(BUILDING_DEPTH, max(4, area.depth + 2))


def coverage(*, campaign: Campaign, area: Area, depth: int | None = None) -> Coverage:
    """The campaign's counts under `area`, one row per area at `depth` (default: the
    children) and the total: one grouped sum over the building counters in `area`'s
    path range."""
    if area.depth >= BUILDING_DEPTH:
        depth = None
    else:
        depth = min(max(depth or area.depth + 1, area.depth + 1), deepest_level(area))
    branch_len = (depth or area.depth) * Area.steplen
    sums = {name: Sum(name) for name in BUILDING_COUNTERS}
    grouped = (
        BuildingCoverage.objects.filter(campaign=campaign, area_path__startswith=area.path)
        .annotate(branch=Substr("area_path", 1, branch_len))
        .values("branch")
        .annotate(**sums)
        .order_by()
    )
    by_branch = {row.pop("branch"): row for row in grouped}
    names = {
        a.path: a
        for a in Area.objects.filter(path__in=list(by_branch)).only(
            "path", "name", "code", "kind", "depth"
        )
    }
    total = Row(area=area)
    rows = []
    for branch, values in sorted(by_branch.items()):
        row = Row(area=names.get(branch), **{k: v or 0 for k, v in values.items()})
        rows.append(row)
        for name in BUILDING_COUNTERS:
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return Coverage(area=area, total=total, rows=rows if depth else [])


def coverage_total(*, campaign: Campaign, area: Area) -> Row:
    """The campaign's counts under `area` as one total (a home card's figure): one sum
    over the building counters in `area`'s path range, no rows, no names."""
    sums = BuildingCoverage.objects.filter(
        campaign=campaign, area_path__startswith=area.path
    ).aggregate(**{name: Sum(name) for name in BUILDING_COUNTERS})
    return Row(area=area, **{k: v or 0 for k, v in sums.items()})


def daily(*, campaign: Campaign, area: Area) -> list[dict[str, object]]:
    """Per day under `area`: what that day's visits added (for the daily report)."""
    rows = (
        DailyCoverage.objects.filter(campaign=campaign, area_path__startswith=area.path)
        .values("day")
        .annotate(**{name: Sum(name) for name in DAILY_COUNTERS})
        .order_by("-day")
    )
    return list(rows)


def households_not_reached(*, campaign: Campaign, area: Area) -> QuerySet[Household]:
    """Households under `area` that no visit of the campaign has reached yet."""
    reached = HouseholdState.objects.filter(campaign=campaign, household=OuterRef("pk"))
    return (
        Household.objects.filter(area_path__startswith=area.path)
        .filter(_in_campaign(campaign, "area_path"))
        .exclude(Exists(reached))
        .select_related("building")
        .order_by("area_path", "door_sort", "pk")
    )


def _in_campaign(campaign: Campaign, field_name: str) -> Q:
    q = Q(pk__in=[])
    for path in campaign_paths(campaign):
        q |= Q(**{f"{field_name}__startswith": path})
    return q


def revisits_due(*, campaign: Campaign, area: Area) -> QuerySet[Revisit]:
    """Open revisits under `area`, the most overdue first."""
    return (
        Revisit.objects.filter(campaign=campaign, closed_at=None, area_path__startswith=area.path)
        .select_related("household", "household__building")
        .order_by("due_at", "pk")
    )


@dataclass
class Stop:
    """A building on a worker's day: its doors not yet reached, and its revisits due by
    the end of the day."""

    building: Area
    households: int
    not_reached: int
    revisits_due: int


STOPS_SHOWN = 300  # a community's buildings; a worker's grid holds tens


def work_list(*, actor: User | AnonymousUser, campaign: Campaign, until: datetime) -> list[Stop]:
    """The buildings where `actor` visits for the campaign that still have work (doors
    not yet reached, revisits due before `until`), in walking order: what the phone keeps
    before the worker goes out. Counts and building names only, no one's name."""
    # The campaign's counters and revisits are of its own buildings only.
    under = access.path_filter(actor, Action.SCREENING_VISIT, path_field="area_path")
    kept = {
        path: (households, visited)
        for path, households, visited in BuildingCoverage.objects.filter(under, campaign=campaign)
        .order_by("area_path")
        .values_list("area_path", "households", "visited")
    }
    due = dict(
        Revisit.objects.filter(under, campaign=campaign, closed_at=None, due_at__lt=until)
        .values("area_path")
        .annotate(n=Count("pk"))
        .values_list("area_path", "n")
    )
    with_work = [
        path
        for path, (households, visited) in kept.items()
        if households > visited or due.get(path)
    ]
    buildings = Area.objects.filter(path__in=with_work[:STOPS_SHOWN]).order_by("path")
    return [
        Stop(
            building=b,
            households=kept[b.path][0],
            not_reached=max(kept[b.path][0] - kept[b.path][1], 0),
            revisits_due=due.get(b.path, 0),
        )
        for b in buildings
    ]


DOOR_STATES = ("todo", "revisit", "done")  # not yet visited, a revisit due, completed


@dataclass
class Door:
    household: Household
    state: str  # one of DOOR_STATES
    revisit: Revisit | None = None


def doors(*, campaign: Campaign, building: Area) -> list[Door]:
    """A building's households for the worker at its doors: not yet visited first, then
    revisits by due time, then those done."""
    households = list(Household.objects.filter(building=building).order_by("door_sort"))
    completed = set(
        HouseholdState.objects.filter(
            campaign=campaign, household__building=building, completed_at__isnull=False
        ).values_list("household_id", flat=True)
    )
    revisits = {
        r.household_id: r
        for r in Revisit.objects.filter(
            campaign=campaign, closed_at=None, household__building=building
        )
    }
    result = []
    for household in households:
        if household.pk in completed:
            result.append(Door(household, "done"))
        elif household.pk in revisits:
            result.append(Door(household, "revisit", revisits[household.pk]))
        else:
            result.append(Door(household, "todo"))
    order = {"todo": 0, "revisit": 1, "done": 2}
    far = datetime.max.replace(tzinfo=UTC)
    result.sort(
        key=lambda d: (
            order[d.state],
            d.revisit.due_at if d.revisit else far,
            d.household.door_number,
        )
    )
    return result


def household_visits(*, campaign: Campaign, household: Household) -> QuerySet[Visit]:
    return (
        Visit.objects.filter(campaign=campaign, household=household)
        .select_related("worker")
        .prefetch_related("temperatures")
        .order_by("-visited_at")
    )


def ledger_rows(*, campaign: Campaign, area: Area, day: date | None) -> QuerySet[Visit]:
    """The visits of the screening ledger under `area` (on `day` if given), in area order."""
    visits = Visit.objects.filter(campaign=campaign, area_path__startswith=area.path)
    if day is not None:
        start = timezone.make_aware(datetime.combine(day, time.min))
        visits = visits.filter(visited_at__gte=start, visited_at__lt=start + timedelta(days=1))
    return (
        visits.select_related("household", "household__building", "worker")
        .prefetch_related("temperatures")
        .order_by("area_path", "household__door_sort", "visited_at")
    )


def campaigns_holding(*, actor: User | AnonymousUser, path: str, day: date) -> QuerySet[Campaign]:
    """The sweeps running on `day`, in the actor's sight, whose areas hold the area (or
    the household's building) at `path`."""
    above = [path[:n] for n in range(Area.steplen, len(path) + 1, Area.steplen)]
    return (
        campaign_list(actor=actor)
        .filter(starts_on__lte=day, ends_on__gte=day, areas__area_path__in=above)
        .distinct()
    )
