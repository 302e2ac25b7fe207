"""Races on PostgreSQL: two samplers at one tube with one place left, one offline
registration sent twice at once, and a result by hand while the lab's file is appended.
Nothing goes past the tube's size; nothing is stored twice."""

import time
import uuid
from typing import Any

import pytest

from conftest import make_user
from jijie.audit.services import audit_record
from jijie.testing import counters, imports, services
from jijie.testing.models import LabResult, RoundCoverage, Sample, Tube
from jijie.testing.tests.conftest import NOW
from tests.concurrency import race

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_last_place_in_a_tube_goes_once(site, people, actors):
    other = make_user("grid2", "grid_worker", site.area)
    for person in people[:9]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    results, refusals = race(
        lambda: services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=people[9], now=NOW
        ),
        lambda: services.sample_register(
            actor=other, site=site, barcode="AB-0001", person=people[10], now=NOW
        ),
    )
    assert len(results) == 1
    assert len(refusals) == 1
    assert "已封管" in refusals[0]
    tube = Tube.objects.get()
    assert (tube.size, tube.sealed_at) == (10, NOW)
    assert Sample.objects.count() == 10


def test_one_registration_sent_twice_at_once_is_stored_once(site, people, actors):
    ref = uuid.uuid4()

    def send() -> services.Registered:
        return services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=people[0],
            client_ref=ref, now=NOW,
        )  # fmt: skip

    results, refusals = race(send, send)
    assert refusals == []
    assert sorted(r.created for r in results) == [False, True]
    assert Sample.objects.count() == 1
    assert Tube.objects.get().size == 1


def test_one_person_at_two_tubes_at_once_is_counted_once(site, round_, people, actors, monkeypatch):
    # The same person registered at two lanes at the same moment, and their exemption
    # set at the same moment: one sample stands, the other is asked for a retest's reason,
    # and the round's kept counters agree with a count of the rows. Each write lingers
    # before it commits, so all three are open at once.
    audit = services._audit

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.3)
        audit(*args, **kwargs)

    monkeypatch.setattr(services, "_audit", slow)
    other = make_user("grid2", "grid_worker", site.area)
    results, refusals = race(
        lambda: services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=people[0], now=NOW
        ),
        lambda: services.sample_register(
            actor=other, site=site, barcode="AB-0002", person=people[0], now=NOW
        ),
        lambda: services.exemption_set(
            actor=actors.manager, round=round_, person=people[0], reason="away"
        ),
    )
    assert len(results) == 2  # one sample, one exemption
    assert len(refusals) == 1
    assert "复采" in refusals[0]
    assert Sample.objects.count() == 1
    assert counters.rebuild(round_) == 0
    kept = RoundCoverage.objects.get(round=round_)
    assert (kept.tested, kept.excused) == (1, 0)


@pytest.mark.parametrize(
    ("by_hand", "refused"), [("negative", None), ("positive", "管码 AB-0001 已是阴性。")]
)
def test_a_result_by_hand_while_the_labs_file_is_appended(
    site, round_, people, actors, monkeypatch, by_hand, refused
):
    # The lab's file is appended (not yet committed: its audit row lingers) when the
    # same tube's result is entered by hand: the hand waits on the ledger's key, then
    # finds the file's result, the same (nothing more to do) or another (refused). One
    # row in the ledger either way, and no error past the service.
    for person in people[:2]:
        services.sample_register(
            actor=actors.grid_worker, site=site, barcode="AB-0001", person=person, now=NOW
        )
    report = imports.check_results(round_, "管码,结果\nAB-0001,阴性\n".encode())

    def slow(*args: Any, **kwargs: Any) -> None:
        time.sleep(0.5)
        audit_record(*args, **kwargs)

    monkeypatch.setattr(imports, "audit_record", slow)

    def hand() -> Tube:
        time.sleep(0.15)
        return services.do_result_record(
            actor=actors.manager, round=round_, barcode="AB-0001", result=by_hand, now=NOW
        )

    results, refusals = race(
        lambda: imports.do_results_import(actor=actors.manager, round=round_, report=report),
        hand,
    )
    assert [" ".join(refusals)] == [refused or ""]
    assert len(results) == (2 if refused is None else 1)
    assert list(LabResult.objects.values_list("result", flat=True)) == ["negative"]
