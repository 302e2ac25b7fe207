"""Isolation cases, follow-ups, the due list, escalation and who may see health data."""

from datetime import timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.http import Http404

from jijie.audit.models import AuditEvent
from jijie.care import selectors, services
from jijie.care.models import Alert, AlertKind, CaseExtension, FollowUp
from jijie.care.rules import DayState, SlotState
from jijie.care.services import FollowUpData
from jijie.care.tests.fixtures import TODAY, case_data, local, open_case, resident_member
from jijie.residents.models import Household

pytestmark = pytest.mark.django_db


def flag(household) -> bool:
    return Household.objects.get(pk=household.pk).is_home_isolation


def actors_home(case):
    """Another door of the case's building, for a second case."""
    return Household.objects.exclude(pk=case.household_id).get(door_number="102")


def record(actor, case, *, temperature="36.5", client_ref="", **kwargs):
    return services.follow_up_record(
        actor=actor,
        case=case,
        data=FollowUpData(
            contact="visit", temperature=temperature, client_ref=client_ref, **kwargs
        ),
    )


# Cases ---------------------------------------------------------------------------------


def test_opening_a_case_flags_the_household_and_is_audited(case, homes):
    assert flag(homes.wang)
    assert case.community_path == case.area_path[:16]
    assert AuditEvent.objects.filter(action="care.case_open", target_id=str(case.pk)).exists()
    assert AuditEvent.objects.filter(action="household.update").exists()


def test_day_counting_from_the_official_start(case):
    due = selectors.due_list(case.supervisor_user)
    assert [(d.day_number, d.total_days) for d in due] == [(3, 14)]


def test_an_extension_is_kept_with_its_reason_and_lengthens_the_period(case, actors):
    extended = services.case_extend(actor=actors.manager, case=case, days=7, reason="核酸复检")
    assert extended.total_days == 21
    assert list(CaseExtension.objects.values_list("days", "reason")) == [(7, "核酸复检")]
    services.case_extend(actor=actors.manager, case=case, days=2, reason="再延长")
    assert CaseExtension.objects.count() == 2


def test_ending_clears_the_flag_only_when_no_other_case_stays_open(case, actors, response, homes):
    other = open_case(actors, response, homes.wang, homes.lifang)
    services.case_end(actor=actors.manager, case=case, outcome="hospital")
    assert flag(homes.wang)
    ended = services.case_end(actor=actors.manager, case=other, outcome="other", note="离开")
    assert not flag(homes.wang)
    assert ended.ended_on == TODAY
    with pytest.raises(ValidationError, match="已解除"):
        services.case_extend(actor=actors.manager, case=ended, days=1, reason="x")


def test_an_end_dated_earlier_keeps_when_it_was_recorded(case, actors):
    recorded = local(TODAY, 19, 30)
    ended = services.do_case_end(
        actor=actors.manager, case=case, outcome="hospital", ended_on=TODAY, now=recorded
    )
    assert (ended.ended_on, ended.ended_at) == (TODAY, recorded)


def test_a_case_ends_as_completed_only_once_its_period_is_over(case, actors):
    with pytest.raises(ValidationError, match="尚未期满"):
        services.case_end(actor=actors.manager, case=case, outcome="completed")


def test_opening_refuses_bad_input_and_second_cases(case, actors, response, homes):
    with pytest.raises(ValidationError, match="已在居家隔离"):
        open_case(actors, response, homes.wang, homes.xiaoming)
    with pytest.raises(ValidationError) as error:
        open_case(actors, response, homes.zhao, homes.xiaoming, days=0)
    assert set(error.value.message_dict) == {"person", "days"}
    with pytest.raises(ValidationError, match="晚于今天"):
        open_case(actors, response, homes.zhao, starts_on=TODAY + timedelta(days=1))
    with pytest.raises(ValidationError, match="监管人"):
        services.case_open(
            actor=actors.manager,
            response=response,
            household=homes.zhao,
            person=None,
            data=case_data(),
            supervisor_user=actors.outsider,
        )


