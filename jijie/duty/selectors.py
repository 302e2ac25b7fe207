"""Reads of duty, scoped through `jijie.areas.access`: demands and shifts of the
communities in sight, a member's own shifts and service record, missing members."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone

from jijie.areas import access
from jijie.areas.access import Action, scoped
from jijie.areas.models import Area, community_path_of
from jijie.core.queries import unique_or_none
from jijie.duty import rules, services
from jijie.duty.models import (
    HOLDING,
    Demand,
    DemandStatus,
    Notice,
    Participation,
    ParticipationStatus,
    Shift,
)
from jijie.duty.services import late_after
from jijie.mobilization.models import Member, Skill

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def demand_for(*, actor: User | AnonymousUser, pk: int) -> Demand:
    """One demand; 404 when missing or out of sight, 403 when the role may not see duty
    there."""
    demand = unique_or_none(Demand.objects.select_related("post_type", "community").filter(pk=pk))
    if demand is None:
        raise Http404
    access.require_path(actor, Action.DUTY_VIEW, demand.community_path)
    return demand


def shift_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.DUTY_MANAGE
) -> Shift:
    """One shift; 404 when missing or out of sight, 403 when the role may not `action`."""
    shift = unique_or_none(Shift.objects.select_related("demand__post_type").filter(pk=pk))
    if shift is None:
        raise Http404
    access.require_path(actor, action, shift.community_path)
    return shift


def participation_for(*, actor: User | AnonymousUser, pk: int) -> Participation:
    """One participation, for the community that sees the shift's duty or for the
    shift's leader (who takes attendance); 404 when missing or out of sight."""
    participation = unique_or_none(
        Participation.objects.select_related("shift__demand", "shift__leader", "member").filter(
            pk=pk
        )
    )
    if participation is None:
        raise Http404
    leader = participation.shift.leader
    if leader is None or not access.is_self(actor, leader.user_id):
        access.require_path(actor, Action.DUTY_VIEW, participation.shift.community_path)
    return participation


def demand_list(user: User | AnonymousUser) -> QuerySet[Demand]:
    """Demands of the communities where the user may see duty."""
    demands = scoped(Demand.objects.all(), user, Action.DUTY_VIEW, path_field="community_path")
    return demands.select_related("post_type", "community").order_by("-starts_on", "-pk")


def upcoming_shifts(member: Member, *, limit: int = 50) -> list[Participation]:
    """The member's shifts not yet over, soonest first (the first `limit`)."""
    return list(
        Participation.objects.filter(member=member, ends_at__gt=timezone.now())
        .select_related("shift__demand__post_type", "shift__demand__community")
        .order_by("starts_at", "pk")[:limit]
    )


def missing(shift: Shift) -> list[Participation]:
    """Confirmed members of a started shift not checked in once the lateness grace has
    passed (the leader and the community follow them up)."""
    if timezone.now() <= shift.starts_at + late_after():
        return []
    return list(
        shift.participations.filter(
            status=ParticipationStatus.CONFIRMED, checked_in_at__isnull=True
        ).select_related("member")
    )


@dataclass(frozen=True)
class ServiceRecord:
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def service_record(member: Member) -> ServiceRecord:
    """The minutes a member served (shifts checked out), for their record."""
    served = Participation.objects.filter(member=member, checked_out_at__isnull=False)
    return ServiceRecord(served.aggregate(minutes=Sum("minutes"))["minutes"] or 0)


# Pages ------------------------------------------------------------------------------


def held_places() -> Count:
    """Places taken in a shift, for `.annotate(held=held_places())`."""
    return Count("participations", filter=Q(participations__status__in=HOLDING))


def _day_range(first: date, days: int) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(first, time.min), tz)
    return start, start + timedelta(days=days)


@dataclass(frozen=True)
class DayCell:
    """A demand's shifts on one day: places held against the minimum and maximum."""

    shifts: int
    held: int
    minimum: int
    maximum: int

    @property
    def short(self) -> int:
        return max(0, self.minimum - self.held)

    @property
    def open(self) -> int:
        return max(0, self.maximum - self.held)


@dataclass(frozen=True)
class BoardRow:
    demand: Demand
    cells: list[DayCell | None]

    @property
    def short(self) -> int:
        return sum(c.short for c in self.cells if c is not None)


def board(community: Area, *, first: date, days: int = 7) -> list[BoardRow]:
    """The community's demand board (吹哨看板): for each open demand, per day from
    `first`, the places held, short of the minimum, and still open. One query."""
    start, end = _day_range(first, days)
    shifts = (
        (
            Shift.objects.filter(
                community_path__startswith=community.path,
                demand__status=DemandStatus.OPEN,
                starts_at__gte=start,
                starts_at__lt=end,
            )
        )
        .annotate(held=held_places())
        .values_list("demand_id", "starts_at", "held", "min_people", "max_people")
    )
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for demand_id, starts_at, held, low, high in shifts:
        day = (timezone.localtime(starts_at).date() - first).days
        cell = cells[(demand_id, day)]
        cell[0] += 1
        cell[1] += held
        cell[2] += low
        cell[3] += high
    demands = Demand.objects.filter(pk__in={k[0] for k in cells}).select_related(
        "post_type", "community"
    )
    rows = []
    for demand in sorted(demands, key=lambda d: (d.community_path, d.post_type_id, d.pk)):
        row = [cells.get((demand.pk, day)) for day in range(days)]
        rows.append(BoardRow(demand, [DayCell(*c) if c else None for c in row]))
    return rows


