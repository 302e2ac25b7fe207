"""Testing rounds: a round over 新港路社区 with a site; samples into mixed tubes (full,
sealed, twice, retests, offline retries), results, a positive tube's people, coverage
against a count by hand, and who may do what (three actors and more)."""

from __future__ import annotations

import uuid
from datetime import time, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.audit.models import AuditEvent
from jijie.testing import selectors, services
from jijie.testing.models import Sample, Tube, TubeResult
from jijie.testing.tests.conftest import DAY, NOW, at

pytestmark = pytest.mark.django_db


def register(actor, site, barcode, person, **kw):
    kw.setdefault("now", NOW)
    return services.sample_register(actor=actor, site=site, barcode=barcode, person=person, **kw)


def test_ten_fill_a_tube_which_seals_itself_and_the_eleventh_is_refused(site, people, actors):
    for person in people[:10]:
        registered = register(actors.grid_worker, site, "ab-0001 ", person)
    tube = Tube.objects.get()
    assert (tube.barcode, tube.size, tube.sealed_at) == ("AB-0001", 10, NOW)
    assert registered.tube.is_sealed
    with pytest.raises(ValidationError, match="已封管"):
        register(actors.grid_worker, site, "AB-0001", people[10])
    assert Sample.objects.count() == 10


def test_a_full_tube_refuses_before_it_is_sealed(site, people, actors):
    # given a tube left full but not sealed (a round whose tubes hold one)
    Tube.objects.create(
        round=site.round, site=site, area_path=site.area_path, barcode="AB-0002",
        capacity=1, size=1, opened_at=NOW,
    )  # fmt: skip
    with pytest.raises(ValidationError, match="已满 1 人"):
        register(actors.grid_worker, site, "AB-0002", people[0])


def test_a_person_twice_in_a_tube_or_a_round(site, people, actors):
    first = people[0]
    register(actors.grid_worker, site, "AB-0001", first)
    with pytest.raises(ValidationError, match="已在这一管中"):
        register(actors.grid_worker, site, "AB-0001", first)
    # another tube of the round: refused without a reason, naming the first tube...
    with pytest.raises(ValidationError, match="AB-0001") as refused:
        register(actors.grid_worker, site, "AB-0003", first)
    assert refused.value.error_dict["retest_reason"][0].code == "retest"
    # ...and stored with one
    retest = register(actors.grid_worker, site, "AB-0003", first, retest_reason="混管阳性复采")
    assert retest.sample.retest_reason == "混管阳性复采"
    assert Sample.objects.filter(person=first).count() == 2


def test_an_offline_retry_is_stored_once(site, people, actors):
    ref = uuid.uuid4()
    taken = at(9, 40)
    first = register(actors.grid_worker, site, "AB-0001", people[0], client_ref=ref, taken_at=taken)
    again = register(actors.grid_worker, site, "AB-0001", people[0], client_ref=ref, taken_at=taken)
    assert (first.created, again.created) == (True, False)
    assert again.sample.pk == first.sample.pk
    assert first.sample.taken_at == taken
    assert Tube.objects.get().size == 1


@pytest.mark.parametrize(
    ("barcode", "taken_at", "field"),
    [
        ("A1", None, "barcode"),  # too short
        ("AB 0001\x01", None, "barcode"),  # a control character
        ("AB_0001", None, "barcode"),
        ("AB-0001", at(10, 30), "taken_at"),  # later than now, beyond the skew
        ("AB-0001", at(10, day=DAY - timedelta(days=1)), "taken_at"),  # before the round
    ],
)
def test_bad_registrations_name_their_field_and_store_nothing(
    site, people, actors, barcode, taken_at, field
):
    with pytest.raises(ValidationError) as refused:
        register(actors.grid_worker, site, barcode, people[0], taken_at=taken_at)
    assert set(refused.value.error_dict) == {field}
    assert not Sample.objects.exists()
    assert not Tube.objects.exists()


def test_a_tube_of_another_site_is_refused(site, round_, tree, people, actors):
    other = services.site_add(
        actor=actors.manager, round=round_, area=tree.grid2,
        data=services.SiteData("3栋门口", "", 1, time(8), time(12)),
    )  # fmt: skip
    register(actors.grid_worker, site, "AB-0001", people[0])
    with pytest.raises(ValidationError, match="新港路小学采样点"):
        register(actors.manager, other, "AB-0001", people[1])


