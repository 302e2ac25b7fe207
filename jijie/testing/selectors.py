"""Reads of testing rounds: the rounds a user may see, a tube's people, and a round's
coverage per community (or per any level below the round's area): who is to be tested,
who was, who is excused and who is still to come."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import CharField, Count, Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, Area, AreaKind
from jijie.care.models import CaseStatus, IsolationCase
from jijie.core import pii
from jijie.duty.models import HOLDING, Demand, DemandStatus, Participation
from jijie.gates.models import PassStatus
from jijie.gates.selectors import passes_scanned
from jijie.residents import counts
from jijie.residents.models import Household, Person
from jijie.testing.models import (
    Appointment,
    Batch,
    Exemption,
    ExemptReason,
    Round,
    RoundCoverage,
    Sample,
    Site,
    Tube,
    TubeResult,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User


def round_list(*, actor: User | AnonymousUser) -> QuerySet[Round]:
    """The rounds over, or under, the areas where `actor` may see testing."""
    paths = access.scope_paths(actor, Action.TESTING_VIEW)
    if not paths:
        return Round.objects.none()
    seen = Q()
    for path in paths:
        seen |= Q(area_path__startswith=path) | Q(area_path__in=_ancestors(path))
    return Round.objects.filter(seen).select_related("area").order_by("-starts_on", "-pk")


def _ancestors(path: str) -> list[str]:
    return [path[:n] for n in range(Area.steplen, len(path), Area.steplen)]


def pass_household(site: Site, token: str) -> Household | None:
    """The household whose pass (its QR code) a resident shows at the lane: an active
    pass of a household in the round's area; None for anything else (a bad code, a
    revoked pass, a household outside the round: they show their ID card instead)."""
    found = passes_scanned([token[:200]])[token[:200]]
    if (
        found is None
        or found.status != PassStatus.ACTIVE
        or not found.area_path.startswith(site.round.area_path)
    ):
        return None
    return Household.objects.get(pk=found.household_id)


def household_members(
    household: Household, *, actor: User | AnonymousUser
) -> list[tuple[int, str]]:
    """The people of a household shown at the lane by its pass, for the sampler to pick
    who stands there: by name where the sampler may see the household in the registry,
    else by relation, sex, birth year and masked ID number only."""
    named = access.may_path(actor, Action.RESIDENT_VIEW, household.area_path)
    out = []
    for person in household.people.order_by("pk"):
        parts = [person.name] if named else []
        parts.append(person.get_relation_display())
        if not named and person.sex:
            parts.append(person.get_sex_display())
        if person.birth_year:
            parts.append(_("%(year)s年生") % {"year": person.birth_year})
        if not named and person.document_masked:
            parts.append(person.document_masked)
        out.append((person.pk, " · ".join(str(p) for p in parts)))
    return out


def person_by_id_number(number: str) -> Person | None:
    """The registry's person with this (checked) resident ID number, wherever they live:
    at a test site they present their card themselves."""
    return (
        Person.objects.filter(document_hash=pii.lookup_hash("id", number))
        .select_related("household")
        .first()
    )


def sample_sent(client_ref: uuid.UUID) -> Sample | None:
    """The sample a phone's registration `client_ref` stored, if it was."""
    return Sample.objects.filter(client_ref=client_ref).select_related("tube").first()


def site_tube(site: Site, barcode: str) -> Tube | None:
    """The round's tube `barcode` if it was opened at `site`."""
    return Tube.objects.filter(round_id=site.round_id, site=site, barcode=barcode).first()


def tubes_to_send(site: Site) -> list[Tube]:
    """The site's sealed tubes not yet handed over to the lab, oldest first."""
    return list(
        Tube.objects.filter(site=site, sealed_at__isnull=False, batch__isnull=True).order_by(
            "sealed_at", "pk"
        )
    )


def batches(round: Round, area_path: str) -> QuerySet[Batch]:
    """The round's batches from sites under `area_path`, newest first, with their tubes
    counted."""
    return (
        Batch.objects.filter(round=round, area_path__startswith=area_path)
        .select_related("site")
        .annotate(n=Count("tubes"))
        .order_by("-sent_at", "-pk")
    )


