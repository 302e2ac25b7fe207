"""A round's coverage counters (`RoundCoverage`): kept current inside each sample's and
exemption's transaction, and recounted from the rows when needed (`rebuild`: after a
bulk load, or to check, `manage.py testing_recount`).

Both follow the same rules:
- a person is *tested* in the building of their first sample of the round; a retest
  adds nothing;
- a person is *excused* in their exemption's building while they have no sample; an
  exemption for the bedridden excuses no one (they are sampled at home); a person
  sampled though excused moves from excused to tested.

The callers lock the person's row first (`lock_person`), so a sample and an exemption of
one person, or two samples of one person at two sites, are counted one after the other.
"""

from __future__ import annotations

from collections import defaultdict

from django.db import connection
from django.db.models import Count, Exists, F, OuterRef

from jijie.residents.models import Person
from jijie.testing.models import Exemption, ExemptReason, Round, RoundCoverage, Sample


def lock_person(person: Person) -> None:
    """Hold the person's row until the transaction ends (not its key: samples and
    exemptions that point at it are not blocked)."""
    list(Person.objects.select_for_update(no_key=True).filter(pk=person.pk).values_list("pk"))


def add(round: Round, area_path: str, *, tested: int = 0, excused: int = 0) -> None:
    """Add to one building's counters (a negative number takes away), creating its row."""
    if tested < 0 or excused < 0:
        # Taken away, so the row is there: an upsert's proposed row is checked before
        # its conflict is found, and a negative count fails the column's check.
        RoundCoverage.objects.filter(round=round, area_path=area_path).update(
            tested=F("tested") + tested, excused=F("excused") + excused
        )
        return
    table = connection.ops.quote_name(RoundCoverage._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, area_path, tested, excused)"  # noqa: S608
            " VALUES (%s, %s, %s, %s) ON CONFLICT (round_id, area_path) DO UPDATE"
            f" SET tested = {table}.tested + excluded.tested,"
            f" excused = {table}.excused + excluded.excused",
            [round.pk, area_path, tested, excused],
        )


def first_sample(round: Round, person: Person, area_path: str) -> None:
    """Count a person's first sample of the round, taken as living at `area_path`."""
    add(round, area_path, tested=1)
    excused = (
        Exemption.objects.filter(round=round, person=person)
        .exclude(reason=ExemptReason.BEDRIDDEN)
        .values_list("area_path", flat=True)
        .first()
    )
    if excused is not None:
        add(round, excused, excused=-1)


def counted(round: Round) -> dict[str, tuple[int, int]]:
    """{building path: (tested, excused)} counted from the round's samples and
    exemptions themselves."""
    out: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    sampled = Sample.objects.filter(round=round)
    first = sampled.exclude(
        Exists(Sample.objects.filter(round=round, person=OuterRef("person"), pk__lt=OuterRef("pk")))
    )
    for path, n in first.values("area_path").annotate(n=Count("pk")).values_list("area_path", "n"):
        out[path][0] = n
    excused = (
        Exemption.objects.filter(round=round)
        .exclude(reason=ExemptReason.BEDRIDDEN)
        .exclude(Exists(sampled.filter(person=OuterRef("person"))))
    )
    for path, n in (
        excused.values("area_path").annotate(n=Count("pk")).values_list("area_path", "n")
    ):
        out[path][1] = n
    return {path: (tested, excused) for path, (tested, excused) in out.items()}


def rebuild(round: Round) -> int:
    """Recount the round's counters from its rows; returns how many buildings' counters
    were wrong."""
    found = counted(round)
    kept = {
        path: (tested, excused)
        for path, tested, excused in RoundCoverage.objects.filter(round=round).values_list(
            "area_path", "tested", "excused"
        )
    }
    wrong = sum(1 for path, n in found.items() if kept.get(path, (0, 0)) != n)
    wrong += sum(1 for path, n in kept.items() if path not in found and any(n))
    RoundCoverage.objects.filter(round=round).delete()
    RoundCoverage.objects.bulk_create(
        [
            RoundCoverage(round=round, area_path=path, tested=tested, excused=excused)
            for path, (tested, excused) in sorted(found.items())
        ],
        batch_size=5000,
    )
    return wrong
