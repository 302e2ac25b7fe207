"""A dump of the members (everyone who signed up for a call-up) must not give the ID
numbers back either: what a row holds in clear beside the mask leaves many numbers."""

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
from jijie.mobilization import services
from jijie.mobilization.models import Member

SAMPLE = 200

pytestmark = pytest.mark.django_db


def test_a_dump_of_the_members_does_not_give_back_the_id_numbers(tree, mob):
    # given: members living where they were born
    numbers = {}
    for n, number in enumerate(sample_ids(random.Random(8), tree.district.code, SAMPLE)):
        data = services.MemberData(
            name=f"队员{n}",
            document_number=number,
            phone=f"139{n:08d}",
            organisation=mob.unit,
            residence=tree.community,
        )
        numbers[services.do_member_register(actor=SYSTEM, data=data).member.pk] = number
    # when
    counts = id_reconstruction(
        Member.objects.values(),
        path_column="residence_path",
        areas=dict(Area.objects.values_list("path", "code")),
        numbers=numbers,
        today=timezone.localdate(),
    )
    # then
    assert min(counts) > FEW_CANDIDATES, reconstruction_figures(counts)
