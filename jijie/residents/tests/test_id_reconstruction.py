"""A database dump read without any key must not give the ID numbers back: the mask keeps
the first 3 and the last 4 characters, and nothing else a row holds in clear may narrow
the rest (address code, birth date) down to a few numbers."""

import random

import pytest
from django.utils import timezone

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.core.testing import (
    FEW_CANDIDATES,
    id_reconstruction,
    reconstruction_figures,
    sample_ids,
)
from jijie.residents.models import Person
from jijie.residents.services import (
    PersonData,
    do_household_register,
    do_person_add,
)

SAMPLE = 200


@pytest.mark.django_db
def test_a_dump_of_the_registry_does_not_give_back_the_id_numbers(tree):
    # given: people registered through the service where they were born (the attacker's
    # best case: the household's district completes the address code)
    households = [
        do_household_register(actor=SYSTEM, building=tree.building, door_number=f"{n + 1}01")
        for n in range(20)
    ]
    numbers = {}
    for n, number in enumerate(sample_ids(random.Random(8), tree.district.code, SAMPLE)):
        data = PersonData(name=f"居民{n}", document_number=number)
        numbers[do_person_add(actor=SYSTEM, household=households[n % 20], data=data).person.pk] = (
            number
        )
    # when: every column of every row as a dump holds it, the area table beside it
    counts = id_reconstruction(
        Person.objects.values(),
        path_column="area_path",
        areas=dict(Area.objects.values_list("path", "code")),
        numbers=numbers,
        today=timezone.localdate(),
    )
    # then
    assert min(counts) > FEW_CANDIDATES, reconstruction_figures(counts)
