"""What an inspection may visit, read from the apps that keep it: the compounds of the
area tree, the gates, the posts on duty in a window (a demand with a shift in it), the
households under home isolation in the window, and the stores. Each is a `Target`: its
kind, its id in its own app, its area's path, its community's path and a name to find
it by (an isolation household by its building and door, never by its people)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from jijie.areas.models import Area, Compound
from jijie.care.models import CaseStatus, IsolationCase
from jijie.duty.models import Demand, Shift
from jijie.gates.models import Gate
from jijie.inspections.models import TargetKind
from jijie.supplies.models import Store

COMMUNITY_DEPTH = 4 * Area.steplen


@dataclass(frozen=True, order=True)
class Target:
    kind: str
    ref: int
    area_path: str
    label: str

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.ref}"

    @property
    def community_path(self) -> str:
        return self.area_path[:COMMUNITY_DEPTH]


def _under(paths: list[str], field: str) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**{f"{field}__startswith": path})
    return q


def candidates(kinds: list[str], paths: list[str], first: date, last: date) -> list[Target]:
    """The targets of `kinds` under the areas at `paths`, for visits from `first` to
    `last`, in a fixed order (kind, id): the order a draw is made from."""
    found: list[Target] = []
    if TargetKind.COMPOUND in kinds:
        compounds = Compound.objects.filter(_under(paths, "community__path")).select_related(
            "community"
        )
        found += [
            Target(TargetKind.COMPOUND, c.pk, c.community.path, f"{c.community.name} {c.name}")
            for c in compounds
        ]
    if TargetKind.GATE in kinds:
        gates = Gate.objects.filter(_under(paths, "area_path")).select_related("area")
        found += [
            Target(TargetKind.GATE, g.pk, g.area_path, f"{g.area.name} {g.name}") for g in gates
        ]
    if TargetKind.POST in kinds:
        start = timezone.make_aware(datetime.combine(first, time.min))
        end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        on_shift = Shift.objects.filter(starts_at__lt=end, ends_at__gt=start).values("demand_id")
        demands = Demand.objects.filter(
            _under(paths, "community_path"), pk__in=on_shift
        ).select_related("community", "post_type")
        found += [
            Target(
                TargetKind.POST,
                d.pk,
                d.community_path,
                f"{d.community.name} {d.post_type.name} · {d.place}",
            )
            for d in demands
        ]
    if TargetKind.ISOLATION in kinds:
        cases = (
            IsolationCase.objects.filter(
                _under(paths, "area_path"), status=CaseStatus.OPEN, starts_on__lte=last
            )
            .select_related("household__building")
            .order_by("household_id", "pk")
        )
        seen: set[int] = set()
        for case in cases:  # a household with two open cases is one door to knock at
            if case.household_id in seen:
                continue
            seen.add(case.household_id)
            household = case.household
            found.append(
                Target(
                    TargetKind.ISOLATION,
                    household.pk,
                    household.area_path,
                    f"{household.building.name} {household.door_number}",
                )
            )
    if TargetKind.STORE in kinds:
        stores = Store.objects.filter(_under(paths, "area_path"))
        found += [Target(TargetKind.STORE, s.pk, s.area_path, s.name) for s in stores]
    return sorted(set(found), key=lambda t: (t.kind, t.ref))
