"""The coverage counters: kept current inside each visit's transaction (`count_visit`),
and rebuilt from the visits when needed (`rebuild`: after a bulk load, or to check).

Both follow the same rules, written once in `Step`:
- a household is *reached* by its first visit and *completed* by its first done visit;
  later visits change neither, so two workers at one door count the household once;
- a visit that is not done, on a household not yet completed, opens a revisit (or
  moves the open one on); the done visit closes it;
- people screened are the people at home at the completing visit; flags are the people
  put into a key group; fevers are done visits that report fever or cough.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Count, F
from django.utils import timezone

from jijie.areas.models import Area
from jijie.residents.models import Household
from jijie.screening.models import (
    BUILDING_COUNTERS,
    DAILY_COUNTERS,
    FEVER,
    REVISIT_AFTER,
    BuildingCoverage,
    Campaign,
    CampaignArea,
    DailyCoverage,
    HouseholdState,
    Mode,
    Outcome,
    Revisit,
    Visit,
)


@dataclass
class Step:
    """What one visit adds, given where its household stood before it."""

    reached: bool
    completed: bool
    opens_revisit: bool
    closes_revisit: bool
    people: int
    fever: bool

    @classmethod
    def of(
        cls, *, outcome: str, visits_before: int, completed_before: bool, people: int, fever: bool
    ) -> Step:
        done = outcome == Outcome.DONE
        completes = done and not completed_before
        # Before completion a household always has an open revisit after its first visit.
        has_open = visits_before > 0 and not completed_before
        return cls(
            reached=visits_before == 0,
            completed=completes,
            opens_revisit=not done and not completed_before and not has_open,
            closes_revisit=completes and has_open,
            people=people if completes else 0,
            fever=done and fever,
        )


def reports_fever(answers: dict[str, Any]) -> bool:
    return answers.get(FEVER) is True


def campaign_households(campaign: Campaign) -> dict[int, tuple[str, int]]:
    """{building id: (path, households)} for the buildings in the campaign's areas."""
    result: dict[int, tuple[str, int]] = {}
    for path in campaign.areas.values_list("area_path", flat=True):
        rows = (
            Household.objects.filter(area_path__startswith=path)
            .values("building_id", "area_path")
            .annotate(n=Count("id"))
            .order_by()
        )
        for row in rows:
            result[row["building_id"]] = (row["area_path"], row["n"])
    return result


def scope_count(campaign: Campaign) -> None:
    """(Re)count the households in scope of every building of the campaign: at creation,
    and to check or repair the counters (`manage.py screening_rebuild`); in between,
    `households_added` follows the registry."""
    existing = dict(
        BuildingCoverage.objects.filter(campaign=campaign).values_list("building_id", "pk")
    )
    counted = campaign_households(campaign)
    new = []
    for building_id, (path, households) in counted.items():
        if building_id in existing:
            BuildingCoverage.objects.filter(pk=existing[building_id]).update(households=households)
        else:
            new.append(
                BuildingCoverage(
                    campaign=campaign,
                    building_id=building_id,
                    area_path=path,
                    households=households,
                )
            )
    BuildingCoverage.objects.bulk_create(new, batch_size=5000)


def households_added(counts: Mapping[int, int]) -> None:
    """Add households just registered (`counts`: how many, by building id) to the
    counters of every campaign whose areas hold their buildings, inside the registering
    transaction (`jijie.residents.signals`): a building registered after a campaign began
    is in its totals at once, as it is in the list of doors not yet reached.

    Added, not recounted: two registrations at once, or a registration beside a visit to
    the same building, each add their own and neither overwrites the other's."""
    scopes = list(CampaignArea.objects.values_list("campaign_id", "area_path"))
    if not scopes or not counts:
        return
    paths = dict(Area.objects.filter(pk__in=list(counts)).values_list("pk", "path"))
    for building_id, added in sorted(counts.items()):  # one lock order for every caller
        path = paths[building_id]
        for campaign_id in sorted({c for c, scope in scopes if path.startswith(scope)}):
            _add(
                BuildingCoverage,
                {"campaign_id": campaign_id, "building_id": building_id},
                {"area_path": path},
                {"households": added},
            )


