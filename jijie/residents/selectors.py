"""Reads of the registry, always through `access` scoping on the copied area path."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Case, Count, QuerySet, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from jijie.areas import access
from jijie.areas.access import Action
from jijie.areas.models import KIND_DEPTH, Area, AreaKind
from jijie.core import pii
from jijie.core.identity import normalise
from jijie.residents import counts
from jijie.residents.models import (
    BuildingHouseholds,
    ExportRequest,
    ExportStatus,
    Household,
    ImportJob,
    NameGram,
    Person,
    Relation,
)
from jijie.residents.names import search_gram

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from jijie.accounts.models import User

SEARCH_LIMIT = 50
STREET_DEPTH = KIND_DEPTH[AreaKind.STREET]
COMMUNITY_DEPTH = KIND_DEPTH[AreaKind.COMMUNITY]
GRID_DEPTH = KIND_DEPTH[AreaKind.GRID]
# The head of the household first, then the others in the order they were registered.
HEAD_FIRST = Case(When(relation=Relation.HEAD, then=0), default=1)


def household_list(
    *,
    actor: User | AnonymousUser,
    area: Area | None = None,
    kind: str = "",
    flag: str = "",
    order: str = "address",
) -> QuerySet[Household]:
    """Households in scope, under `area` if given, of a kind, with a key-household flag,
    in one of the LEDGER_ORDERS."""
    households = access.scoped(
        Household.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path"
    )
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    if kind:
        households = households.filter(kind=kind)
    if flag in ("is_party_centre", "is_home_isolation", "is_hardship"):
        households = households.filter(**{flag: True})
    return households.select_related("building").order_by(*LEDGER_ORDERS[order])


def household_count(*, actor: User | AnonymousUser, area: Area | None = None) -> int:
    """How many households `household_list` (with no kind or flag) holds: the kept
    counts of the buildings in scope summed (`counts`), not the households read."""
    buildings = access.scoped(
        BuildingHouseholds.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path"
    )
    if area is not None:
        buildings = buildings.filter(area_path__startswith=area.path)
    return counts.total(buildings)


# The ledger's orders: by place (area, then door as people read it; one index serves it
# at any scale), and by registration, newest or oldest first (the primary key's index).
# Each is total (two doors may read alike: "0101" and "101"), as paging needs.
LEDGER_ORDERS: dict[str, tuple[str, ...]] = {
    "address": ("area_path", "door_sort", "pk"),
    "-address": ("-area_path", "-door_sort", "-pk"),
    "new": ("-pk",),
    "old": ("pk",),
}


@dataclass(frozen=True)
class LedgerRow:
    """A household as the ledger shows it: where it is (its community and grid when the
    ledger spans more than one), who heads it and how many live there."""

    household: Household
    head: str
    size: int
    place: str  # “源西街道 · 新港路社区 · 第01网格”, the levels below the ledger's area


def ledger_rows(households: list[Household], *, within: Area | None) -> list[LedgerRow]:
    """`households` (a page, read in scope) with their heads, sizes and places: three
    queries, whatever the ledger's size."""
    ids = [h.pk for h in households]
    sizes = dict(
        Person.objects.filter(household_id__in=ids)
        .values_list("household_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household_id", "n")
    )
    heads: dict[int, str] = {}
    for household_id, name in (
        Person.objects.filter(household_id__in=ids)
        .order_by("household_id", HEAD_FIRST, "pk")
        .values_list("household_id", "name")
    ):
        heads.setdefault(household_id, name)
    # The levels between the ledger's area and the building: street, community, grid.
    levels = (STREET_DEPTH, COMMUNITY_DEPTH, GRID_DEPTH)
    shown = [d for d in levels if within is None or d > within.depth]
    paths = {h.area_path[: d * Area.steplen] for h in households for d in shown}
    names = dict(Area.objects.filter(path__in=paths).values_list("path", "name"))
    return [
        LedgerRow(
            household=h,
            head=heads.get(h.pk, ""),
            size=sizes.get(h.pk, 0),
            place=" · ".join(
                names[p] for d in shown if (p := h.area_path[: d * Area.steplen]) in names
            ),
        )
        for h in households
    ]


