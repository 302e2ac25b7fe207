"""Errands (代办) through every state, every refused move, overdue flags, the member's
list and record, and who may do what."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils import timezone

from conftest import make_user
from jijie.audit.models import AuditEvent
from jijie.care import selectors, services
from jijie.care.models import Alert, AlertKind, Errand, ErrandState
from jijie.care.services import ErrandData
from jijie.care.tests.fixtures import resident_member
from jijie.mobilization.models import Member
from jijie.residents.models import Household

pytestmark = pytest.mark.django_db


@dataclass
class Runners:
    ming: Member  # lives in 新港路社区
    hong: Member  # lives in 新港路社区
    far: Member  # lives in 上角社区, another street


@pytest.fixture
def runners(tree) -> Runners:
    far = resident_member(3, tree, username="far")
    far.residence_path = tree.far_community.path
    far.save(update_fields=["residence_path"])
    return Runners(
        resident_member(1, tree, username="ming"), resident_member(2, tree, username="hong"), far
    )


def user(member: Member):
    assert member.user is not None
    return member.user


def ask(
    actor, household, *, hours: int = 3, money: str = "58.50", kind: str = "groceries"
) -> Errand:
    return services.errand_create(
        actor=actor,
        household=household,
        data=ErrandData(
            kind=kind,
            needed="青菜两斤、鸡蛋一盒",
            due_by=timezone.now() + timedelta(hours=hours),
            money_advanced=money,
        ),
    )


@pytest.fixture
def errand(case, actors, homes) -> Errand:
    return ask(actors.grid_worker, homes.wang)


def state(errand) -> str:
    return Errand.objects.get(pk=errand.pk).state


def run(errand, runner, *, minutes=None):
    services.errand_claim(actor=user(runner), errand=errand)
    return services.errand_done(
        actor=user(runner), errand=errand, proof_note="已放在门口,拍照发群", minutes=minutes
    )


# Creating ------------------------------------------------------------------------------


def test_an_isolated_household_asks_for_groceries(errand, case):
    assert errand.state == ErrandState.REQUESTED
    assert errand.case == case
    assert errand.money_advanced == Decimal("58.50")
    assert AuditEvent.objects.filter(action="care.errand_create").exists()


def test_a_hardship_household_may_ask_too(actors, homes):
    Household.objects.filter(pk=homes.zhao.pk).update(is_hardship=True)
    homes.zhao.refresh_from_db()
    assert ask(actors.lower, homes.zhao, kind="garbage").case is None


def test_other_households_and_bad_input_are_refused(case, actors, homes):
    with pytest.raises(ValidationError, match="居家隔离户或生活困难户"):
        ask(actors.grid_worker, homes.zhao)
    with pytest.raises(ValidationError, match="两位小数"):
        ask(actors.grid_worker, homes.wang, money="-1")
    with pytest.raises(ValidationError, match="两位小数"):
        ask(actors.grid_worker, homes.wang, money="1.005")
    with pytest.raises(ValidationError, match="不是数字"):
        ask(actors.grid_worker, homes.wang, money="十元")
    with pytest.raises(ValidationError, match="晚于现在"):
        ask(actors.grid_worker, homes.wang, hours=-1)
    with pytest.raises(ValidationError, match="不是可选的值"):
        ask(actors.grid_worker, homes.wang, kind="taxi")
    assert Errand.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "raised"), [("guard", PermissionDenied), ("outsider", Http404), ("member", Http404)]
)
def test_only_front_line_roles_of_the_household_ask(case, actors, homes, who, raised):
    with pytest.raises(raised):
        ask(getattr(actors, who), homes.wang)


# The happy paths ---------------------------------------------------------------------------


def test_claimed_done_and_confirmed_counts_the_members_minutes(errand, runners, actors):
    claimed = services.errand_claim(actor=user(runners.ming), errand=errand)
    assert (claimed.state, claimed.member) == (ErrandState.ACCEPTED, runners.ming)
    done = services.errand_done(
        actor=user(runners.ming), errand=errand, proof_note="已送到门口", minutes=45
    )
    assert (done.state, done.minutes) == (ErrandState.DONE, 45)
    assert selectors.errand_record(runners.ming).minutes == 0  # not yet confirmed
    confirmed = services.errand_confirm(actor=actors.grid_worker, errand=errand)
    assert confirmed.state == ErrandState.CONFIRMED
    assert confirmed.confirmed_by == actors.grid_worker
    record = selectors.errand_record(runners.ming)
    assert (record.errands, record.minutes, record.hours) == (1, 45, 0.8)
    assert [
        e.action
        for e in AuditEvent.objects.filter(action__startswith="care.errand").order_by("seq")
    ] == [
        "care.errand_create",
        "care.errand_claim",
        "care.errand_done",
        "care.errand_confirm",
    ]


def test_assigned_then_accepted(errand, runners, actors):
    services.errand_assign(actor=actors.manager, errand=errand, member=runners.hong)
    assert state(errand) == ErrandState.REQUESTED
    with pytest.raises(ValidationError, match="指派给其他队员"):
        services.errand_claim(actor=user(runners.ming), errand=errand)
    with pytest.raises(ValidationError, match="没有指派给您"):
        services.errand_accept(actor=user(runners.ming), errand=errand)
    accepted = services.errand_accept(actor=user(runners.hong), errand=errand)
    assert (accepted.state, accepted.member) == (ErrandState.ACCEPTED, runners.hong)


def test_minutes_default_to_the_time_since_accepting_at_most_four_hours(errand, runners, clock):
    services.errand_claim(actor=user(runners.ming), errand=errand)
    clock.shift(timedelta(minutes=50))
    done = services.errand_done(actor=user(runners.ming), errand=errand, proof_note="已送达")
    assert done.minutes == 50


def test_a_member_gives_an_errand_back(errand, runners):
    services.errand_claim(actor=user(runners.ming), errand=errand)
    released = services.errand_release(actor=user(runners.ming), errand=errand, reason="临时有事")
    assert (released.state, released.member) == (ErrandState.REQUESTED, None)
    assert services.errand_claim(actor=user(runners.hong), errand=errand).member == runners.hong


def test_cancelled_with_a_reason(errand, actors):
    with pytest.raises(ValidationError, match="取消原因"):
        services.errand_cancel(actor=actors.lower, errand=errand, reason=" ")
    cancelled = services.errand_cancel(actor=actors.lower, errand=errand, reason="家属已送")
    assert cancelled.state == ErrandState.CANCELLED


# Refused moves ----------------------------------------------------------------------------


def test_every_refused_move_says_why(errand, runners, actors):
    ming = user(runners.ming)
    # requested: not yet done, confirmed or given back
    with pytest.raises(PermissionDenied, match="接单的队员"):
        services.errand_done(actor=ming, errand=errand, proof_note="x")
    with pytest.raises(ValidationError, match="“待接单”,不能改为“已确认”"):
        services.errand_confirm(actor=actors.grid_worker, errand=errand)
    services.errand_claim(actor=ming, errand=errand)
    # accepted: not accepted again, not confirmed before it is done
    with pytest.raises(ValidationError, match="“已接单”,不能改为“已接单”"):
        services.errand_claim(actor=user(runners.hong), errand=errand)
    with pytest.raises(ValidationError, match="“已接单”,不能改为“已确认”"):
        services.errand_confirm(actor=actors.grid_worker, errand=errand)
    with pytest.raises(ValidationError, match="只有待接单的代办可以指派"):
        services.errand_assign(actor=actors.manager, errand=errand, member=runners.hong)
    with pytest.raises(PermissionDenied, match="接单的队员"):
        services.errand_done(actor=user(runners.hong), errand=errand, proof_note="x")
    with pytest.raises(ValidationError, match="办结说明"):
        services.errand_done(actor=ming, errand=errand, proof_note="")
    with pytest.raises(ValidationError, match="服务时长"):
        services.errand_done(actor=ming, errand=errand, proof_note="已送", minutes=0)
    services.errand_done(actor=ming, errand=errand, proof_note="已送")
    # done: not done again, not cancelled, not given back
    with pytest.raises(ValidationError, match="“已办结”,不能改为“已办结”"):
        services.errand_done(actor=ming, errand=errand, proof_note="已送")
    with pytest.raises(ValidationError, match="“已办结”,不能改为“已取消”"):
        services.errand_cancel(actor=actors.lower, errand=errand, reason="不要了")
    with pytest.raises(ValidationError, match="“已办结”,不能改为“待接单”"):
        services.errand_release(actor=ming, errand=errand, reason="有事")
    services.errand_confirm(actor=actors.grid_worker, errand=errand)
    # confirmed: final
    with pytest.raises(ValidationError, match="“已确认”,不能改为“已确认”"):
        services.errand_confirm(actor=actors.grid_worker, errand=errand)
    with pytest.raises(ValidationError, match="“已确认”,不能改为“已取消”"):
        services.errand_cancel(actor=actors.lower, errand=errand, reason="不要了")


def test_a_cancelled_errand_is_final(errand, runners, actors):
    services.errand_cancel(actor=actors.lower, errand=errand, reason="家属已送")
    with pytest.raises(ValidationError, match="“已取消”,不能改为“已接单”"):
        services.errand_claim(actor=user(runners.ming), errand=errand)
    with pytest.raises(ValidationError, match="“已取消”,不能改为“已取消”"):
        services.errand_cancel(actor=actors.lower, errand=errand, reason="again")
    with pytest.raises(ValidationError, match="只有待接单的代办可以指派"):
        services.errand_assign(actor=actors.manager, errand=errand, member=runners.ming)


def test_only_members_serving_in_the_community_take_errands(errand, runners, actors):
    with pytest.raises(ValidationError, match="不能认领"):
        services.errand_claim(actor=user(runners.far), errand=errand)
    with pytest.raises(ValidationError, match="没有下沉到或居住在本社区"):
        services.errand_assign(actor=actors.manager, errand=errand, member=runners.far)
    with pytest.raises(PermissionDenied, match="登记在册的队员"):
        services.errand_claim(actor=make_user("stranger"), errand=errand)


@pytest.mark.parametrize(("who", "raised"), [("lower", PermissionDenied), ("outsider", Http404)])
def test_only_the_community_assigns(errand, runners, actors, who, raised):
    with pytest.raises(raised):
        services.errand_assign(actor=getattr(actors, who), errand=errand, member=runners.ming)


@pytest.mark.parametrize(("who", "raised"), [("guard", PermissionDenied), ("outsider", Http404)])
def test_confirm_and_cancel_by_front_line_roles_of_the_household(
    errand, runners, actors, who, raised
):
    run(errand, runners.ming)
    with pytest.raises(raised):
        services.errand_confirm(actor=getattr(actors, who), errand=errand)
    with pytest.raises(raised):
        services.errand_cancel(actor=getattr(actors, who), errand=errand, reason="不要了")


# Overdue, lists ----------------------------------------------------------------------------


def test_an_overdue_errand_is_flagged_and_alerted_once(errand, actors, clock, tree):
    board = selectors.community_board(actors.manager, tree.community)
    assert [row.is_overdue for row in board.errands] == [False]
    clock.shift(timedelta(hours=4))
    board = selectors.community_board(actors.manager, tree.community)
    assert [row.is_overdue for row in board.errands] == [True]
    services.escalate()
    services.escalate()
    assert Alert.objects.filter(kind=AlertKind.ERRAND_OVERDUE).count() == 1


def test_the_members_list_shows_theirs_and_what_they_may_claim(errand, runners, actors, homes):
    other = ask(actors.grid_worker, homes.wang, kind="medicine")
    services.errand_claim(actor=user(runners.ming), errand=errand)
    ming = selectors.member_errands(user(runners.ming))
    assert ming is not None
    assert [row.errand for row in ming.mine] == [errand]
    assert [row.errand for row in ming.claimable] == [other]
    far = selectors.member_errands(user(runners.far))
    assert far is not None
    assert far.claimable == []
    assert selectors.member_errands(actors.manager) is None


def test_errands_are_read_in_scope(errand, runners, actors):
    assert list(selectors.errand_list(actors.lower)) == [errand]
    assert list(selectors.errand_list(actors.outsider)) == []
    with pytest.raises(Http404):
        selectors.errand_for(actors.outsider, errand.pk)
    with pytest.raises(Http404):
        selectors.errand_for(user(runners.ming), errand.pk)
    services.errand_claim(actor=user(runners.ming), errand=errand)
    assert selectors.errand_for(user(runners.ming), errand.pk) == errand