def test_a_member_supervisor_must_serve_in_the_community(actors, response, homes, tree):
    far = resident_member(1, tree)
    far.residence_path = tree.far_community.path
    far.save(update_fields=["residence_path"])
    with pytest.raises(ValidationError, match="监管队员"):
        services.case_open(
            actor=actors.manager,
            response=response,
            household=homes.zhao,
            person=None,
            data=case_data(),
            supervisor_member=far,
        )
    near = resident_member(2, tree)
    case = services.case_open(
        actor=actors.manager,
        response=response,
        household=homes.zhao,
        person=None,
        data=case_data(),
        supervisor_member=near,
    )
    assert case.supervisor_member == near


@pytest.mark.parametrize(
    ("who", "raised"),
    [("lower", PermissionDenied), ("grid_worker", PermissionDenied), ("outsider", Http404)],
)
def test_only_the_community_opens_extends_and_ends_cases(
    case, actors, response, homes, who, raised
):
    actor = getattr(actors, who)
    with pytest.raises(raised):
        services.case_open(
            actor=actor, response=response, household=homes.zhao, person=None,
            data=case_data(), supervisor_user=actors.grid_worker,
        )  # fmt: skip
    with pytest.raises(raised):
        services.case_extend(actor=actor, case=case, days=1, reason="延长")
    with pytest.raises(raised):
        services.case_end(actor=actor, case=case, outcome="other")


# Follow-ups ----------------------------------------------------------------------------


def test_a_follow_up_fills_the_days_slot(case, actors):
    follow_up = record(actors.grid_worker, case)
    assert (follow_up.slot_on, follow_up.slot, follow_up.is_outside_period) == (TODAY, 0, False)
    [due] = selectors.due_list(actors.grid_worker)
    assert [s.state for s in due.slots] == [SlotState.DONE]


def test_a_follow_up_after_the_days_last_deadline_of_a_late_case_is_an_extra(
    clock, actors, response, homes
):
    # given a case registered at 14:30 on day 3 of 14: the 9:00 slot was never due
    clock.move_to(local(TODAY, 14, 30), tick=False)
    case = open_case(actors, response, homes.wang, homes.xiaoming)
    [due] = selectors.due_list(actors.grid_worker)
    assert (due.day_number, due.state, due.slots) == (3, DayState.NONE_DUE, [])
    # when a follow-up is recorded
    follow_up = record(actors.grid_worker, case, temperature="38.2")
    # then it is dated today, in no slot, and shows on the day
    assert (follow_up.slot_on, follow_up.slot, follow_up.is_outside_period) == (
        TODAY,
        None,
        False,
    )
    [due] = selectors.due_list(actors.grid_worker)
    assert [f.pk for f in due.extra] == [follow_up.pk]
    assert due.extra[0].temperature == Decimal("38.2")
    # and the next day's slot is due as usual, and missed by no one yet
    clock.move_to(local(TODAY + timedelta(days=1), 8), tick=False)
    [due] = selectors.due_list(actors.grid_worker)
    assert (due.state, [s.state for s in due.slots], due.extra) == (
        DayState.SLOTS,
        [SlotState.UPCOMING],
        [],
    )


def test_a_second_follow_up_in_a_done_slot_stays_under_it(case, actors):
    first = record(actors.grid_worker, case)
    second = record(actors.grid_worker, case, temperature="36.7")
    [due] = selectors.due_list(actors.grid_worker)
    assert [f.pk for f in due.slots[0].follow_ups] == [first.pk, second.pk]
    assert due.extra == []


def test_a_follow_up_sent_twice_is_stored_once(case, actors):
    first = record(actors.grid_worker, case, client_ref="phone-1")
    again = record(actors.grid_worker, case, client_ref="phone-1")
    assert first.pk == again.pk
    assert FollowUp.objects.count() == 1


def test_a_follow_up_outside_the_period_is_kept_and_marked(case, actors, clock):
    services.case_end(actor=actors.manager, case=case, outcome="hospital")
    clock.move_to(local(TODAY + timedelta(days=1), 10))
    follow_up = record(actors.grid_worker, case)
    assert follow_up.is_outside_period
    assert follow_up.slot is None


def test_a_fever_raises_an_alert_to_the_community(case, actors, tree):
    record(actors.grid_worker, case, temperature="38.1", symptoms="咳嗽")
    [alert] = Alert.objects.all()
    assert alert.kind == AlertKind.FEVER
    board = selectors.community_board(actors.manager, tree.community)
    assert board.fever_alerts == 1
    assert [a.temperature for a in board.alerts] == [Decimal("38.1")]


