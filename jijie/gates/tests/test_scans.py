"""Scans through the rule engine: every rule, replays, conflicts, device-time order."""

import uuid
from datetime import time, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.areas.models import Area
from jijie.audit.actors import SYSTEM
from jijie.gates import selectors, services
from jijie.gates.models import Scan
from jijie.gates.tests.fixtures import NOON, record
from jijie.residents.services import do_household_register


def reason(result):
    return result.scan.reason


def test_a_valid_pass_with_normal_temperature_is_allowed(setup):
    result = record(setup)
    assert result.is_new
    assert result.scan.is_allowed
    assert result.scan.household_id == setup.household.pk


def test_tampered_token_is_denied(setup):
    token = setup.token[:-3] + ("AAA" if not setup.token.endswith("AAA") else "BBB")
    assert reason(record(setup, token=token)) == "pass_invalid"


def test_expired_pass_is_denied_with_its_date(setup):
    result = record(setup, device_at=NOON + timedelta(days=14))
    assert reason(result) == "pass_expired"
    assert "过期" in result.scan.message


def test_not_yet_valid_pass_is_denied(setup):
    assert reason(record(setup, device_at=NOON - timedelta(days=2))) == "pass_not_yet_valid"


def test_revoked_pass_is_denied(setup):
    services.do_pass_revoke(actor=SYSTEM, pass_=setup.pass_, reason="遗失")
    assert reason(record(setup)) == "pass_revoked"


def test_replaced_pass_is_denied_and_the_new_one_allowed(setup):
    new = services.do_pass_reissue(actor=SYSTEM, pass_=setup.pass_, reason="卡片遗失")
    assert reason(record(setup)) == "pass_revoked"
    assert record(setup, token=services.pass_token(new)).scan.is_allowed


def test_pass_of_another_community_is_denied(setup, tree):
    other = do_household_register(
        actor=SYSTEM, building=Area.objects.get(code="441602004002-01-001"), door_number="101"
    )
    pass_ = services.do_pass_issue(
        actor=SYSTEM,
        household=other,
        response=setup.response,
        valid_from=NOON - timedelta(days=1),
        valid_until=NOON + timedelta(days=1),
    )
    assert reason(record(setup, token=services.pass_token(pass_))) == "pass_other_area"


def test_fever_is_denied(setup):
    result = record(setup, temperature=Decimal("37.3"))
    assert reason(result) == "fever"
    assert "37.3" in result.scan.message
    assert record(setup, temperature=Decimal("37.2")).scan.is_allowed


def test_entering_needs_a_temperature(setup):
    assert reason(record(setup, temperature=None)) == "temperature_missing"


def test_entering_needs_the_certificate_when_the_rule_asks(setup):
    assert reason(record(setup, certificate_checked=False)) == "certificate_missing"
    setup.rule.certificate_hours = None
    assert record(setup, certificate_checked=False).scan.is_allowed


def test_gate_closed_outside_opening_hours(setup):
    late = NOON.replace(hour=23)
    assert reason(record(setup, device_at=late)) == "gate_closed"


def test_vehicles(setup):
    assert reason(record(setup, vehicle_plate="粤P12345")) == "vehicle_not_disinfected"
    assert record(setup, vehicle_plate="粤p12345", vehicle_disinfected=True).scan.vehicle_plate == (
        "粤P12345"
    )
    setup.rule.vehicles_allowed = False
    result = record(setup, vehicle_plate="粤P12345", vehicle_disinfected=True)
    assert reason(result) == "vehicles_not_allowed"


def test_visitors(setup):
    visit = {"visitor_name": "李明", "visitor_visiting": "1栋301", "visitor_reason": "送药"}
    assert record(setup, **visit).scan.is_allowed
    setup.rule.visitors_allowed = False
    assert reason(record(setup, **visit)) == "visitors_not_allowed"


def test_no_pass_no_entry(setup):
    result = services.do_scan_record(
        actor=SYSTEM,
        gate=setup.gate,
        response=setup.response,
        rule=setup.rule,
        data=services.ScanData(
            client_id=uuid.uuid4(), device_at=NOON, direction="in", temperature=Decimal("36.5")
        ),
    )
    assert result.scan.reason == "pass_required"


def test_no_rule_for_the_response(setup):
    result = services.do_scan_record(
        actor=SYSTEM,
        gate=setup.gate,
        response=setup.response,
        rule=None,
        data=services.ScanData(client_id=uuid.uuid4(), device_at=NOON, direction="out"),
    )
    assert result.scan.reason == "no_rule"


def test_found_household_instead_of_scanned_pass(setup):
    assert record(setup, household_id=setup.household.pk).scan.is_allowed


def test_outings_limit_counts_the_period_by_device_time(setup):
    # one outing per two days
    first = record(setup, direction="out", device_at=NOON)
    assert first.scan.is_allowed
    assert reason(record(setup, direction="out", device_at=NOON + timedelta(hours=1))) == (
        "outings_used_up"
    )
    # a scan made earlier that morning but synced later counts where it happened: it
    # was the first outing of the day
    assert record(setup, direction="out", device_at=NOON - timedelta(hours=3)).scan.is_allowed
    # the day after next is a new period
    assert record(setup, direction="out", device_at=NOON + timedelta(days=2)).scan.is_allowed