def household_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.RESIDENT_VIEW
) -> Household:
    """One household, 404 when missing or out of scope, 403 when the role may not act."""
    household = (
        access.scoped(Household.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path")
        .select_related("building")
        .filter(pk=pk)
        .first()
    )
    if household is None:
        raise Http404
    access.require_path(actor, action, household.area_path)
    return household


def person_for(
    *, actor: User | AnonymousUser, pk: int, action: Action = Action.RESIDENT_VIEW
) -> Person:
    person = (
        access.scoped(Person.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path")
        .select_related("household", "household__building")
        .filter(pk=pk)
        .first()
    )
    if person is None:
        raise Http404
    access.require_path(actor, action, person.area_path)
    return person


def people_of(household: Household) -> QuerySet[Person]:
    return household.people.order_by(HEAD_FIRST, "pk")


def person_search(
    *, actor: User | AnonymousUser, query: str, area: Area | None = None
) -> list[Person]:
    """Search people in scope by what a worker at a door knows:

    - a whole ID number or phone: exact, through the keyed hash;
    - 4 characters of digits (or ending in X): the tail of a phone or ID number;
    - Latin letters: pinyin initials (王小明 → wxm), as a prefix;
    - anything else: part of the name.
    """
    text = normalise(query)[:30]
    if not text:
        return []
    people = access.scoped(
        Person.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path"
    )
    if area is not None:
        people = people.filter(area_path__startswith=area.path)
    if re.fullmatch(r"\d{17}[\dX]", text):
        people = people.filter(document_hash=pii.lookup_hash("id", text))
    elif re.fullmatch(r"1[3-9]\d{9}", text):
        people = people.filter(phone_hash=pii.lookup_hash("phone", text))
    elif re.fullmatch(r"\d{3}[\dX]", text):
        people = people.filter(phone_tail=text) | people.filter(document_tail=text)
    elif re.fullmatch(r"[A-Z]{1,10}", text):
        people = people.filter(name_initials__startswith=text.lower())
    else:
        return _name_search(actor, query.strip()[:30], people, area)
    return list(
        people.select_related("household", "household__building").order_by("area_path", "name")[
            :SEARCH_LIMIT
        ]
    )


@dataclass(frozen=True)
class HouseholdHit:
    """A household a picker offers: its number (the form's value, never shown), where it
    is and who lives there, as the worker at the door would recognise it."""

    pk: int
    address: str  # “3栋 101”
    people: str  # “王小明 等 3 人”


HOUSEHOLD_PICKS = 20
# A door as people write it: 101, 3-101, 2单元301, B座1203
_DOOR = re.compile(r"[\w\-]{1,16}")


def household_search(
    *, actor: User | AnonymousUser, query: str, area: Area | None = None
) -> list[HouseholdHit]:
    """Households in scope a worker means by `query`: a door number (101, 3-101), or
    anyone living there found as `person_search` finds people (name, pinyin initials, a
    phone's or ID's last four, a whole ID or phone). Doors first, then people's homes,
    at most HOUSEHOLD_PICKS."""
    text = normalise(query)[:30]
    if not text:
        return []
    households = access.scoped(
        Household.objects.all(), actor, Action.RESIDENT_VIEW, path_field="area_path"
    )
    if area is not None:
        households = households.filter(area_path__startswith=area.path)
    ids: list[int] = []
    door = unicodedata.normalize("NFKC", query).strip()  # full-width digits as typed on a phone
    if _DOOR.fullmatch(door) and any(c.isdigit() for c in door):
        at_door = households.filter(door_number=door) | households.filter(
            door_number__endswith=f"-{door}"
        )
        ids += at_door.order_by("area_path", "door_sort").values_list("pk", flat=True)[
            :HOUSEHOLD_PICKS
        ]
    for person in person_search(actor=actor, query=query, area=area):
        if person.household_id not in ids:
            ids.append(person.household_id)
    ids = ids[:HOUSEHOLD_PICKS]
    return households_described(ids)


def households_described(ids: list[int]) -> list[HouseholdHit]:
    """`ids` (already read in scope) as picker rows, in the order given: two queries."""
    rows = {
        pk: (building, door)
        for pk, building, door in Household.objects.filter(pk__in=ids).values_list(
            "pk", "building__name", "door_number"
        )
    }
    people: dict[int, list[str]] = {}
    for household_id, name in (
        Person.objects.filter(household_id__in=ids)
        .order_by("household_id", HEAD_FIRST, "pk")
        .values_list("household_id", "name")
    ):
        people.setdefault(household_id, []).append(name)
    hits = []
    for pk in ids:
        if pk not in rows:
            continue
        names = people.get(pk, [])
        if not names:
            who = _("暂无人员")
        elif len(names) == 1:
            who = names[0]
        else:
            who = _("%(name)s 等 %(count)d 人") % {"name": names[0], "count": len(names)}
        building, door = rows[pk]
        hits.append(HouseholdHit(pk=pk, address=f"{building} {door}", people=who))
    return hits


# Candidates read from the name-piece index in area order: a first small batch (enough
# whenever the query is the piece itself), then one larger, bounded batch.
NAME_CANDIDATES = (200, 10_000)


def _name_search(
    actor: User | AnonymousUser, name: str, people: QuerySet[Person], area: Area | None
) -> list[Person]:
    """Read the name-piece index in area order and stop at 50 matches: a common single
    character in a whole district never sorts every match."""
    pieces = access.scoped(
        NameGram.objects.filter(gram=search_gram(name)),
        actor,
        Action.RESIDENT_VIEW,
        path_field="area_path",
    )
    if area is not None:
        pieces = pieces.filter(area_path__startswith=area.path)
    # In the table's key order (piece, area path, person): the scan stops at the limit
    # instead of sorting every match of a common character, and the same query always
    # reads the same candidates, the first in area order. The page is sorted below.
    ordered = pieces.order_by("area_path", "person_id").values_list("person_id", flat=True)
    found: list[Person] = []
    for limit in NAME_CANDIDATES:
        ids = list(ordered[:limit])
        found = list(
            people.filter(pk__in=ids, name__contains=name).select_related(
                "household", "household__building"
            )
        )
        if len(found) >= SEARCH_LIMIT or len(ids) < limit:
            break
    return sorted(found, key=lambda p: (p.area_path, p.name))[:SEARCH_LIMIT]


def import_jobs(*, actor: User) -> QuerySet[ImportJob]:
    """A user's own imports: a job's report lists rows of its uploader's file."""
    return (
        ImportJob.objects.filter(requested_by=actor)
        .select_related("area")
        .defer("file_cipher", "expected_versions")
        .order_by("-created_at")
    )


def import_job_for(*, actor: User, pk: int) -> ImportJob:
    job = import_jobs(actor=actor).filter(pk=pk).first()
    if job is None:
        raise Http404
    return job


def _export_requests() -> QuerySet[ExportRequest]:
    # The file (up to tens of megabytes) is read by the download alone.
    return ExportRequest.objects.select_related("area", "requested_by", "approver").defer(
        "file_cipher"
    )


def export_requests_to_decide(*, actor: User) -> QuerySet[ExportRequest]:
    """Requests still waiting that `actor` may decide: someone else's, over an area where
    `actor` may export."""
    waiting = _export_requests().filter(
        status=ExportStatus.REQUESTED, expires_at__gt=timezone.now()
    )
    return access.scoped(
        waiting.exclude(requested_by=actor), actor, Action.PII_EXPORT, path_field="area__path"
    ).order_by("created_at")


def export_requests_of(*, actor: User) -> QuerySet[ExportRequest]:
    """A user's own requests, newest first."""
    return _export_requests().filter(requested_by=actor).order_by("-created_at")


def export_request_for(*, actor: User, pk: int) -> ExportRequest:
    """A request for its requester, or for someone who may export over its area (who may
    decide it). 404 when its area is out of sight, 403 when the role may not export."""
    export = _export_requests().filter(pk=pk).first()
    if export is None:
        raise Http404
    if export.requested_by_id != actor.pk:
        access.require(actor, Action.PII_EXPORT, export.area)
    return export
