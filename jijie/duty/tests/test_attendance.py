"""Check-in and check-out with the post's QR code or by the shift leader, late and
missing flagged, and the hours counted on the member's service record."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from jijie.audit.actors import SYSTEM
from jijie.duty import selectors, services
from jijie.duty.models import Participation
from jijie.duty.tests.fixtures import demand, resident, shifts, user_of, with_account


def refused(call, word: str) -> None:
    with pytest.raises(ValidationError) as caught:
        call()
    assert word in " ".join(caught.value.messages)


@pytest.fixture
def on_duty(tree, posts):
    shift = shifts(demand(tree.community, posts.guard))[0]
    leader = with_account(resident(1, tree), "leader")
    someone = with_account(resident(2, tree), "someone")
    leading = services.do_shift_assign(actor=SYSTEM, shift=shift, member=leader)
    taken = services.do_shift_assign(actor=SYSTEM, shift=shift, member=someone)
    services.do_shift_leader_set(actor=SYSTEM, shift=shift, member_id=leader.pk)
    shift.refresh_from_db()
    return shift, leading, taken, someone


def test_a_member_checks_in_and_out_with_the_qr_code(on_duty, time_machine):
    shift, _leading, taken, someone = on_duty
    time_machine.move_to(shift.starts_at - timedelta(minutes=10))
    user = user_of(someone)
    refused(lambda: services.check_in(actor=user, participation=taken), "二维码")
    refused(lambda: services.check_in(actor=user, participation=taken, token="x"), "不符")
    checked = services.check_in(actor=user, participation=taken, token=shift.check_in_token)
    assert not checked.is_late
    time_machine.move_to(shift.ends_at + timedelta(minutes=30))
    out = services.check_out(actor=user, participation=taken, token=shift.check_in_token)
    # Counted from the start to the end of the shift, not before nor after.
    assert out.minutes == 12 * 60
    record = selectors.service_record(someone)
    assert record.hours == 12
    served = Participation.objects.filter(member=someone, checked_out_at__isnull=False)
    assert [p.pk for p in served] == [taken.pk]


def test_the_leader_checks_a_late_member_in(on_duty, time_machine, actors):
    shift, leading, taken, _someone = on_duty
    leader_user = user_of(leading.member)
    time_machine.move_to(shift.starts_at + timedelta(minutes=40))
    checked = services.check_in(actor=leader_user, participation=taken)
    assert checked.is_late
    refused(lambda: services.check_in(actor=leader_user, participation=taken), "已签到")
    time_machine.move_to(shift.starts_at + timedelta(hours=6))
    assert services.check_out(actor=actors.manager, participation=taken).minutes == 320


def test_missing_members_are_flagged_after_the_grace(on_duty, time_machine):
    shift, leading, taken, _someone = on_duty
    time_machine.move_to(shift.starts_at + timedelta(minutes=5))
    assert selectors.missing(shift) == []
    services.check_in(
        actor=user_of(leading.member), participation=leading, token=shift.check_in_token
    )
    time_machine.move_to(shift.starts_at + timedelta(minutes=20))
    assert [p.pk for p in selectors.missing(shift)] == [taken.pk]


def test_check_in_only_in_its_window_and_only_when_confirmed(tree, posts, on_duty, time_machine):
    shift, _leading, taken, someone = on_duty
    time_machine.move_to(shift.starts_at - timedelta(hours=1))
    refused(
        lambda: services.check_in(
            actor=user_of(someone), participation=taken, token=shift.check_in_token
        ),
        "30 分钟",
    )
    time_machine.move_to(shift.starts_at)
    refused(
        lambda: services.check_out(
            actor=user_of(someone), participation=taken, token=shift.check_in_token
        ),
        "尚未签到",
    )
    other = with_account(resident(3, tree), "other")
    later = shifts(demand(tree.community, posts.guard))[2]
    requested = services.shift_claim(actor=user_of(other), shift=later)
    time_machine.move_to(later.starts_at)
    refused(
        lambda: services.check_in(
            actor=user_of(other), participation=requested, token=later.check_in_token
        ),
        "已确认",
    )


def test_only_the_leader_or_the_community_takes_others_attendance(on_duty, actors, time_machine):
    shift, _leading, taken, _someone = on_duty
    time_machine.move_to(shift.starts_at)
    with pytest.raises(PermissionDenied):
        services.check_in(actor=actors.lower, participation=taken)
    with pytest.raises(Http404):
        services.check_in(actor=actors.outsider, participation=taken)
    services.check_in(actor=actors.manager, participation=taken)


def test_the_leader_is_a_confirmed_member_of_the_shift(tree, posts):
    shift = shifts(demand(tree.community, posts.guard))[0]
    refused(
        lambda: services.do_shift_leader_set(
            actor=SYSTEM, shift=shift, member_id=resident(1, tree).pk
        ),
        "班长",
    )
