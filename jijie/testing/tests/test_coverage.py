"""A round's coverage against a count by hand over the rows: random people in the
community's buildings (and one outside the round), random samples with retests, random
exemptions, at every depth from the street to the building."""

from __future__ import annotations

import random
from collections import Counter

import pytest

from jijie.areas.models import Area, AreaKind
from jijie.audit.actors import SYSTEM
from jijie.residents import counts
from jijie.residents.models import Person
from jijie.residents.services import PersonData, do_household_register, do_person_add
from jijie.testing import counters, selectors, services
from jijie.testing.models import Exemption, ExemptReason, Sample
from jijie.testing.tests.conftest import NOW

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_coverage_equals_a_count_by_hand(round_, site, tree, seed):
    rng = random.Random(seed)
    buildings = list(Area.objects.filter(kind=AreaKind.BUILDING, path__startswith=tree.street.path))
    people: list[Person] = []
    for n in range(40):
        home = do_household_register(
            actor=SYSTEM, building=rng.choice(buildings), door_number=f"{n + 1:03}"
        )
        for k in range(rng.randint(1, 3)):
            people.append(
                do_person_add(
                    actor=SYSTEM, household=home, data=PersonData(name=f"居民{n}-{k}")
                ).person
            )
    inside = [p for p in people if p.area_path.startswith(round_.area_path)]
    # Samples (some retested) and exemptions (some changed, to and from the bedridden) in
    # a random order: the kept counters must not depend on which came first.
    steps: list[tuple[str, Person]] = [("sample", p) for p in rng.sample(people, len(people) // 2)]
    steps += [("exempt", p) for p in rng.sample(inside, len(inside) // 3)]
    steps += [("exempt", p) for p in rng.sample(inside, len(inside) // 6)]
    rng.shuffle(steps)
    tube = 0
    for step, person in steps:
        if step == "exempt":
            services.do_exemption_set(
                actor=SYSTEM, round=round_, person=person,
                reason=rng.choice(ExemptReason.values), note="说明",
            )  # fmt: skip
            continue
        tube += 1
        reason = "复采" if Sample.objects.filter(person=person).exists() else ""
        for _ in range(rng.choice((1, 1, 1, 2))):
            services.do_sample_register(
                actor=SYSTEM, site=site, barcode=f"T-{tube:05}", person=person,
                retest_reason=reason, now=NOW,
            )  # fmt: skip
            reason, tube = "复采", tube + 1
    # what was kept is what a count of the rows finds
    assert counters.rebuild(round_) == 0
    assert counts.rebuild() == 0
    tested = set(Sample.objects.values_list("person_id", flat=True))
    excused = {e.person_id for e in Exemption.objects.all() if e.reason != ExemptReason.BEDRIDDEN}
    for depth in (3, 4, 5, 6):
        length = depth * Area.steplen
        want: dict[str, Counter[str]] = {}
        for person in inside:
            unit = want.setdefault(person.area_path[:length], Counter())
            unit["people"] += 1
            unit["tested"] += person.pk in tested
            unit["excused"] += person.pk in excused and person.pk not in tested
        found = selectors.coverage(round_, depth=depth)
        assert {
            path: {"people": c.people, "tested": c.tested, "excused": c.excused}
            for path, c in found.items()
        } == {
            path: {k: unit[k] for k in ("people", "tested", "excused")}
            for path, unit in want.items()
        }, depth
        for c in found.values():
            assert c.untested == c.people - c.excused - c.tested >= 0
        # the same figures counted under one area alone (a page below the round's area)
        for within in {p[: (depth - 1) * Area.steplen] for p in found}:
            part = selectors.coverage(round_, depth=depth, within=within)
            assert {p: (c.people, c.tested, c.excused) for p, c in part.items()} == {
                p: (c.people, c.tested, c.excused) for p, c in found.items() if p.startswith(within)
            }, (depth, within)
