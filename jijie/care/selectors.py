"""Reads of care, scoped through `jijie.areas.access`: cases in sight, a supervisor's
due list for a day, the community's board, a member's errands and their record.

Temperatures, symptoms and follow-up notes are health data: the rows built here carry
them only for a reader with HEALTH_VIEW over the household (None otherwise), and fever
alerts are listed to such readers only (others see how many there are)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.accounts.models import RoleAssignment, User
from jijie.areas import access
from jijie.areas.access import Action, scoped
from jijie.areas.models import KIND_DEPTH, Area, AreaKind, community_path_of
from jijie.areas.roles import Role
from jijie.care import rules
from jijie.care.models import (
    OPEN_ERRAND_STATES,
    Alert,
    AlertKind,
    CarePlan,
    CareVisit,
    CaseStatus,
    Errand,
    ErrandState,
    FollowUp,
    IsolationCase,
    PlanStatus,
)
from jijie.mobilization.models import Deployment, DeploymentStatus, Member
from jijie.mobilization.selectors import member_of, members_here
from jijie.residents.models import Household
from jijie.responses.models import Response
from jijie.responses.selectors import response_list

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def _health_paths(user: User | AnonymousUser) -> list[str]:
    return access.scope_paths(user, Action.HEALTH_VIEW)


def _sees_health(paths: list[str], area_path: str) -> bool:
    return any(area_path.startswith(p) for p in paths)


def case_list(
    user: User | AnonymousUser, *, path: str = "", status: str = CaseStatus.OPEN
) -> QuerySet[IsolationCase]:
    """Cases under the areas where the user may see care (under `path`)."""
    cases = scoped(IsolationCase.objects.all(), user, Action.CARE_VIEW, path_field="area_path")
    if path:
        cases = cases.filter(area_path__startswith=path)
    if status:
        cases = cases.filter(status=status)
    return cases.select_related(
        "household", "person", "supervisor_user", "supervisor_member"
    ).order_by("starts_on", "pk")


def _supervised(user: User | AnonymousUser) -> Q:
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(supervisor_user=user) | Q(supervisor_member__user=user)


def supervisor_for(user: User | AnonymousUser, raw: str) -> User | None:
    """The supervisor whose day a reader asks for: an account supervising an open case
    in the reader's care scope (404 otherwise); None when none is asked for."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404
    cases = scoped(
        IsolationCase.objects.filter(status=CaseStatus.OPEN),
        user,
        Action.CARE_VIEW,
        path_field="area_path",
    )
    supervising = cases.filter(Q(supervisor_user_id=raw) | Q(supervisor_member__user_id=raw))
    if not supervising.exists():
        raise Http404
    return User.objects.get(pk=raw)


def case_for(user: User | AnonymousUser, pk: int) -> IsolationCase:
    """One case the user may see (in care scope, or supervised by them); else 404."""
    visible = IsolationCase.objects.filter(
        access.path_filter(user, Action.CARE_VIEW, path_field="area_path") | _supervised(user)
    )
    case = visible.select_related("household", "person").filter(pk=pk).first()
    if case is None:
        raise Http404
    return case


@dataclass(frozen=True)
class FollowUpRow:
    """A follow-up as a reader may see it: health fields None without HEALTH_VIEW."""

    pk: int
    recorded_at: datetime
    contact: str
    slot_on: date | None
    slot: int | None
    is_outside_period: bool
    temperature: Decimal | None
    is_fever: bool | None
    symptoms: str | None
    note: str | None


def _row(follow_up: FollowUp, health: bool) -> FollowUpRow:
    return FollowUpRow(
        pk=follow_up.pk,
        recorded_at=follow_up.recorded_at,
        contact=follow_up.contact,
        slot_on=follow_up.slot_on,
        slot=follow_up.slot,
        is_outside_period=follow_up.is_outside_period,
        temperature=follow_up.temperature if health else None,
        is_fever=follow_up.is_fever if health else None,
        symptoms=follow_up.symptoms if health else None,
        note=follow_up.note if health else None,
    )


def follow_ups(user: User | AnonymousUser, case: IsolationCase) -> list[FollowUpRow]:
    """A case's follow-ups, newest first (the case fetched with `case_for`)."""
    health = _sees_health(_health_paths(user), case.area_path)
    return [_row(f, health) for f in case.follow_ups.order_by("-recorded_at", "-pk")]


@dataclass(frozen=True)
class SlotRow:
    index: int
    due_at: datetime
    state: str  # rules.SlotState
    follow_ups: list[FollowUpRow]