def _locked_state(visit: Visit) -> HouseholdState:
    """The household's row in this campaign, created if missing, locked: a second worker
    at the same door waits here until the first visit's transaction ends."""
    HouseholdState.objects.bulk_create(
        [
            HouseholdState(
                campaign_id=visit.campaign_id,
                household_id=visit.household_id,
                area_path=visit.area_path,
            )
        ],
        ignore_conflicts=True,
    )
    return HouseholdState.objects.select_for_update().get(
        campaign_id=visit.campaign_id, household_id=visit.household_id
    )


def count_visit(visit: Visit) -> Step:
    """Apply one new visit to the household's state, its revisit and the counters of its
    building (now and on its day). Runs inside the visit's transaction."""
    state = _locked_state(visit)
    step = Step.of(
        outcome=visit.outcome,
        visits_before=state.visits,
        completed_before=state.completed_at is not None,
        people=visit.people_present,
        fever=reports_fever(visit.answers),
    )
    state.visits += 1
    if step.reached:
        state.first_visited_at = visit.visited_at
    if step.completed:
        state.completed_at = visit.visited_at
    state.save(update_fields=["visits", "first_visited_at", "completed_at"])
    _move_revisit(visit, step)

    building_id = visit.household.building_id
    _add(
        BuildingCoverage,
        {"campaign_id": visit.campaign_id, "building_id": building_id},
        {"area_path": visit.area_path},
        {
            "visited": int(step.reached),
            "completed": int(step.completed),
            "people_screened": step.people,
            "flags": visit.flags_raised,
            "fevers": int(step.fever),
        },
    )
    _add(
        DailyCoverage,
        {
            "campaign_id": visit.campaign_id,
            "building_id": building_id,
            "day": timezone.localdate(visit.visited_at),
        },
        {"area_path": visit.area_path},
        _daily_deltas(visit.mode, visit.outcome, step, visit.flags_raised),
    )
    return step


Counter = TypeVar("Counter", BuildingCoverage, DailyCoverage)


def _add(
    model: type[Counter],
    key: dict[str, Any],
    defaults: dict[str, Any],
    deltas: dict[str, int],
    **values: Any,
) -> None:
    """Add `deltas` to the counter row at `key`: one UPDATE when the row exists (nearly
    always); otherwise insert it (ignoring a row a concurrent visit inserted first) and
    update again."""
    changes: dict[str, Any] = {name: F(name) + n for name, n in deltas.items() if n}
    changes.update(values)
    if not changes:
        changes = {"area_path": defaults["area_path"]}
    rows = model.objects.filter(**key)
    if rows.update(**changes) == 0:
        model.objects.bulk_create([model(**key, **defaults)], ignore_conflicts=True)
        rows.update(**changes)


def _daily_deltas(mode: str, outcome: str, step: Step, flags: int) -> dict[str, int]:
    return {
        "visits": 1,
        "door_visits": int(mode == Mode.DOOR),
        "phone_visits": int(mode == Mode.PHONE),
        "reached": int(step.reached),
        "completed": int(step.completed),
        "failed": int(outcome != Outcome.DONE),
        "revisits_opened": int(step.opens_revisit),
        "revisits_closed": int(step.closes_revisit),
        "people_screened": step.people,
        "flags": flags,
        "fevers": int(step.fever),
    }


def _move_revisit(visit: Visit, step: Step) -> None:
    if visit.outcome == Outcome.DONE:
        if step.closes_revisit:
            Revisit.objects.filter(
                campaign_id=visit.campaign_id, household_id=visit.household_id, closed_at=None
            ).update(closed_at=visit.visited_at, closed_by=visit)
        return
    due = visit.visited_at + REVISIT_AFTER[visit.outcome]
    if step.opens_revisit:
        Revisit.objects.create(
            campaign_id=visit.campaign_id,
            household_id=visit.household_id,
            area_path=visit.area_path,
            outcome=visit.outcome,
            opened_at=visit.visited_at,
            due_at=due,
        )
    elif not step.completed:
        Revisit.objects.filter(
            campaign_id=visit.campaign_id, household_id=visit.household_id, closed_at=None
        ).update(outcome=visit.outcome, due_at=due, attempts=F("attempts") + 1)


# --- rebuilding from the visits -------------------------------------------------------

VisitRow = tuple[int, int, str, str, str, datetime, int, int, Any]


def _visit_rows(campaign: Campaign) -> Iterable[VisitRow]:
    return (
        Visit.objects.filter(campaign=campaign)
        .order_by("household_id", "visited_at", "pk")
        .values_list(
            "pk",
            "household_id",
            "area_path",
            "mode",
            "outcome",
            "visited_at",
            "people_present",
            "flags_raised",
            "answers",
        )
        .iterator(chunk_size=10_000)
    )