def gaps(community: Area, *, now: datetime | None = None, days: int = 7) -> list[Shift]:
    """Shifts from now on short of their minimum, soonest first (`held` annotated)."""
    now = now or timezone.now()
    return list(
        (
            Shift.objects.filter(
                community_path__startswith=community.path,
                demand__status=DemandStatus.OPEN,
                ends_at__gt=now,
                starts_at__lt=now + timedelta(days=days),
            )
        )
        .annotate(held=held_places())
        .filter(held__lt=F("min_people"))
        .select_related("demand__post_type", "demand__community")
        .order_by("starts_at", "pk")
    )


def pending_claims(community: Area) -> QuerySet[Participation]:
    """Claims waiting for the community to confirm or decline them."""
    return (
        Participation.objects.filter(
            shift__community_path__startswith=community.path,
            status=ParticipationStatus.REQUESTED,
            ends_at__gt=timezone.now(),
        )
        .select_related("member", "shift__demand__post_type")
        .order_by("starts_at", "pk")
    )


def shift_people(
    demand: Demand, *, first: date, days: int
) -> list[tuple[Shift, list[Participation]]]:
    """The demand's shifts in the window, each with its participations holding a place
    or served (for the demand page and the printed roster)."""
    start, end = _day_range(first, days)
    shifts = list(
        demand.shifts.filter(starts_at__gte=start, starts_at__lt=end)
        .annotate(held=held_places())
        .select_related("leader")
        .order_by("starts_at")
    )
    people: dict[int, list[Participation]] = defaultdict(list)
    for participation in holders(shifts):
        people[participation.shift_id].append(participation)
    return [(shift, people[shift.pk]) for shift in shifts]


def holders(shifts: Sequence[Shift]) -> QuerySet[Participation]:
    """The participations holding a place in the shifts, requested after confirmed."""
    return (
        Participation.objects.filter(shift__in=shifts, status__in=HOLDING)
        .select_related("member")
        .order_by("status", "pk")
    )


@dataclass(frozen=True)
class RosterWeek:
    """排班表: days down, the day's shifts across, names in each cell."""

    demand: Demand
    first: date
    times: list[str]  # the shifts' start times, the columns
    rows: list[tuple[date, list[tuple[Shift, list[Participation]] | None]]]


def roster_week(demand: Demand, *, first: date) -> RosterWeek:
    found = shift_people(demand, first=first, days=7)
    times = sorted({f"{timezone.localtime(s.starts_at):%H:%M}" for s, _p in found})
    by_cell = {
        (timezone.localtime(s.starts_at).date(), f"{timezone.localtime(s.starts_at):%H:%M}"): (
            s,
            people,
        )
        for s, people in found
    }
    rows = []
    for n in range(7):
        day = first + timedelta(days=n)
        rows.append((day, [by_cell.get((day, t)) for t in times]))
    return RosterWeek(demand, first, times, rows)


def open_shifts_for(
    member: Member, *, days: int = 7, limit: int = 60
) -> list[tuple[Shift, str | None]]:
    """Shifts the member might claim in the coming `days`: in the communities they are
    deployed to or live in, not full, not already theirs; each with the rule that would
    refuse them (None when they may claim it)."""
    now = timezone.now()
    candidate = services.candidate_of(member)
    deployed = [path for path, _first, _last in candidate.deployments]
    # Shifts belong to communities: the member's home is the community they live in.
    home = [community_path_of(member.residence_path)] if member.residence_path else []
    shifts = list(
        (
            Shift.objects.filter(
                Q(community_path__in=deployed) | Q(community_path__in=home),
                demand__status=DemandStatus.OPEN,
                starts_at__gt=now,
                starts_at__lt=now + timedelta(days=days),
            ).exclude(
                pk__in=Participation.objects.filter(member=member, status__in=HOLDING).values(
                    "shift_id"
                )
            )
        )
        .annotate(held=held_places())
        .filter(held__lt=F("max_people"))
        .select_related("demand__post_type", "demand__community")
        .order_by("starts_at", "pk")[:limit]
    )
    reach = services.busy_reach()
    busy = list(
        Participation.objects.filter(
            member=member,
            status__in=HOLDING,
            ends_at__gt=now - reach,
            starts_at__lt=now + timedelta(days=days) + reach,
        ).values_list("starts_at", "ends_at")
    )
    labels = {str(k): str(v) for k, v in Skill.choices}
    limits = services.limits_by_path({shift.community_path for shift in shifts})
    return [
        (
            shift,
            rules.refusal(
                candidate,
                services.post_of(shift),
                busy,
                labels,
                limits[shift.community_path],
            ),
        )
        for shift in shifts
    ]


def unread_notices(member: Member) -> QuerySet[Notice]:
    return Notice.objects.filter(member=member, read_at__isnull=True).select_related(
        "shift__demand__post_type"
    )[:20]