def test_pass_limit_wins_over_the_gate(setup):
    setup.pass_.outings_per_day = 2
    setup.pass_.save()
    token = services.pass_token(setup.pass_)
    assert record(setup, token=token, direction="out").scan.is_allowed
    assert record(
        setup, token=token, direction="out", device_at=NOON + timedelta(minutes=5)
    ).scan.is_allowed
    assert (
        reason(record(setup, token=token, direction="out", device_at=NOON + timedelta(minutes=9)))
        == "outings_used_up"
    )


def test_same_scan_three_times_is_stored_once(setup):
    client_id = uuid.uuid4()
    results = [record(setup, client_id=client_id) for _ in range(3)]
    assert [r.is_new for r in results] == [True, False, False]
    assert {r.scan.pk for r in results} == {results[0].scan.pk}
    assert Scan.objects.filter(client_id=client_id).count() == 1


def test_same_id_different_body_is_refused(setup):
    client_id = uuid.uuid4()
    record(setup, client_id=client_id)
    with pytest.raises(services.ScanConflictError, match=str(client_id)):
        record(setup, client_id=client_id, temperature=Decimal("36.6"))
    assert Scan.objects.get(client_id=client_id).temperature == Decimal("36.5")


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("temperature", Decimal("50")),
        ("direction", "up"),
        ("device_at", NOON - timedelta(days=30)),
        ("vehicle_plate", "X" * 20),
    ],
)
def test_bad_input_is_refused_and_nothing_stored(setup, field, value):
    with pytest.raises(ValidationError) as error:
        record(setup, **{field: value})
    assert field in error.value.message_dict
    assert not Scan.objects.exists()


def test_hourly_counts_and_denials(setup):
    record(setup, device_at=NOON.replace(hour=8))
    record(setup, device_at=NOON.replace(hour=8, minute=30), direction="out")
    record(setup, device_at=NOON.replace(hour=9), temperature=Decimal("38.0"))
    counts = {c.hour: c for c in selectors.hourly_counts(gate=setup.gate, day=NOON.date())}
    assert (counts[8].entered, counts[8].exited, counts[8].denied) == (1, 1, 0)
    assert counts[9].denied == 1
    denied = selectors.scan_log(gate=setup.gate, day=NOON.date(), denied_only=True)
    assert [s.reason for s in denied] == ["fever"]


def test_curfew_list_follows_device_time_not_arrival(setup):
    # the household went out at 18:00; a scan of coming back at 19:00 arrives first
    record(setup, direction="in", device_at=NOON.replace(hour=19))
    record(setup, direction="out", device_at=NOON.replace(hour=18))
    at = NOON.replace(hour=21)
    assert selectors.out_past_curfew(gate=setup.gate, rule=setup.rule, at=at) == []
    # another day: out at 18:00 and no return
    later = NOON + timedelta(days=2)
    record(setup, direction="out", device_at=later.replace(hour=18))
    out = selectors.out_past_curfew(gate=setup.gate, rule=setup.rule, at=later.replace(hour=21))
    assert [s.household_id for s in out] == [setup.household.pk]
    assert setup.rule.curfew_at == time(20)


def test_curfew_list_reads_only_the_scans(setup, django_assert_num_queries):
    later = NOON + timedelta(days=2)
    record(setup, direction="out", device_at=later.replace(hour=18))
    at = later.replace(hour=21)
    with django_assert_num_queries(1):
        out = selectors.out_past_curfew(gate=setup.gate, rule=setup.rule, at=at)
        assert [s.household.door_number for s in out if s.household] == ["301"]
    with django_assert_num_queries(0):
        assert selectors.out_past_curfew(gate=setup.gate, rule=None, at=at) == []


@pytest.mark.parametrize(("who", "refusal"), [("street", PermissionDenied), ("outsider", Http404)])
def test_scan_record_checks_the_actor_may_scan_at_the_gate(setup, actors, who, refusal):
    # given a street officer who reads the gate's log but does not guard it, and an outsider
    data = services.ScanData(client_id=uuid.uuid4(), device_at=NOON, direction="out")
    # when either records a scan straight through the service, then it is refused
    with pytest.raises(refusal):
        services.scan_record(
            actor=getattr(actors, who),
            gate=setup.gate,
            response=setup.response,
            rule=setup.rule,
            data=data,
        )
    assert not Scan.objects.exists()


def test_scan_record_refuses_a_gate_without_a_response_in_force(setup, actors):
    with pytest.raises(ValidationError) as refusal:
        services.scan_record(
            actor=actors.guard,
            gate=setup.gate,
            response=None,
            rule=None,
            data=services.ScanData(client_id=uuid.uuid4(), device_at=NOON, direction="out"),
        )
    assert list(refusal.value.message_dict) == ["gate_id"]
    assert not Scan.objects.exists()