@dataclass(frozen=True)
class DueCase:
    case: IsolationCase
    day_number: int  # day N ...
    total_days: int  # ... of M
    is_last_day: bool
    is_past_due: bool  # still open after its last day
    state: str  # rules.DayState: outside the period, nothing due any more, or slots
    slots: list[SlotRow]
    extra: list[FollowUpRow]  # the day's follow-ups in no due slot, in the order made


def due_list(
    actor: User | AnonymousUser,
    *,
    day: date | None = None,
    supervisor: User | None = None,
    now: datetime | None = None,
) -> list[DueCase]:
    """The open cases a supervisor follows up on a local day, each with the day's slots
    done, missed, due or upcoming, and every other follow-up made that day (so that one
    made when no slot was due still shows). Without `supervisor`, the actor's own (as
    an account or a member); with it, that supervisor's cases in the actor's care
    scope."""
    now = now or timezone.now()
    day = day or timezone.localdate(now)
    cases = IsolationCase.objects.filter(status=CaseStatus.OPEN, starts_on__lte=day)
    if supervisor is None:
        cases = cases.filter(_supervised(actor))
    else:
        cases = scoped(cases, actor, Action.CARE_VIEW, path_field="area_path").filter(
            _supervised(supervisor)
        )
    found = list(
        cases.select_related("household", "person").order_by("area_path", "household_id", "pk")
    )
    of_day: dict[int, list[FollowUp]] = defaultdict(list)
    for follow_up in FollowUp.objects.filter(
        case_id__in=[c.pk for c in found], slot_on=day
    ).order_by("recorded_at", "pk"):
        of_day[follow_up.case_id].append(follow_up)
    health_paths = _health_paths(actor)
    result = []
    for case in found:
        period = rules.Period(case.starts_on, case.total_days, case.ended_on)
        health = _sees_health(health_paths, case.area_path)
        due = (
            rules.slots_of(day, case.checks_per_day, opened_at=case.created_at)
            if period.contains(day)
            else []
        )
        made = of_day.get(case.pk, [])
        slots = []
        for slot in due:
            done = [f for f in made if f.slot == slot.index]
            slots.append(
                SlotRow(
                    index=slot.index,
                    due_at=slot.due_at,
                    state=rules.slot_state(slot, done=bool(done), now=now),
                    follow_ups=[_row(f, health) for f in done],
                )
            )
        in_slots = {slot.index for slot in due}
        result.append(
            DueCase(
                case=case,
                day_number=period.day_number(day),
                total_days=case.total_days,
                is_last_day=day == period.last_day,
                is_past_due=period.is_past_due(day),
                state=rules.day_state(period, day, due),
                slots=slots,
                extra=[_row(f, health) for f in made if f.slot not in in_slots],
            )
        )
    return result


# What a case's day needs of it: `rules.Period` and `rules.slots_of`.
_DAY_FIELDS = ("pk", "starts_on", "days", "extra_days", "ended_on", "checks_per_day",
               "created_at")  # fmt: skip