@transaction.atomic
def rebuild(campaign: Campaign, *, batch_size: int = 5000) -> int:
    """Recompute the household states, revisits and counters of `campaign` from its
    visits, in one pass over them in household order; return the visits read.

    This is how a bulk load of visits is counted (and how the counters are checked):
    the same `Step` rules as `count_visit`, with set-at-once inserts instead of one
    update per visit.
    """
    Campaign.objects.select_for_update().get(pk=campaign.pk)  # no visit counts meanwhile
    for model in (HouseholdState, Revisit, BuildingCoverage, DailyCoverage):
        model.objects.filter(campaign=campaign).delete()
    buildings = campaign_households(campaign)
    building_of = dict(
        Household.objects.filter(
            building_id__in=list(buildings) or [0],
        ).values_list("pk", "building_id")
    )
    totals: dict[int, dict[str, int]] = {b: dict.fromkeys(BUILDING_COUNTERS, 0) for b in buildings}
    for b, (_path, n) in buildings.items():
        totals[b]["households"] = n
    paths = {b: path for b, (path, _n) in buildings.items()}
    daily: dict[tuple[int, date], dict[str, int]] = defaultdict(
        lambda: dict.fromkeys(DAILY_COUNTERS, 0)
    )
    states: list[HouseholdState] = []
    revisits: list[Revisit] = []
    count = 0
    current: int | None = None
    visits_before = 0
    completed_at: datetime | None = None
    first_at: datetime | None = None
    open_revisit: Revisit | None = None

    def close_household() -> None:
        if current is None:
            return
        states.append(
            HouseholdState(
                campaign=campaign,
                household_id=current,
                area_path=paths.get(building_of.get(current, 0), ""),
                visits=visits_before,
                first_visited_at=first_at,
                completed_at=completed_at,
            )
        )

    for pk, household_id, area_path, mode, outcome, at, people, flags, answers in _visit_rows(
        campaign
    ):
        count += 1
        if household_id != current:
            close_household()
            current, visits_before, completed_at, first_at, open_revisit = (
                household_id,
                0,
                None,
                None,
                None,
            )
        step = Step.of(
            outcome=outcome,
            visits_before=visits_before,
            completed_before=completed_at is not None,
            people=people,
            fever=reports_fever(answers or {}),
        )
        if step.reached:
            first_at = at
        if step.completed:
            completed_at = at
        visits_before += 1
        if outcome == Outcome.DONE:
            if step.closes_revisit and open_revisit is not None:
                open_revisit.closed_at = at
                open_revisit.closed_by_id = pk
                open_revisit = None
        elif step.opens_revisit:
            open_revisit = Revisit(
                campaign=campaign,
                household_id=household_id,
                area_path=area_path,
                outcome=outcome,
                opened_at=at,
                due_at=at + REVISIT_AFTER[outcome],
            )
            revisits.append(open_revisit)
        elif open_revisit is not None:
            open_revisit.outcome = outcome
            open_revisit.due_at = at + REVISIT_AFTER[outcome]
            open_revisit.attempts += 1
        building = building_of.get(household_id)
        if building is None:  # a household moved out of scope since: not counted
            continue
        total = totals[building]
        total["visited"] += int(step.reached)
        total["completed"] += int(step.completed)
        total["people_screened"] += step.people
        total["flags"] += flags
        total["fevers"] += int(step.fever)
        day_counts = daily[(building, timezone.localdate(at))]
        for name, value in _daily_deltas(mode, outcome, step, flags).items():
            day_counts[name] += value
        if len(states) >= batch_size:
            HouseholdState.objects.bulk_create(states, batch_size=batch_size)
            states = []
    close_household()
    HouseholdState.objects.bulk_create(states, batch_size=batch_size)
    Revisit.objects.bulk_create(revisits, batch_size=batch_size)
    BuildingCoverage.objects.bulk_create(
        (
            BuildingCoverage(campaign=campaign, building_id=b, area_path=paths[b], **values)
            for b, values in totals.items()
        ),
        batch_size=batch_size,
    )
    DailyCoverage.objects.bulk_create(
        (
            DailyCoverage(campaign=campaign, building_id=b, area_path=paths[b], day=day, **values)
            for (b, day), values in daily.items()
        ),
        batch_size=batch_size,
    )
    return count
