"""Reads of duty, scoped through `jijie.areas.access`: demands and shifts of the
communities in sight, a member's own shifts and service record, missing members."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from jijie.areas.access import Action, scoped
from jijie.duty.models import HOLDING, Demand, Participation, ParticipationStatus, Shift
from jijie.duty.services import late_after
from jijie.mobilization.models import Member

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def demand_list(user: User | AnonymousUser, *, path: str = "") -> QuerySet[Demand]:
    """Demands of the communities where the user may see duty (under `path`)."""
    demands = scoped(Demand.objects.all(), user, Action.DUTY_VIEW, path_field="community_path")
    if path:
        demands = demands.filter(community_path__startswith=path)
    return demands.select_related("post_type", "community").order_by("-starts_on", "-pk")


def shifts_with_counts(demand: Demand) -> QuerySet[Shift]:
    """The demand's shifts with `held` (places taken) and `confirmed` counted."""
    return demand.shifts.annotate(
        held=Count("participations", filter=Q(participations__status__in=HOLDING)),
        confirmed=Count(
            "participations", filter=Q(participations__status=ParticipationStatus.CONFIRMED)
        ),
    ).order_by("starts_at")


def my_shifts(member: Member) -> QuerySet[Participation]:
    return (
        Participation.objects.filter(member=member)
        .select_related("shift__demand__post_type", "shift__demand__community")
        .order_by("-starts_at")
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
    participations: list[Participation]
    minutes: int

    @property
    def hours(self) -> float:
        return round(self.minutes / 60, 1)


def service_record(member: Member) -> ServiceRecord:
    """The shifts a member served (checked out) and their hours, for their record."""
    served = list(
        Participation.objects.filter(member=member, checked_out_at__isnull=False)
        .select_related("shift__demand__post_type", "shift__demand__community")
        .order_by("starts_at")
    )
    return ServiceRecord(served, sum(p.minutes for p in served))