def test_a_temperature_out_of_range_is_refused(case, actors):
    with pytest.raises(ValidationError, match="34–43"):
        record(actors.grid_worker, case, temperature="48")
    with pytest.raises(ValidationError, match="不是数字"):
        record(actors.grid_worker, case, temperature="abc")
    assert FollowUp.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "raised"), [("guard", PermissionDenied), ("outsider", Http404), ("nobody", Http404)]
)
def test_follow_ups_by_the_supervisor_or_front_line_roles_only(case, actors, who, raised):
    record(actors.manager, case)
    record(actors.lower, case)
    with pytest.raises(raised):
        record(getattr(actors, who), case)


def test_a_member_supervisor_records_follow_ups_of_their_case(actors, response, homes, tree):
    supervisor = resident_member(3, tree, username="watcher")
    case = services.case_open(
        actor=actors.manager,
        response=response,
        household=homes.zhao,
        person=None,
        data=case_data(),
        supervisor_member=supervisor,
    )
    assert supervisor.user is not None
    record(supervisor.user, case, temperature="36.6")
    [due] = selectors.due_list(supervisor.user)
    assert due.slots[0].state == SlotState.DONE
    # a member reads no temperatures
    assert due.slots[0].follow_ups[0].temperature is None


# Due list across midnight ----------------------------------------------------------------


def test_the_due_list_turns_over_at_midnight_in_shanghai(case, actors, clock):
    record(actors.grid_worker, case)
    # 23:59 on the 10th in Shanghai (15:59 UTC): still the 10th, done
    clock.move_to(local(TODAY, 23, 59))
    [due] = selectors.due_list(actors.grid_worker)
    assert (due.day_number, due.slots[0].state) == (3, SlotState.DONE)
    # 00:01 on the 11th (16:01 UTC, still the 10th in UTC): a new day, upcoming
    clock.move_to(local(TODAY + timedelta(days=1), 0, 1))
    [due] = selectors.due_list(actors.grid_worker)
    assert (due.day_number, due.slots[0].state) == (4, SlotState.UPCOMING)
    # a follow-up at 00:30 counts for the 11th
    follow_up = record(actors.grid_worker, case)
    assert follow_up.slot_on == TODAY + timedelta(days=1)


def test_twice_a_day_cases_have_two_slots(actors, response, homes, clock):
    case = open_case(actors, response, homes.zhao, checks_per_day=2)
    clock.move_to(local(TODAY, 12))
    [due] = selectors.due_list(actors.grid_worker)
    assert [s.state for s in due.slots] == [SlotState.MISSED, SlotState.UPCOMING]
    record(actors.grid_worker, case)
    [due] = selectors.due_list(actors.grid_worker)
    assert [s.state for s in due.slots] == [SlotState.MISSED, SlotState.DONE]


def _counted(due):
    waiting = (SlotState.DUE, SlotState.MISSED)
    return len(due), sum(slot.state in waiting for d in due for slot in d.slots)


def test_the_home_counts_the_day_as_the_due_list_does(case, actors, response, homes, clock):
    twice = open_case(actors, response, homes.zhao, checks_per_day=2)
    seen = []
    for moment in (local(TODAY, 8), local(TODAY, 12), local(TODAY, 23, 59)):
        clock.move_to(moment)
        counts = selectors.due_counts(actors.grid_worker)
        assert counts == _counted(selectors.due_list(actors.grid_worker))
        seen.append(counts)
    record(actors.grid_worker, twice)
    assert selectors.due_counts(actors.grid_worker) == _counted(
        selectors.due_list(actors.grid_worker)
    )
    seen.append(selectors.due_counts(actors.grid_worker))
    assert seen == [(2, 1), (2, 2), (2, 3), (2, 2)]
    assert selectors.due_counts(actors.manager) == (0, 0)  # supervises nothing herself


def test_a_manager_reads_a_supervisors_due_list_in_scope_only(case, actors):
    assert len(selectors.due_list(actors.manager, supervisor=actors.grid_worker)) == 1
    assert selectors.due_list(actors.outsider, supervisor=actors.grid_worker) == []
    assert selectors.due_list(actors.manager) == []  # supervises nothing herself


