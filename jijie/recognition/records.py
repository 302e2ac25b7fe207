"""A member's service record over a period, from verified sources only:

- shifts (duty): a participation confirmed by the community and checked out, its
  minutes as the check-out counted them, by the shift's start;
- errands (care): an errand confirmed by the household or its grid worker, its minutes,
  by the confirmation;
- commendations and incidents (inspections): findings naming the member, by the visit.

A shift claimed but never confirmed, checked in but not out, declined or cancelled, an
errand done but not confirmed: none counts. Nobody types a figure into a record."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Sum

from jijie.care.models import Errand, ErrandState
from jijie.core import periods
from jijie.duty.models import Participation, ParticipationStatus
from jijie.inspections.models import Finding, FindingKind


@dataclass(frozen=True)
class Record:
    shift_minutes: int = 0
    shifts: int = 0
    errand_minutes: int = 0
    errands: int = 0
    commendations: int = 0
    incidents: int = 0

    @property
    def minutes(self) -> int:
        return self.shift_minutes + self.errand_minutes

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def records(member_ids: Iterable[int], start: date, end: date) -> dict[int, Record]:
    """Each member's record over [start, end]; a member with nothing has an empty one.
    Three grouped statements, whatever the number of members."""
    ids = list(member_ids)
    first, last = periods.bounds(start, end)
    found: dict[int, dict[str, int]] = {pk: {} for pk in ids}
    shifts = (
        Participation.objects.filter(
            member_id__in=ids, status=ParticipationStatus.CONFIRMED,
            checked_out_at__isnull=False, starts_at__gte=first, starts_at__lt=last,
        )
        .values("member_id")
        .annotate(minutes=Sum("minutes"), n=Count("pk"))
    )  # fmt: skip
    for row in shifts:
        found[row["member_id"]].update(shift_minutes=row["minutes"] or 0, shifts=row["n"])
    errands = (
        Errand.objects.filter(
            member_id__in=ids, state=ErrandState.CONFIRMED,
            confirmed_at__gte=first, confirmed_at__lt=last,
        )
        .values("member_id")
        .annotate(minutes=Sum("minutes"), n=Count("pk"))
    )  # fmt: skip
    for row in errands:
        found[row["member_id"]].update(errand_minutes=row["minutes"] or 0, errands=row["n"])
    findings = (
        Finding.objects.filter(member_id__in=ids, visit__recorded_at__gte=first,
                               visit__recorded_at__lt=last)
        .values("member_id", "kind")
        .annotate(n=Count("pk"))
    )  # fmt: skip
    for row in findings:
        key = "commendations" if row["kind"] == FindingKind.COMMENDATION else "incidents"
        found[row["member_id"]][key] = row["n"]
    return {pk: Record(**values) for pk, values in found.items()}
