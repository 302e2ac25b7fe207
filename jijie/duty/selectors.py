"""Reads of duty, scoped through `jijie.areas.access`: demands and shifts of the
communities in sight, a member's own shifts and service record, missing members."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action, scoped
from jijie.areas.models import Area, community_path_of
from jijie.core.queries import unique_or_none
from jijie.duty import rules
from jijie.duty.models import (
    HOLDING,
    Demand,
    DemandStatus,
    DutyRules,
    Notice,
    Participation,
    ParticipationStatus,
    Shift,
)
from jijie.mobilization.models import Deployment, DeploymentStatus, Member, Skill
from jijie.responses import selectors as response_selectors
from jijie.responses.models import Response

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


def gaps_count(actor: User | AnonymousUser, *, days: int = 2) -> int:
    """Shifts of the next `days` short of their minimum, in every community where
    `actor` manages duty: one count, for the home page."""
    now = timezone.now()
    short = (
        Shift.objects.filter(
            demand__status=DemandStatus.OPEN,
            ends_at__gt=now,
            starts_at__lt=now + timedelta(days=days),
        )
        .annotate(held=held_places())
        .filter(held__lt=F("min_people"))
    )
    return scoped(short, actor, Action.DUTY_MANAGE, path_field="community_path").count()


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


def pending_claims_count(actor: User | AnonymousUser) -> int:
    """Claims waiting for confirmation in every community where `actor` manages duty:
    one count, for the home page."""
    waiting = Participation.objects.filter(
        status=ParticipationStatus.REQUESTED, ends_at__gt=timezone.now()
    )
    return scoped(waiting, actor, Action.DUTY_MANAGE, path_field="shift__community_path").count()


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
    candidate = candidate_of(member)
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
    reach = busy_reach()
    busy = list(
        Participation.objects.filter(
            member=member,
            status__in=HOLDING,
            ends_at__gt=now - reach,
            starts_at__lt=now + timedelta(days=days) + reach,
        ).values_list("starts_at", "ends_at")
    )
    labels = {str(k): str(v) for k, v in Skill.choices}
    limits = limits_by_path({shift.community_path for shift in shifts})
    return [
        (
            shift,
            rules.refusal(
                candidate,
                post_of(shift),
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


# What the rules read: a member's candidate, their shifts, the limits in force ---------

# How many members a cancelled place is offered to.
REPLACEMENT_LIST_SIZE = 20


def candidate_of(member: Member) -> rules.Candidate:
    deployments = Deployment.objects.filter(
        member=member, status=DeploymentStatus.ACTIVE
    ).values_list("community_path", "starts_on", "ends_on")
    return _candidate(member, tuple(deployments))


def _candidate(member: Member, deployments: tuple[tuple[str, date, date], ...]) -> rules.Candidate:
    return rules.Candidate(
        kind=member.kind,
        skills=frozenset(member.skill_list),
        fitness=member.fitness,
        residence_path=member.residence_path,
        deployments=deployments,
    )


def serving_pool(paths: Collection[str]) -> QuerySet[Member]:
    """Members who may serve in the communities at `paths`: deployed to one of them
    (active) or living in one of them (双报到); by pk."""
    deployed = Deployment.objects.filter(
        status=DeploymentStatus.ACTIVE, community_path__in=paths
    ).values("member_id")
    living = Q(pk__in=[])
    for path in paths:
        living |= Q(residence_path__startswith=path)
    return Member.objects.filter(Q(pk__in=deployed) | living).order_by("pk")


@dataclass(frozen=True)
class Judged:
    """A member with what the rules need to judge them: their candidate and their
    shifts holding a place in the window read."""

    member: Member
    candidate: rules.Candidate
    busy: list[rules.Interval]


def candidates(
    members: QuerySet[Member], *, busy_from: datetime, busy_to: datetime
) -> list[Judged]:
    """The members, each with their active deployments and the shifts they hold a place
    in between `busy_from` and `busy_to`: three queries however many members."""
    found = list(members)
    deployments: dict[int, list[tuple[str, date, date]]] = defaultdict(list)
    busy: dict[int, list[rules.Interval]] = defaultdict(list)
    if found:
        pks = [m.pk for m in found]
        for member_id, path, first, last in Deployment.objects.filter(
            member_id__in=pks, status=DeploymentStatus.ACTIVE
        ).values_list("member_id", "community_path", "starts_on", "ends_on"):
            deployments[member_id].append((path, first, last))
        for member_id, starts_at, ends_at in Participation.objects.filter(
            member_id__in=pks,
            status__in=HOLDING,
            ends_at__gt=busy_from,
            starts_at__lt=busy_to,
        ).values_list("member_id", "starts_at", "ends_at"):
            busy[member_id].append((starts_at, ends_at))
    return [Judged(m, _candidate(m, tuple(deployments[m.pk])), busy[m.pk]) for m in found]


def post_of(shift: Shift) -> rules.Post:
    post_type = shift.demand.post_type
    return rules.Post(
        community_path=shift.community_path,
        starts_at=shift.starts_at,
        ends_at=shift.ends_at,
        required_skills=frozenset(post_type.skill_list),
        allowed_kinds=frozenset(post_type.kind_list),
    )


def _responses_over(paths: Collection[str]) -> list[Response]:
    """The active responses over any of `paths`, newest first, with their duty rules."""
    return list(response_selectors.in_force_over(paths).select_related("duty_rules"))


def _limits_of(response: Response | None) -> rules.Limits:
    if response is None:
        return rules.Limits.default()
    try:
        return response.duty_rules.limits()
    except DutyRules.DoesNotExist:
        return rules.Limits.default()


def limits_by_path(paths: Collection[str]) -> dict[str, rules.Limits]:
    """The rest rules over each community path: those of the newest active response
    over it (as the gates pick the response in force), else the defaults. One query."""
    responses = _responses_over(paths)
    return {
        path: _limits_of(next((r for r in responses if path.startswith(r.area_path)), None))
        for path in paths
    }


def limits_over(path: str) -> rules.Limits:
    return limits_by_path([path])[path]


def busy_reach() -> timedelta:
    """How far either side of a shift the member's other shifts are read: enough for
    every rule of time under the defaults and any response's rules within the bounds
    `duty_rules_set` allows."""
    return rules.Limits(24, 48, 72, 168).reach


def busy_of(member: Member, *, around: Shift) -> list[rules.Interval]:
    """The member's shifts holding a place near `around` (enough for every rule of
    time)."""
    reach = busy_reach()
    return list(
        Participation.objects.filter(
            member=member,
            status__in=HOLDING,
            starts_at__lt=around.ends_at + reach,
            ends_at__gt=around.starts_at - reach,
        )
        .exclude(shift=around)
        .values_list("starts_at", "ends_at")
    )


def refusal_for(member: Member, shift: Shift, *, now: datetime | None = None) -> str | None:
    """Why the member may not take the shift at `now` (None: they may), short of its
    places."""
    if shift.demand.status != DemandStatus.OPEN:
        return _("该岗位需求已结束。")
    if shift.starts_at <= (now or timezone.now()):
        return _("该班次已开始,不能再报到。")
    if Participation.objects.filter(shift=shift, member=member, status__in=HOLDING).exists():
        return _("您已在该班次中。")
    skill_labels = {str(k): str(v) for k, v in Skill.choices}
    return rules.refusal(
        candidate_of(member),
        post_of(shift),
        busy_of(member, around=shift),
        skill_labels,
        limits_over(shift.community_path),
    )


def replacement_list(shift: Shift, *, limit: int = REPLACEMENT_LIST_SIZE) -> list[Member]:
    """Members who could take a place in the shift now: deployed to or living in its
    community, not on it already, passing every rule; by pk. Three queries however many
    members the community has."""
    if shift.demand.status != DemandStatus.OPEN or shift.starts_at <= timezone.now():
        return []
    on_it = Participation.objects.filter(shift=shift, status__in=HOLDING).values("member_id")
    reach = busy_reach()
    pool = candidates(
        serving_pool([shift.community_path]).exclude(pk__in=on_it),
        busy_from=shift.starts_at - reach,
        busy_to=shift.ends_at + reach,
    )
    post = post_of(shift)
    limits = limits_over(shift.community_path)
    labels = {str(k): str(v) for k, v in Skill.choices}
    found = [
        j.member for j in pool if rules.refusal(j.candidate, post, j.busy, labels, limits) is None
    ]
    return found[:limit]


def late_after() -> timedelta:
    """A check-in later than this after the start is flagged late."""
    return timedelta(minutes=int(getattr(settings, "DUTY_LATE_MINUTES", 15)))