# Escalation -----------------------------------------------------------------------------


def test_missed_follow_ups_are_escalated_once(case, actors, clock, tree):
    # registered at 10:00 on day 3: today's 9:00 slot (grace to 12:00) is due, the two
    # days before were not anyone's to make
    clock.move_to(local(TODAY + timedelta(days=1), 13))
    call_command("care_escalate", stdout=StringIO())
    call_command("care_escalate", stdout=StringIO())
    missed = Alert.objects.filter(kind=AlertKind.MISSED).order_by("slot_on")
    assert [a.slot_on for a in missed] == [TODAY, TODAY + timedelta(days=1)]
    board = selectors.community_board(actors.manager, tree.community)
    assert len(board.missed) == 2
    assert AuditEvent.objects.filter(action="care.escalate").count() == 1


def test_slots_due_before_a_case_was_registered_are_not_missed(case, actors, clock):
    [due] = selectors.due_list(actors.grid_worker)
    assert [s.index for s in due.slots] == [0]
    clock.move_to(local(TODAY, 13))
    assert services.escalate().missed == 1
    late = open_case(actors, case.response, actors_home(case), starts_on=TODAY)
    assert selectors.due_list(actors.grid_worker)[-1].case == late
    assert selectors.due_list(actors.grid_worker)[-1].slots == []
    assert services.escalate().missed == 0


def test_a_slot_within_its_grace_is_not_missed(case, clock):
    clock.move_to(local(TODAY, 11, 59))
    services.escalate()
    assert not Alert.objects.filter(slot_on=TODAY).exists()


def test_a_late_follow_up_closes_its_missed_alert(case, actors, clock, tree):
    clock.move_to(local(TODAY, 13))
    services.escalate()
    record(actors.grid_worker, case)
    alert = Alert.objects.get(slot_on=TODAY)
    assert alert.resolved_at is not None
    assert selectors.community_board(actors.manager, tree.community).missed == []
    services.escalate()
    assert Alert.objects.filter(slot_on=TODAY).count() == 1


def test_an_alert_is_resolved_once_by_the_community(case, actors, clock):
    record(actors.grid_worker, case, temperature="38.5")
    alert = Alert.objects.get()
    with pytest.raises(Http404):
        services.alert_resolve(actor=actors.outsider, alert=alert, resolution="已送医")
    services.alert_resolve(actor=actors.lower, alert=alert, resolution="已送医")
    with pytest.raises(ValidationError, match="已处理"):
        services.alert_resolve(actor=actors.manager, alert=alert, resolution="已送医")


# Health data ----------------------------------------------------------------------------


def test_health_data_only_for_roles_that_follow_people_up(case, actors, tree):
    record(actors.grid_worker, case, temperature="38.2", symptoms="乏力", note="已告知社区医生")
    shown = selectors.follow_ups(actors.lower, selectors.case_for(actors.lower, case.pk))
    assert (shown[0].temperature, shown[0].symptoms) == (Decimal("38.2"), "乏力")
    hidden = selectors.follow_ups(actors.street, selectors.case_for(actors.street, case.pk))
    assert (hidden[0].temperature, hidden[0].symptoms, hidden[0].note) == (None, None, None)
    street = selectors.community_board(actors.street, tree.community)
    assert not street.health
    assert street.fever_alerts == 1
    assert street.alerts == []
    audit = AuditEvent.objects.get(action="care.follow_up")
    assert "38.2" not in str(audit.data)


# Permissions on reads -------------------------------------------------------------------


def test_the_board_and_cases_for_three_actors(case, actors, tree):
    assert len(selectors.community_board(actors.manager, tree.community).cases) == 1
    assert len(selectors.community_board(actors.lower, tree.community).cases) == 1
    with pytest.raises(PermissionDenied):
        selectors.community_board(actors.guard, tree.community)
    with pytest.raises(Http404):
        selectors.community_board(actors.outsider, tree.community)
    assert list(selectors.case_list(actors.outsider)) == []
    with pytest.raises(Http404):
        selectors.case_for(actors.outsider, case.pk)
    assert selectors.case_for(actors.grid_worker, case.pk) == case