def sampling_sites(*, actor: User | AnonymousUser, day: date) -> QuerySet[Site]:
    """The sites of rounds running on `day` where `actor` may take samples."""
    paths = access.scope_paths(actor, Action.TESTING_SAMPLE)
    if not paths:
        return Site.objects.none()
    seen = Q()
    for path in paths:
        seen |= Q(area_path__startswith=path)
    return (
        Site.objects.filter(seen, round__starts_on__lte=day, round__ends_on__gte=day)
        .select_related("round", "area")
        .order_by("round__area_path", "name")
    )


def tube_people(tube: Tube) -> list[Person]:
    """Everyone whose swab is in `tube`, in the order they were sampled: on a positive
    tube, the people to re-test and isolate."""
    return [
        s.person
        for s in Sample.objects.filter(tube=tube)
        .select_related("person__household")
        .order_by("taken_at", "pk")
    ]


def untested(round: Round, area_path: str, *, actor: User | AnonymousUser) -> QuerySet[Person]:
    """The re-sweep list: people registered under `area_path` (within the round's area)
    whom `actor` may see in the registry, not yet sampled in the round and not excused
    from it, by building and door as a worker walks them. The bedridden are on it: they
    are sampled at home."""
    sampled = Sample.objects.filter(round=round, area_path__startswith=area_path)
    excused = Exemption.objects.filter(round=round, area_path__startswith=area_path).exclude(
        reason=ExemptReason.BEDRIDDEN
    )
    return (
        access.scoped(Person.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path")
        .filter(area_path__startswith=area_path)
        .exclude(Exists(sampled.filter(person_id=OuterRef("pk"))))
        .exclude(Exists(excused.filter(person_id=OuterRef("pk"))))
        .select_related("household__building")
        .order_by("area_path", "household__door_sort", "household_id", "pk")
    )


def household_swabs(
    household_id: int, at: datetime, hours: int
) -> QuerySet[Person, tuple[int | None, int | None, int | None]]:
    """The ledger's rows for a gate whose rule asks for a negative result within `hours`
    (`jijie.gates.proofs`): one per member of the household who must show one at `at`
    (less those excused from a round in force that day: away, an infant; the bedridden
    are sampled at home and count), giving a swab taken within the hours with a negative
    result by `at`, one with a positive result, and one with none yet (None where there
    is none). Subqueries of a row's id rather than EXISTS, whose `SELECT %s` the scan
    lane's driver cannot type."""
    day = timezone.localdate(at)
    excused = Exemption.objects.filter(
        person__household_id=household_id, round__starts_on__lte=day, round__ends_on__gte=day
    ).exclude(reason=ExemptReason.BEDRIDDEN)
    swabs = Sample.objects.filter(
        person_id=OuterRef("pk"), taken_at__gte=at - timedelta(hours=hours), taken_at__lte=at
    )

    def one(of: QuerySet[Sample]) -> Subquery:
        return Subquery(of.values("pk")[:1])

    return (
        Person.objects.filter(household_id=household_id)
        .exclude(pk__in=excused.values("person_id"))
        .annotate(
            negative=one(
                swabs.filter(tube__lab__result=TubeResult.NEGATIVE, tube__lab__result_at__lte=at)
            ),
            positive=one(
                swabs.filter(tube__lab__result=TubeResult.POSITIVE, tube__lab__result_at__lte=at)
            ),
            waiting=one(swabs.filter(Q(tube__lab__isnull=True) | Q(tube__lab__result_at__gt=at))),
        )
        .values_list("negative", "positive", "waiting")
    )


def appointments(site: Site, day: date) -> list[Appointment]:
    """The site's buildings' windows on `day`, in the order they are called."""
    return list(
        Appointment.objects.filter(site=site, day=day)
        .select_related("building")
        .order_by("starts_at", "area_path")
    )


def called_now(site: Site, at: datetime) -> list[Appointment]:
    """The buildings whose window at the site holds `at`: who should be in the queue."""
    return list(
        Appointment.objects.filter(site=site, starts_at__lte=at, ends_at__gt=at)
        .select_related("building")
        .order_by("area_path")
    )


def on_duty(demands: Iterable[Demand | None], at: datetime) -> dict[int, list[Participation]]:
    """Who holds a place now in a shift of each of `demands` (duty posts: sites' staff
    and carriers), by the shift's hours, in one query: by post, confirmed first, then
    those waiting to be."""
    ids = {d.pk for d in demands if d is not None}
    found: dict[int, list[Participation]] = {pk: [] for pk in ids}
    if not ids:
        return found
    for held in (
        Participation.objects.filter(
            shift__demand_id__in=ids,
            shift__starts_at__lte=at,
            shift__ends_at__gt=at,
            status__in=HOLDING,
        )
        .select_related("member", "shift")
        .order_by("status", "member__name", "pk")
    ):
        found[held.shift.demand_id].append(held)
    return found


def carriers_on_shift(site: Site, at: datetime) -> list[Participation]:
    """Who holds a place now in a shift of the site's carrying post (none without one)."""
    return on_duty([site.transport], at).get(site.transport_id or 0, [])


def site_posts_under(path: str) -> list[Demand]:
    """The open duty posts of the communities in a round's area (`path`), which its
    sites may be staffed and served from (each site from its own community's: the
    service checks)."""
    return list(
        Demand.objects.filter(
            community_path__startswith=path[: KIND_DEPTH[AreaKind.COMMUNITY] * Area.steplen],
            status=DemandStatus.OPEN,
        )
        .select_related("post_type")
        .order_by("community_path", "post_type__name", "place", "pk")
    )


def bedridden(round: Round, people: list[Person]) -> set[int]:
    """Which of `people` are exempt from the site as bedridden: sampled at their door."""
    return set(
        Exemption.objects.filter(
            round=round, reason=ExemptReason.BEDRIDDEN, person_id__in=[p.pk for p in people]
        ).values_list("person_id", flat=True)
    )


def not_isolated(tube: Tube) -> list[Person]:
    """The people of `tube` not in an open home-isolation case: on a positive tube,
    those still to be isolated."""
    people = tube_people(tube)
    isolated = set(
        IsolationCase.objects.filter(
            person_id__in=[p.pk for p in people], status=CaseStatus.OPEN
        ).values_list("person_id", flat=True)
    )
    return [p for p in people if p.pk not in isolated]


@dataclass
class Coverage:
    """A unit's coverage in a round: people registered under it, those excused (away,
    infants…; a bedridden person is sampled at home and is not excused), those tested,
    and those still to be tested."""

    path: str
    people: int = 0
    excused: int = 0
    tested: int = 0

    @property
    def to_test(self) -> int:
        return self.people - self.excused

    @property
    def untested(self) -> int:
        return self.to_test - self.tested

    @property
    def rate(self) -> float | None:
        return None if not self.to_test else round(100 * self.tested / self.to_test, 1)


def coverage(round: Round, *, depth: int, within: str = "") -> dict[str, Coverage]:
    """The round's coverage by the areas at `depth` under its area, or under `within`
    alone when that is an area inside it: the registry's kept counts of people beside
    the round's kept counters (`counters`), summed over the buildings of each area."""
    length = depth * Area.steplen
    base = round.area_path
    if within.startswith(round.area_path):
        base = within  # an area inside the round's
    elif not round.area_path.startswith(within):
        return {}  # beside it: none of the round
    out: dict[str, Coverage] = {}
    for path, people in counts.people_under(base, length).items():
        out[path] = Coverage(path, people=people)
    rows = (
        RoundCoverage.objects.filter(round=round, area_path__startswith=base)
        .annotate(unit=Substr("area_path", 1, length, output_field=CharField()))
        .values("unit")
        .annotate(tested=Sum("tested"), excused=Sum("excused"))
        .values_list("unit", "tested", "excused")
    )
    for path, tested, excused in rows:
        if tested or excused:
            found = out.setdefault(path, Coverage(path))
            found.tested, found.excused = tested, excused
    return out