def due_counts(actor: User | AnonymousUser, *, now: datetime | None = None) -> tuple[int, int]:
    """(cases, follow-ups due or missed) of the actor's own day, as `due_list` counts
    them: what a home card says, without reading the households, the people or the
    follow-ups' details."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    cases = list(
        IsolationCase.objects.filter(status=CaseStatus.OPEN, starts_on__lte=day)
        .filter(_supervised(actor))
        .only(*_DAY_FIELDS)
    )
    if not cases:
        return 0, 0
    done = set(
        FollowUp.objects.filter(case_id__in=[c.pk for c in cases], slot_on=day).values_list(
            "case_id", "slot"
        )
    )
    waiting = 0
    for case in cases:
        if not rules.Period(case.starts_on, case.total_days, case.ended_on).contains(day):
            continue
        for slot in rules.slots_of(day, case.checks_per_day, opened_at=case.created_at):
            state = rules.slot_state(slot, done=(case.pk, slot.index) in done, now=now)
            waiting += state in (rules.SlotState.DUE, rules.SlotState.MISSED)
    return len(cases), waiting


@dataclass(frozen=True)
class AlertRow:
    alert: Alert
    temperature: Decimal | None  # fever alerts, for health readers


@dataclass(frozen=True)
class ErrandRow:
    errand: Errand
    is_overdue: bool


@dataclass(frozen=True)
class CaseRow:
    case: IsolationCase
    day_number: int
    total_days: int
    is_past_due: bool


@dataclass
class Board:
    community: Area
    health: bool
    cases: list[CaseRow] = field(default_factory=list)
    missed: list[AlertRow] = field(default_factory=list)
    alerts: list[AlertRow] = field(default_factory=list)
    fever_alerts: int = 0
    errands: list[ErrandRow] = field(default_factory=list)  # the first BOARD_ERRANDS
    errands_open: int = 0
    errands_overdue: int = 0


# The board lists the open errands due first (the overdue ones lead); the rest are on
# the community's errand list, a page at a time.
BOARD_ERRANDS = 30


def community_board(
    actor: User | AnonymousUser, community: Area, *, now: datetime | None = None
) -> Board:
    """The community's board: open cases (day N of M), follow-ups missed and not yet
    made up, open errands (overdue ones flagged) and the other open alerts."""
    access.require(actor, Action.CARE_VIEW, community)
    now = now or timezone.now()
    today = timezone.localdate(now)
    health = access.may(actor, Action.HEALTH_VIEW, community)
    board = Board(community=community, health=health)
    cases = IsolationCase.objects.filter(community_path=community.path, status=CaseStatus.OPEN)
    for case in cases.select_related(
        "household", "person", "supervisor_user", "supervisor_member"
    ).order_by("starts_on", "pk"):
        period = rules.Period(case.starts_on, case.total_days, case.ended_on)
        board.cases.append(
            CaseRow(case, period.day_number(today), case.total_days, period.is_past_due(today))
        )
    alerts = Alert.objects.filter(
        community_path=community.path, resolved_at__isnull=True
    ).select_related("case__household", "case__person", "errand", "follow_up")
    for alert in alerts.order_by("-created_at", "-pk"):
        if alert.kind == AlertKind.FEVER:
            board.fever_alerts += 1
            if not health:
                continue
        temperature = alert.follow_up.temperature if alert.follow_up and health else None
        row = AlertRow(alert, temperature)
        (board.missed if alert.kind == AlertKind.MISSED else board.alerts).append(row)
    errands = Errand.objects.filter(community_path=community.path, state__in=OPEN_ERRAND_STATES)
    counted = errands.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_by__lt=now)))
    board.errands_open, board.errands_overdue = counted["open"], counted["overdue"]
    first = errands.select_related("household", "member").order_by("due_by", "pk")
    board.errands = [ErrandRow(e, e.due_by < now) for e in first[:BOARD_ERRANDS]]
    return board


def errand_list(
    user: User | AnonymousUser, *, path: str = "", states: tuple[str, ...] = OPEN_ERRAND_STATES
) -> QuerySet[Errand]:
    """Errands under the areas where the user may see care (under `path`)."""
    errands = scoped(Errand.objects.all(), user, Action.CARE_VIEW, path_field="area_path")
    if path:
        errands = errands.filter(area_path__startswith=path)
    return (
        errands.filter(state__in=states)
        .select_related("household", "member")
        .order_by("due_by", "pk")
    )


def _claimable(member: Member, day: date) -> Q:
    """Errands a member may claim: waiting, offered to nobody, in a community they serve."""
    return Q(
        state=ErrandState.REQUESTED,
        member__isnull=True,
        community_path__in=serving_communities(member, day),
    )


def errand_for(user: User | AnonymousUser, pk: int, *, claimable: bool = False) -> Errand:
    """One errand the user may see: in care scope, or run by (or offered to) them; with
    `claimable`, also one waiting for them to claim (the errand's page)."""
    visible = access.path_filter(user, Action.CARE_VIEW, path_field="area_path")
    member = member_of(user)
    if member is not None:
        visible |= Q(member=member)
        if claimable:
            visible |= _claimable(member, timezone.localdate())
    errand = Errand.objects.filter(visible).select_related("household", "member").filter(pk=pk)
    found = errand.first()
    if found is None:
        raise Http404
    return found


def serving_communities(member: Member, day: date) -> list[str]:
    """Paths of the communities a member serves on a day (see `services.serves`)."""
    paths = set(
        Deployment.objects.filter(
            member=member,
            status=DeploymentStatus.ACTIVE,
            starts_on__lte=day,
            ends_on__gte=day,
        ).values_list("community_path", flat=True)
    )
    home = community_path_of(member.residence_path)
    if len(home) == Area.steplen * KIND_DEPTH[AreaKind.COMMUNITY]:
        paths.add(home)
    return sorted(paths)


@dataclass
class MemberErrands:
    member: Member
    mine: list[ErrandRow]  # offered to or run by the member, not yet confirmed or cancelled
    claimable: list[ErrandRow]  # waiting, unassigned, in communities the member serves


def member_errands(
    actor: User | AnonymousUser, *, now: datetime | None = None, member: Member | None = None
) -> MemberErrands | None:
    """The signed-in member's errands and those they may claim (None: not a member);
    `member`: the actor's member record, when the caller has read it."""
    member = member or member_of(actor)
    if member is None:
        return None
    now = now or timezone.now()
    mine = Errand.objects.filter(
        member=member, state__in=(*OPEN_ERRAND_STATES, ErrandState.DONE)
    ).select_related("household")
    claimable = (
        Errand.objects.filter(_claimable(member, timezone.localdate(now)))
        .select_related("household")
        .order_by("due_by", "pk")
    )
    return MemberErrands(
        member=member,
        mine=[ErrandRow(e, e.is_open and e.due_by < now) for e in mine.order_by("due_by", "pk")],
        claimable=[ErrandRow(e, e.due_by < now) for e in claimable],
    )


@dataclass(frozen=True)
class ErrandRecord:
    errands: int
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def errand_record(member: Member) -> ErrandRecord:
    """The errands a member ran and the household confirmed, and their minutes: what
    care adds to the member's service record."""
    totals = Errand.objects.filter(member=member, state=ErrandState.CONFIRMED).aggregate(
        errands=Count("pk"), minutes=Sum("minutes")
    )
    return ErrandRecord(totals["errands"], int(totals["minutes"] or 0))


# For the pages ----------------------------------------------------------------------


def addresses(household_ids: Iterable[int]) -> dict[int, str]:
    """“1栋 101” for each household (of rows already read in scope), in one query."""
    rows = Household.objects.filter(pk__in=set(household_ids)).values_list(
        "pk", "building__name", "door_number"
    )
    return {pk: f"{building} {door}" for pk, building, door in rows}


def _staff(community: Area) -> list[tuple[User, str]]:
    """The community's workers who record care (and those of its grids), once each, with
    a label “name · role”."""
    recording = [r for r in Role.values if Action.CARE_RECORD in access.role_actions(r)]
    held = (
        RoleAssignment.objects.filter(role__in=recording, area__path__startswith=community.path)
        .select_related("user", "area")
        .order_by("area__path", "user__username")
    )
    found: dict[int, tuple[User, str]] = {}
    for row in held[:200]:
        name = row.user.full_name or row.user.username
        found.setdefault(row.user.pk, (row.user, f"{name} · {row.get_role_display()}"))
    return list(found.values())


def responsible_choices(community: Area) -> dict[str, tuple[str, User]]:
    """Who may answer for a hardship household's plan: the community's workers who
    record care. Keyed by the form's value (the user's id)."""
    return {str(user.pk): (label, user) for user, label in _staff(community)}


def supervisor_choices(
    user: User | AnonymousUser, community: Area
) -> dict[str, tuple[str, User | None, Member | None]]:
    """Who may supervise a case in the community: its workers who record care, and the
    members serving there. Keyed by the form's value ("u3", "m17")."""
    found: dict[str, tuple[str, User | None, Member | None]] = {
        f"u{user.pk}": (label, user, None) for user, label in _staff(community)
    }
    for member in members_here(actor=user, community=community)[:300]:
        found[f"m{member.pk}"] = (_("%(name)s · 队员") % {"name": member.name}, None, member)
    return found


def responses_over(user: User | AnonymousUser, community: Area) -> QuerySet[Response]:
    """The active responses in sight over the community (a case belongs to one)."""
    step = Area.steplen
    ancestors = [community.path[:n] for n in range(step, len(community.path) + 1, step)]
    return response_list(actor=user, active_only=True).filter(area_path__in=ancestors)


def alert_for(user: User | AnonymousUser, pk: int) -> Alert:
    """One alert in the user's care scope; 404 otherwise."""
    alert = (
        scoped(Alert.objects.all(), user, Action.CARE_VIEW, path_field="area_path")
        .filter(pk=pk)
        .first()
    )
    if alert is None:
        raise Http404
    return alert


# Hardship households ------------------------------------------------------------------


@dataclass
class PlanRow:
    plan: CarePlan
    last_visit: date | None
    next_visit: date
    is_overdue: bool


@dataclass
class Hardship:
    """The community's hardship households (生活困难户不掉队): the active plans, the
    next visit each is due (overdue first), the flagged households with no plan yet,
    and this month's visits and the value of the help given."""

    community: Area
    plans: list[PlanRow] = field(default_factory=list)
    unplanned: list[Household] = field(default_factory=list)
    visits_this_month: int = 0
    value_this_month: Decimal = Decimal(0)

    @property
    def overdue(self) -> int:
        return sum(1 for row in self.plans if row.is_overdue)


def next_visit(plan: CarePlan, last_visit: date | None) -> date:
    """A plan's first visit is due the day it starts; each next one its period after
    the last."""
    if last_visit is None:
        return plan.starts_on
    return last_visit + timedelta(days=plan.visit_every_days)


def hardship(
    actor: User | AnonymousUser, community: Area, *, today: date | None = None
) -> Hardship:
    access.require(actor, Action.CARE_VIEW, community)
    today = today or timezone.localdate()
    found = Hardship(community=community)
    plans = (
        CarePlan.objects.filter(community_path=community.path, status=PlanStatus.ACTIVE)
        .select_related("household", "responsible")
        .annotate(last_visit=Max("visits__visited_on"))
    )
    for plan in plans:
        due = next_visit(plan, plan.last_visit)
        found.plans.append(PlanRow(plan, plan.last_visit, due, due < today))
    found.plans.sort(key=lambda row: (not row.is_overdue, row.next_visit, row.plan.pk))
    found.unplanned = list(
        Household.objects.filter(area_path__startswith=community.path, is_hardship=True)
        .exclude(pk__in=[row.plan.household_id for row in found.plans])
        .select_related("building")
        .order_by("area_path", "door_sort")
    )
    month = CareVisit.objects.filter(
        area_path__startswith=community.path, visited_on__gte=today.replace(day=1)
    ).aggregate(n=Count("pk"), value=Sum("value"))
    found.visits_this_month = month["n"]
    found.value_this_month = month["value"] or Decimal(0)
    return found


def plan_for(user: User | AnonymousUser, pk: int) -> CarePlan:
    """One care plan in the user's care scope; 404 otherwise."""
    plan = (
        scoped(CarePlan.objects.all(), user, Action.CARE_VIEW, path_field="area_path")
        .select_related("household", "responsible", "created_by")
        .filter(pk=pk)
        .first()
    )
    if plan is None:
        raise Http404
    return plan


def plan_visits(plan: CarePlan) -> QuerySet[CareVisit]:
    """A plan's visits, the latest first (read after `plan_for` has checked scope)."""
    return plan.visits.select_related("visitor")


def household_care(household: Household) -> tuple[IsolationCase | None, CarePlan | None]:
    """The household's open isolation case (a whole-household one before a person's) and
    its active care plan, for the registry's page: two small queries."""
    case = (
        IsolationCase.objects.filter(household=household, status=CaseStatus.OPEN)
        .order_by(F("person_id").asc(nulls_first=True), "pk")
        .first()
    )
    plan = (
        CarePlan.objects.filter(household=household, status=PlanStatus.ACTIVE).first()
        if household.is_hardship
        else None
    )
    return case, plan


def open_alert_count(user: User | AnonymousUser) -> int:
    """Alerts not yet handled in the communities the user manages care for."""
    if not access.scope_paths(user, Action.CARE_MANAGE):
        return 0
    return scoped(
        Alert.objects.filter(resolved_at__isnull=True),
        user,
        Action.CARE_MANAGE,
        path_field="area_path",
    ).count()


def alerts_by_community(user: User | AnonymousUser, *, limit: int = 3) -> list[tuple[Area, int]]:
    """The communities in the user's care view with the most alerts not yet handled,
    most first (one grouped count, one read of the names)."""
    if not access.scope_paths(user, Action.CARE_VIEW):
        return []
    counts = list(
        scoped(
            Alert.objects.filter(resolved_at__isnull=True),
            user,
            Action.CARE_VIEW,
            path_field="area_path",
        )
        .values("community_path")
        .annotate(n=Count("pk"))
        .order_by("-n", "community_path")[:limit]
    )
    names = Area.objects.in_bulk([c["community_path"] for c in counts], field_name="path")
    return [(names[c["community_path"]], c["n"]) for c in counts if c["community_path"] in names]


def building_care(building: Area) -> tuple[dict[int, IsolationCase], dict[int, CarePlan]]:
    """A building's open isolation cases and active care plans, by household (of a
    building already read in scope): two queries, for its floor plan."""
    cases: dict[int, IsolationCase] = {}
    for case in IsolationCase.objects.filter(
        area_path=building.path, status=CaseStatus.OPEN
    ).order_by(F("person_id").asc(nulls_first=True), "pk"):
        cases.setdefault(case.household_id, case)
    plans = {
        plan.household_id: plan
        for plan in CarePlan.objects.filter(area_path=building.path, status=PlanStatus.ACTIVE)
    }
    return cases, plans