def test_a_positive_tube_lists_exactly_its_people(site, round_, people, actors):
    for person in people[:3]:
        register(actors.grid_worker, site, "AB-0001", person)
    for person in people[3:5]:
        register(actors.grid_worker, site, "AB-0004", person)
    services.tube_seal(actor=actors.grid_worker, tube=Tube.objects.get(barcode="AB-0004"), now=NOW)
    positive = services.result_record(
        actor=actors.manager, round=round_, barcode="ab-0001", result="positive", now=at(20)
    )
    assert positive.sealed_at == at(20)  # sent to the lab unsealed: closed when it went
    assert selectors.tube_people(positive) == people[:3]
    negative = services.result_record(
        actor=actors.manager, round=round_, barcode="AB-0004", result="negative", now=at(20)
    )
    assert (negative.result, negative.sealed_at) == (TubeResult.NEGATIVE, NOW)
    # the same result again changes nothing; another is refused; an unknown tube too
    again = services.result_record(
        actor=actors.manager, round=round_, barcode="AB-0004", result="negative", now=at(21)
    )
    assert again.result_at == at(20)
    with pytest.raises(ValidationError, match="已是阴性"):
        services.result_record(
            actor=actors.manager, round=round_, barcode="AB-0004", result="positive"
        )
    with pytest.raises(ValidationError, match="本轮没有管码 AB-9999"):
        services.result_record(
            actor=actors.manager, round=round_, barcode="AB-9999", result="negative"
        )
    with pytest.raises(ValidationError, match="空管"):
        services.do_tube_seal(
            actor=SYSTEM,
            tube=Tube.objects.create(
                round=round_, site=site, area_path=site.area_path, barcode="AB-0005",
                capacity=10, opened_at=NOW,
            ),
        )  # fmt: skip


def test_coverage_counts_each_person_once_and_the_excused_apart(site, round_, tree, people, actors):
    for person in people[:4]:
        register(actors.grid_worker, site, "AB-0001", person)
    register(actors.grid_worker, site, "AB-0002", people[0], retest_reason="复采")
    services.exemption_set(actor=actors.manager, round=round_, person=people[5], reason="infant")
    services.exemption_set(actor=actors.manager, round=round_, person=people[6], reason="bedridden")
    # excused, then tested all the same: counts as tested
    services.exemption_set(
        actor=actors.manager, round=round_, person=people[1], reason="away", note="出差"
    )
    found = selectors.coverage(round_, depth=tree.grid.depth)
    grid = found[tree.grid.path]
    # 12 people in grid 01; 4 tested; 1 excused (the infant); 7 still to test
    assert (grid.people, grid.tested, grid.excused, grid.untested) == (12, 4, 1, 7)
    assert grid.rate == round(100 * 4 / 11, 1)
    assert set(found) == {tree.grid.path}  # the sibling community is outside the round


def test_who_may_open_sample_and_record(site, round_, tree, people, actors):
    # the sibling community's secretary: out of sight
    with pytest.raises(Http404):
        register(actors.outsider, site, "AB-0001", people[0])
    # a guard sees the community, but does not sample
    with pytest.raises(PermissionDenied):
        register(actors.guard, site, "AB-0001", people[0])
    # a grid worker samples but records no result and opens no round
    register(actors.grid_worker, site, "AB-0001", people[0])
    with pytest.raises(Http404):  # the round is over the community, above their grid
        services.result_record(
            actor=actors.grid_worker, round=round_, barcode="AB-0001", result="negative"
        )
    with pytest.raises(PermissionDenied):
        services.round_open(
            actor=actors.grid_worker,
            response=round_.response,
            area=tree.grid,
            data=services.RoundData("x", DAY, DAY),
        )
    # the street sees the round; the sibling's secretary does not
    assert list(selectors.round_list(actor=actors.street)) == [round_]
    assert list(selectors.round_list(actor=actors.grid_worker)) == [round_]
    assert list(selectors.round_list(actor=actors.outsider)) == []
    assert AuditEvent.objects.filter(action="testing.sample_register").count() == 1


def test_a_round_and_a_site_refuse_what_does_not_fit(tree, actors, round_):
    response = round_.response
    bad = [
        (services.RoundData("", DAY, DAY), "name"),
        (services.RoundData("x", DAY, DAY - timedelta(days=1)), "ends_on"),
        (services.RoundData("x", DAY, DAY + timedelta(days=30)), "ends_on"),
        (services.RoundData("x", DAY, DAY, tube_size=21), "tube_size"),
    ]
    for data, field in bad:
        with pytest.raises(ValidationError) as refused:
            services.round_open(actor=actors.manager, response=response, area=tree.community,
                                data=data)  # fmt: skip
        assert set(refused.value.error_dict) == {field}
    with pytest.raises(ValidationError) as refused:
        services.do_site_add(
            actor=SYSTEM, round=round_, area=tree.sibling,
            data=services.SiteData("隔壁", "", 1, time(8), time(12)),
        )  # fmt: skip
    assert set(refused.value.error_dict) == {"area"}
    with pytest.raises(ValidationError) as refused:
        services.do_site_add(
            actor=SYSTEM, round=round_, area=tree.grid,
            data=services.SiteData("晚上", "", 1, time(20), time(8)),
        )  # fmt: skip
    assert set(refused.value.error_dict) == {"closes_at"}
